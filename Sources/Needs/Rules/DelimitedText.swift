import Foundation

/// The records of an export file (RFC 4180, `,` or `;` between cells), each with the line of the file it
/// starts on, so a problem can name the line people see in a text editor even when a cell holds line
/// breaks. Written over bytes rather than with SwiftCSV: that gives no line numbers, and a
/// 100,000-row export must read in well under a second. A cell stays bytes until it is asked for as text:
/// a text and an array of texts per record were a third of reading a 100,000-row export, most of its
/// seven million cells empty or a `0` or `1` of a multiple choice's columns.
public struct DelimitedText: Sendable {
    /// A record: the line of the file it starts on, and where its cells are.
    public struct Record: Sendable {
        public let line: Int
        let store: CellStore
        /// The position of its first cell in `store`, and how many it has.
        let first: Int
        public let count: Int

        /// Its cells as text, as the file has them.
        public var cells: [String] { withCells { cells in (0..<count).map { String(decoding: cells.bytes($0), as: UTF8.self) } } }

        /// Its cells where they lie, for as long as `body` runs.
        func withCells<Result>(_ body: (Cells) -> Result) -> Result {
            store.bytes.withUnsafeBufferPointer { bytes in
                store.bounds.withUnsafeBufferPointer { bounds in
                    body(Cells(bytes: bytes, bounds: UnsafeBufferPointer(rebasing: bounds[first...(first + count)])))
                }
            }
        }
    }

    /// A record's cells as bytes; a cell past its last is empty.
    struct Cells {
        let bytes: UnsafeBufferPointer<UInt8>
        /// Where each cell starts, and after them where the last ends.
        let bounds: UnsafeBufferPointer<UInt32>

        func bytes(_ index: Int) -> UnsafeBufferPointer<UInt8> {
            guard index >= 0, index < bounds.count - 1 else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(rebasing: bytes[Int(bounds[index])..<Int(bounds[index + 1])])
        }

        /// The cell's bytes without ASCII spaces and line breaks around it.
        func trimmed(_ index: Int) -> UnsafeBufferPointer<UInt8> {
            let cell = bytes(index)
            var start = cell.startIndex, end = cell.endIndex
            while start < end, Self.isASCIISpace(cell[start]) { start += 1 }
            while end > start, Self.isASCIISpace(cell[end - 1]) { end -= 1 }
            return UnsafeBufferPointer(rebasing: cell[start..<end])
        }

        /// The cell as text, without spaces and line breaks around it (as `trimmedCell`).
        func text(_ index: Int) -> String {
            let cell = trimmed(index)
            guard let first = cell.first, let last = cell.last else { return "" }
            // Ends outside ASCII may be one of Unicode's other spaces.
            return first < 0x80 && last < 0x80 ? String(decoding: cell, as: UTF8.self) : String(decoding: cell, as: UTF8.self).trimmedCell
        }

        func isBlank(_ index: Int) -> Bool {
            let cell = trimmed(index)
            return cell.isEmpty || (cell[0] >= 0x80 || cell[cell.count - 1] >= 0x80) && text(index).isEmpty
        }

        /// Whether the cell, trimmed, is this one ASCII character (a multiple choice's `0` or `1` columns).
        func isCharacter(_ index: Int, _ character: Unicode.Scalar) -> Bool {
            let cell = trimmed(index)
            return cell.count == 1 ? cell[0] == UInt8(character.value) : cell.count > 1 && text(index) == String(character)
        }

        private static func isASCIISpace(_ byte: UInt8) -> Bool { byte == 0x20 || (0x09...0x0D).contains(byte) }
    }

    /// The cells of one part of the file, unquoted, one after another: cell `k` is `bytes[bounds[k]..<bounds[k + 1]]`.
    final class CellStore: Sendable {
        let bytes: [UInt8]
        let bounds: [UInt32]

        init(bytes: [UInt8], bounds: [UInt32]) {
            self.bytes = bytes
            self.bounds = bounds
        }
    }

    public let header: [String]
    public let records: [Record]

