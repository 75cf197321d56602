import Foundation
import ZIPFoundation

/// A zip archive (an .xlsx workbook, an ODK export) read from uploaded bytes.
enum ZipBytes {
    /// The largest part taken out of an archive: a workbook or an export is a few MB; this keeps a
    /// crafted archive (a zip bomb) from filling memory.
    static let largestPart: UInt64 = 50 << 20

    /// ZIPFoundation's in-memory archive traps on some damaged archives (an offset past the end, found
    /// by HostileFilesTests); one read from a file answers them with an error. The file is gone as soon
    /// as the archive has it open.
    static func archive(_ data: Data) throws -> Archive {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-upload-\(UUID().uuidString).zip")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        return try Archive(url: url, accessMode: .read)
    }

    /// One part's bytes, if it is not larger than `largestPart`.
    static func extract(_ entry: Entry, from archive: Archive) throws -> Data {
        guard entry.uncompressedSize <= largestPart else { throw CocoaError(.fileReadTooLarge) }
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
        return data
    }
}
