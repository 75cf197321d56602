/// JSON written by hand where a `JSONEncoder` would cost more than the work it serves (a survey's answers
/// stored as they are imported, a ledger batch's rows handed to the database in one value).
public enum JSONText {
    /// Appends `text` as a JSON string, quoted and escaped.
    public static func quote(_ text: String, into json: inout String) {
        json += "\""
        // Nearly every text needs no escape: copied whole.
        guard text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) else {
            json += text
            json += "\""
            return
        }
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": json += "\\\""
            case "\\": json += "\\\\"
            case "\n": json += "\\n"
            case "\r": json += "\\r"
            case "\t": json += "\\t"
            case _ where scalar.value < 0x20: json += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16)
            default: json.unicodeScalars.append(scalar)
            }
        }
        json += "\""
    }
}
