import Foundation

/// The records of an export file (RFC 4180, `,` or `;` between cells), each with the line of the file it
/// starts on, so a problem can name the line people see in a text editor even when a cell holds line
/// breaks. Written over bytes rather than with SwiftCSV: that gives no line numbers, and a
/// 100,000-row export must read in well under a second.
public struct DelimitedText: Sendable {
    public struct Record: Sendable {
        public let line: Int
        public let cells: [String]
    }

    public let header: [String]
    public let records: [Record]

    /// Reads the text; the delimiter is the one the header line has more of (KoboToolbox writes `;`,
    /// ODK Central `,`). Blank lines are skipped.
    public init(_ data: Data) {
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let delimiter = Self.delimiter(bytes)
        var records: [Record] = []
        var cells: [String] = []
        var cell: [UInt8] = []
        var line = 1
        var recordLine = 1
        var quoted = false
        var index = 0
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        func endRecord() {
            cells.append(String(decoding: cell, as: UTF8.self))
            cell.removeAll(keepingCapacity: true)
            if cells.count > 1 || !cells[0].isEmpty { records.append(Record(line: recordLine, cells: cells)) }
            cells.removeAll(keepingCapacity: true)
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if quoted {
                if byte == quote {
                    if index < bytes.count, bytes[index] == quote {
                        cell.append(quote)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == lf { line += 1 }
                    cell.append(byte)
                }
                continue
            }
            switch byte {
            case quote where cell.isEmpty:
                quoted = true
            case delimiter:
                cells.append(String(decoding: cell, as: UTF8.self))
                cell.removeAll(keepingCapacity: true)
            case cr:
                continue
            case lf:
                endRecord()
                line += 1
                recordLine = line
            default:
                cell.append(byte)
            }
        }
        if !cell.isEmpty || !cells.isEmpty { endRecord() }
        self.header = records.first?.cells ?? []
        self.records = Array(records.dropFirst())
    }

    static func delimiter(_ bytes: [UInt8]) -> UInt8 {
        let firstLine = bytes.prefix { $0 != UInt8(ascii: "\n") }
        let semicolons = firstLine.count { $0 == UInt8(ascii: ";") }
        let commas = firstLine.count { $0 == UInt8(ascii: ",") }
        return semicolons > commas ? UInt8(ascii: ";") : UInt8(ascii: ",")
    }
}

extension String {
    /// Without spaces and line breaks around it; free when there are none, as in nearly every cell.
    var trimmedCell: String {
        // An ASCII end is judged without the Unicode tables (most cells are numbers and choice names).
        func space(_ scalar: Unicode.Scalar?) -> Bool {
            guard let scalar else { return false }
            return scalar.isASCII ? scalar.value <= 0x20 : scalar.properties.isWhitespace
        }
        guard space(unicodeScalars.first) || space(unicodeScalars.last) else { return self }
        return trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
