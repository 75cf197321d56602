import Foundation
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
