import Foundation

/// Comma-separated values as spreadsheets read them (RFC 4180): fields with a comma, a quote or a line
/// break are quoted, quotes doubled; lines end with CRLF. A leading byte-order mark makes Excel read UTF-8.
enum CSV {
    static func render(_ rows: [[String]]) -> String {
        "\u{FEFF}" + rows.map { $0.map(field).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func field(_ value: String) -> String {
        // A cell starting with = + - @ would run as a formula in a spreadsheet: keep it text.
        var text = value
        if let first = text.first, "=+-@".contains(first), Int(text) == nil { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
