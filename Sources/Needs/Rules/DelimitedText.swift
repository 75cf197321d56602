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
    private let data: Data
    /// Where the records after the header lie in `data`, the line breaks before them, and how they are cut.
    private let body: Range<Int>
    private let linesBeforeBody: Int
    private let delimiter: UInt8
    private let partBytes: Int

    /// Reads the header; the delimiter is the one the header line has more of (KoboToolbox writes `;`,
    /// ODK Central `,`). The records after it are read by `mapParts`, in parts of about `partBytes`.
    public init(_ data: Data, partBytes: Int = 1 << 20) {
        self.data = data
        self.partBytes = max(1, partBytes)
        (header, body, linesBeforeBody, delimiter) = data.withUnsafeBytes { raw in
            var bytes = raw.bindMemory(to: UInt8.self)[...]
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes = bytes.dropFirst(3) }
            let delimiter = Self.delimiter(bytes)
            let first = Self.read(bytes, delimiter: delimiter, linesBefore: 0, firstOnly: true)
            return (first.records.first?.cells ?? [], first.end..<bytes.endIndex, first.lineBreaks, delimiter)
        }
    }

    /// The records after the header, read a part at a time on every core: `transform` is given each
    /// part's records on the thread that read them, and the part's cells are let go once it returns —
    /// all of a 100,000-row export's cells at once were a hundred megabytes. The results in the file's
    /// order. A large file is cut just after a line break, and a part read as if no quote were open where
    /// it starts is right when the part before ends outside quotes, which it says; when one does not (a
    /// cell with line breaks across a cut), the records are read again in one piece.
    public func mapParts<T: Sendable>(_ transform: @Sendable ([Record]) -> T) -> [T] {
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            let parts = Self.parts(of: bytes[body], size: partBytes)
            guard parts.count > 1 else { return [transform(Self.read(bytes[body], delimiter: delimiter, linesBefore: linesBeforeBody).records)] }
            let shared = SharedBytes(buffer: bytes), lineFeed = UInt8(ascii: "\n")
            // Each part's line breaks are counted first (a quick pass), so its records carry the file's lines as they are read.
            let breaks = Slots<Int>(count: parts.count)
            DispatchQueue.concurrentPerform(iterations: parts.count) { index in
                breaks.set(index, shared.buffer[parts[index]].count { $0 == lineFeed })
            }
            let linesBefore = breaks.values.dropLast().reduce(into: [linesBeforeBody]) { $0.append($0[$0.count - 1] + ($1 ?? 0)) }
            let results = Slots<(value: T, quoteOpen: Bool)>(count: parts.count)
            DispatchQueue.concurrentPerform(iterations: parts.count) { index in
                let part = Self.read(shared.buffer[parts[index]], delimiter: delimiter, linesBefore: linesBefore[index])
                results.set(index, (transform(part.records), part.quoteOpen))
            }
            let done = results.values.compactMap { $0 }
            guard done.dropLast().allSatisfy({ !$0.quoteOpen }) else {
                return [transform(Self.read(bytes[body], delimiter: delimiter, linesBefore: linesBeforeBody).records)]
            }
            return done.map(\.value)
        }
    }

    /// Every record after the header, all its cells held at once.
    public var records: [Record] { mapParts { $0 }.flatMap { $0 } }

    /// What reading some of the file found: its records, its line breaks, whether it ended inside a
    /// quoted cell, and where it stopped.
    struct Part {
        var records: [Record]
        var lineBreaks: Int
        var quoteOpen: Bool
        var end: Int
    }

    /// The file's bytes, read by every part's thread while `mapParts` holds them; none writes them.
    private struct SharedBytes: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
    }

    /// One slot per part, each written by its own part's thread only, read once all are done.
    private final class Slots<Value>: @unchecked Sendable {
        private(set) var values: [Value?]
        private let lock = NSLock()
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ index: Int, _ value: Value) {
            lock.lock()
            defer { lock.unlock() }
            values[index] = value
        }
    }

    /// The bytes cut into parts of about `size`, each cut just after a line break.
    static func parts(of bytes: Slice<UnsafeBufferPointer<UInt8>>, size: Int) -> [Range<Int>] {
        var parts: [Range<Int>] = [], start = bytes.startIndex
        while bytes.endIndex - start > size,
              let lineBreak = bytes[(start + size)...].firstIndex(of: UInt8(ascii: "\n")), lineBreak + 1 < bytes.endIndex {
            parts.append(start..<(lineBreak + 1))
            start = lineBreak + 1
        }
        parts.append(start..<bytes.endIndex)
        return parts
    }

    /// Reads records from a line's start. A cell's bytes are taken a run at a time — up to the next
    /// delimiter, line end or quote — not byte by byte: a 100,000-row export is some 50 MB.
    /// `firstOnly`: stops after the first record (the header).
    static func read(_ bytes: Slice<UnsafeBufferPointer<UInt8>>, delimiter: UInt8, linesBefore: Int, firstOnly: Bool = false) -> Part {
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
        reading: while index < end {
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
                if firstOnly && !records.isEmpty { break reading }
            default:
                // Text outside quotes, up to the next delimiter or line end (a quote inside it is kept).
                let stop = bytes[index...].firstIndex { $0 == delimiter || $0 == lf || $0 == cr } ?? end
                cells.append(contentsOf: bytes[index..<stop])
                index = stop
            }
        }
        if index == end, Int(bounds[bounds.count - 1]) != cells.count || bounds.count - 1 > recordStart { endRecord() }
        let store = CellStore(bytes: cells, bounds: bounds)
        return Part(records: records.map { Record(line: $0.line + linesBefore, store: store, first: $0.first, count: $0.count) },
                    lineBreaks: line - 1, quoteOpen: quoteOpen, end: index)
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