    /// Reads the text; the delimiter is the one the header line has more of (KoboToolbox writes `;`,
    /// ODK Central `,`). Blank lines are skipped. A large file is read in parts, one per core, each from
    /// a line's start: a part read as if no quote were open where it starts is right when the part before
    /// ends outside quotes, which it says; when one does not (a cell with line breaks across the cut),
    /// the whole file is read again in one piece.
    public init(_ data: Data) {
        let records: [Record] = data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)[...]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            let delimiter = Self.delimiter(bytes)
            let parts = Self.parts(of: bytes)
            guard parts.count > 1 else { return Self.read(bytes, delimiter: delimiter).records(linesBefore: 0) }
            let read = ParallelMap.Slots<[Part]>(count: parts.count), shared = SharedBytes(buffer: bytes.base)
            DispatchQueue.concurrentPerform(iterations: parts.count) { index in
                read.set(index, [Self.read(shared.buffer[parts[index]], delimiter: delimiter)])
            }
            let results = read.values.map { $0[0] }
            guard results.dropLast().allSatisfy({ !$0.quoteOpen }) else { return Self.read(bytes, delimiter: delimiter).records(linesBefore: 0) }
            var records: [Record] = [], linesBefore = 0
            for part in results {
                records += part.records(linesBefore: linesBefore)
                linesBefore += part.lineBreaks
            }
            return records
        }
        self.header = records.first?.cells ?? []
        self.records = Array(records.dropFirst())
    }

    /// What reading some of the file found: its cells, its records (lines counted from the part's start),
    /// its line breaks, and whether it ended inside a quoted cell.
    struct Part {
        var store: CellStore
        var records: [(line: Int, first: Int, count: Int)]
        var lineBreaks: Int
        var quoteOpen: Bool

        func records(linesBefore: Int) -> [Record] {
            records.map { Record(line: $0.line + linesBefore, store: store, first: $0.first, count: $0.count) }
        }
    }

    /// The file's bytes, read by every part's thread while `init` holds them; none writes them.
    private struct SharedBytes: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
    }

    /// The file cut into a part per core, each cut just after a line break; one part when small.
    static func parts(of bytes: Slice<UnsafeBufferPointer<UInt8>>) -> [Range<Int>] {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        guard cores > 1, bytes.count >= 1 << 20 else { return [bytes.indices] }
        var parts: [Range<Int>] = [], start = bytes.startIndex
        for cut in 1..<cores {
            let near = bytes.startIndex + bytes.count * cut / cores
            guard near > start, let lineBreak = bytes[near...].firstIndex(of: UInt8(ascii: "\n")) else { continue }
            parts.append(start..<(lineBreak + 1))
            start = lineBreak + 1
        }
        parts.append(start..<bytes.endIndex)
        return parts
    }

    /// Reads records from a line's start. A cell's bytes are taken a run at a time — up to the next
    /// delimiter, line end or quote — not byte by byte: a 100,000-row export is some 50 MB.
    static func read(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, delimiter: UInt8) -> Part {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        var records: [(line: Int, first: Int, count: Int)] = []
        var cells: [UInt8] = [], bounds: [UInt32] = [0]
        cells.reserveCapacity(bytes.count)
        var recordStart = 0  // the position in `bounds` of the record's first cell
        var line = 1, recordLine = 1, quoteOpen = false
        var index = bytes.startIndex
        let end = bytes.endIndex

        func endCell() { bounds.append(UInt32(cells.count)) }
        func endRecord() {
            endCell()
            let count = bounds.count - 1 - recordStart
            if count > 1 || bounds[recordStart + 1] > bounds[recordStart] {
                records.append((recordLine, recordStart, count))
                recordStart = bounds.count - 1
            } else {
                bounds.removeLast()  // a blank line
            }
        }
        while index < end {
            let byte = bytes[index]
            switch byte {
            case quote where Int(bounds[bounds.count - 1]) == cells.count:
                // A quoted run: up to the quote that closes it; two quotes are one kept, and the run goes on.
                // With the quote still open, the end closes it.
                index += 1
                quoteOpen = true
                while index < end {
                    let close = bytes[index...].firstIndex(of: quote) ?? end
                    let run = bytes[index..<close]
                    line += run.count { $0 == lf }
                    cells.append(contentsOf: run)
                    index = min(close + 1, end)
                    guard close < end else { break }
                    guard index < end, bytes[index] == quote else {
                        quoteOpen = false
                        break
                    }
                    cells.append(quote)
                    index += 1
                }
            case delimiter:
                endCell()
                index += 1
            case cr:
                index += 1
            case lf:
                endRecord()
                line += 1
                recordLine = line
                index += 1
            default:
                // Text outside quotes, up to the next delimiter or line end (a quote inside it is kept).
                let stop = bytes[index...].firstIndex { $0 == delimiter || $0 == lf || $0 == cr } ?? end
                cells.append(contentsOf: bytes[index..<stop])
                index = stop
            }
        }
        if Int(bounds[bounds.count - 1]) != cells.count || bounds.count - 1 > recordStart { endRecord() }
        return Part(store: CellStore(bytes: cells, bounds: bounds), records: records, lineBreaks: line - 1, quoteOpen: quoteOpen)
    }

    static func delimiter(_ bytes: Slice<UnsafeBufferPointer<UInt8>>) -> UInt8 {
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let semicolons = firstLine.count { $0 == UInt8(ascii: ";") }
        let commas = firstLine.count { $0 == UInt8(ascii: ",") }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }
}

extension String {
    /// Without spaces and line breaks around it; free when there are none, as in nearly every cell.
    var trimmedCell: String {
        // The ends' bytes, read where the text lies: `utf8.first` and `.last` went through the generic
        // collection paths, a tenth of checking an export's answers.
        guard let ends = utf8.withContiguousStorageIfAvailable({ $0.isEmpty ? nil : ($0[0], $0[$0.count - 1]) }) else {
            return trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let (first, last) = ends else { return self }
        // Ends that are ASCII and not spaces: nothing to trim (nearly every cell).
        if (0x21..<0x80).contains(first), (0x21..<0x80).contains(last) { return self }
        guard Self.isSpace(first < 0x80 ? Unicode.Scalar(first) : unicodeScalars.first)
                || Self.isSpace(last < 0x80 ? Unicode.Scalar(last) : unicodeScalars.last) else { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Unicode's White_Space characters, by their values: asking the scalar's properties looked the
    /// Unicode tables up for every cell that ends in a letter of Kyrgyz or Russian.
    private static func isSpace(_ scalar: Unicode.Scalar?) -> Bool {
        switch scalar?.value {
        case (0...0x20)?, 0x85?, 0xA0?, 0x1680?, (0x2000...0x200A)?, 0x2028?, 0x2029?, 0x202F?, 0x205F?, 0x3000?: true
        default: false
        }
    }
}
