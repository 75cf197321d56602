/// Text placed into HTML that Swift writes itself (charts, the statement's rows): escaped so that it
/// reads as text between tags and inside a double-quoted attribute, never as markup.
enum HTMLText {
    static func escape(_ text: String) -> String {
        // Most text has nothing to escape: one scan of its bytes, no copy.
        guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 || $0 == 0x27 }) else { return text }
        var escaped = ""
        escaped.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": escaped += "&amp;"
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "\"": escaped += "&quot;"
            case "'": escaped += "&#39;"
            default: escaped.unicodeScalars.append(scalar)
            }
        }
        return escaped
    }
}
