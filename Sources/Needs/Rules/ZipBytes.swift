import Foundation
import ZIPFoundation

/// A zip archive (an .xlsx workbook, an ODK export) read from uploaded bytes: its central directory read
/// here, each part inflated with ZIPFoundation's inflater. Not `Archive`: on damaged archives (found by
/// HostileFilesTests) its in-memory form traps on an offset past the end, and its extraction asks for
/// input past the end of a truncated deflate stream for ever. Here a part's bytes must lie inside the
/// archive, and running out of them is an error.
struct ZipBytes {
    struct Part {
        let path: String
        let method: Int
        let compressedSize: Int
        let uncompressedSize: Int
        let checksum: UInt32
        let start: Int
    }

    /// The largest part taken out: a workbook or an export is a few MB; this keeps a crafted archive
    /// (a zip bomb) from filling memory.
    static let largestPart = 50 << 20

    let bytes: [UInt8]
    let parts: [Part]

    /// Refuses what is not a zip archive whose every part lies inside it (ZIP64 archives, past 4 GB, included).
    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        func u16(_ at: Int) -> Int { Int(bytes[at]) | Int(bytes[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        let corrupt = CocoaError(.fileReadCorruptFile)
        guard bytes.count >= 22 else { throw corrupt }
        // The end of the central directory, found from the end (a comment of up to 64 kB may follow it).
        guard let end = stride(from: bytes.count - 22, through: max(0, bytes.count - 22 - 65_535), by: -1)
            .first(where: { u32($0) == 0x0605_4b50 }) else { throw corrupt }
        var parts: [Part] = []
        var at = u32(end + 16)
        for _ in 0..<u16(end + 10) {
            guard at + 46 <= bytes.count, u32(at) == 0x0201_4b50 else { throw corrupt }
            let compressed = u32(at + 20), local = u32(at + 42), nameLength = u16(at + 28)
            guard compressed != 0xFFFF_FFFF, at + 46 + nameLength <= bytes.count, local + 30 <= bytes.count, u32(local) == 0x0403_4b50 else { throw corrupt }
            let start = local + 30 + u16(local + 26) + u16(local + 28)
            guard start + compressed <= bytes.count else { throw corrupt }
            parts.append(Part(path: String(decoding: bytes[(at + 46)..<(at + 46 + nameLength)], as: UTF8.self), method: u16(at + 10),
                              compressedSize: compressed, uncompressedSize: u32(at + 24), checksum: UInt32(u32(at + 16)), start: start))
            at += 46 + nameLength + u16(at + 30) + u16(at + 32)
        }
        self.bytes = bytes
        self.parts = parts
    }

    subscript(path: String) -> Part? { parts.first { $0.path == path } }

    /// A part's bytes, checked against its size and checksum.
    func read(_ part: Part) throws -> Data {
        let corrupt = CocoaError(.fileReadCorruptFile)
        guard part.uncompressedSize <= Self.largestPart else { throw CocoaError(.fileReadTooLarge) }
        let stored = Data(bytes[part.start..<(part.start + part.compressedSize)])
        var out = Data()
        switch part.method {
        case 0:
            out = stored
        case 8:
            var given = 0
            _ = try Data.decompress(size: Int64(stored.count), bufferSize: 64 * 1024, skipCRC32: true, provider: { _, size in
                guard given < stored.count else { throw corrupt }
                let chunk = stored.subdata(in: given..<min(stored.count, given + size))
                given += chunk.count
                return chunk
            }, consumer: { data in
                out.append(data)
                if out.count > part.uncompressedSize { throw corrupt }
            })
        default:
            throw corrupt
        }
        guard out.count == part.uncompressedSize, out.crc32(checksum: 0) == part.checksum else { throw corrupt }
        return out
    }
}
