import Foundation
import Kernel
import SwiftCSV
import Vapor

/// Comma-separated values as spreadsheets read them (RFC 4180): fields with a comma, a quote or a line
/// break are quoted, quotes doubled; lines end with CRLF. A leading byte-order mark makes Excel read UTF-8.
enum CSV {
    static func render(_ rows: [[String]]) -> String {
        "\u{FEFF}" + rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A download: the rows as a CSV file of the given name (never a woman's name: a number or a report's).
    static func response(_ rows: [[String]], filename: String) -> Response {
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: filename)
        return Response(status: .ok, headers: headers, body: .init(string: render(rows)))
    }

    static func field(_ value: String) -> String {
        // A cell starting with = + - @ would run as a formula in a spreadsheet: keep it text.
        var text = value
        if let first = text.first, "=+-@".contains(first), Int(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}

/// Reading a file people typed in a spreadsheet.
extension CSV {
    typealias Column<Row> = (header: String, aliases: [String], keyPath: WritableKeyPath<Row, String>)

    /// Rows by header name (English, or the Kyrgyz and Russian aliases), in any column order; commas,
    /// semicolons (Excel in Russian) or tabs. Line 1 is the header; blank lines are skipped; `make`
    /// starts a row for a line number of the file.
    static func rows<Row>(_ text: String, columns: [Column<Row>], required: [String], make: (Int) -> Row) throws -> [Row] {
        let clean = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        guard !clean.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw DomainError("timebank.import.empty") }
        let csv: SwiftCSV.CSV<Enumerated>
        do { csv = try SwiftCSV.CSV<Enumerated>(string: clean) } catch { throw DomainError("timebank.import.unreadable") }
        func normal(_ header: String) -> String {
            header.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "_")
        }
        let headers = csv.header.map(normal)
        var fields: [Int: WritableKeyPath<Row, String>] = [:]
        for column in columns {
            let names = Set(([column.header] + column.aliases).map(normal))
            if let index = headers.firstIndex(where: names.contains) { fields[index] = column.keyPath }
        }
        let missing = required.filter { name in
            !headers.contains { header in columns.first { $0.header == name }.map { ([$0.header] + $0.aliases).map(normal).contains(header) } ?? false }
        }
        guard missing.isEmpty else { throw DomainError("timebank.import.columns-missing", arguments: ["columns": missing.joined(separator: ", ")]) }
        return csv.rows.enumerated().compactMap { index, cells in
            guard cells.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return nil }
            var row = make(index + 2)
            for (column, keyPath) in fields where column < cells.count { row[keyPath: keyPath] = cells[column] }
            return row
        }
    }
}
