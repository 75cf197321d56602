import Foundation

/// Files kept beside the database (scans, logos, photos), each named by its record's id and a fixed
/// extension, so no name sent by a user ever reaches the file system and nothing escapes the directory.
public struct FileStore: Sendable {
    public let directory: URL

    public init(_ directory: URL) { self.directory = directory }

    public func url(_ id: UUID, _ ext: String) -> URL {
        directory.appendingPathComponent(id.uuidString.lowercased() + "." + ext)
    }

    /// Written whole, then moved into place: a reader never sees half a file.
    public func write(_ data: Data, id: UUID, ext: String) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = url(id, ext)
        let partial = file.appendingPathExtension("partial")
        try data.write(to: partial)
        guard rename(partial.path, file.path) == 0 else { throw CocoaError(.fileWriteUnknown) }
    }

    public func read(_ id: UUID, _ ext: String) -> Data? {
        FileManager.default.contents(atPath: url(id, ext).path)
    }

    public func remove(_ id: UUID, _ ext: String) {
        try? FileManager.default.removeItem(at: url(id, ext))
    }
}
