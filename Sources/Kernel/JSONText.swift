/// JSON written by hand, as UTF-8 bytes, where a `JSONEncoder` would cost more than the work it serves
/// (a survey's answers stored as they are imported, a ledger batch's rows handed to the database in one
/// value). Bytes, not a `String`: appending to a string costs several times more per piece, and a
/// 100,000-answer import appends some six million pieces (docs/PERFORMANCE.md).
public enum JSONText {
    /// Appends `text` as a JSON string, quoted and escaped.
    public static func quote(_ text: String, into json: inout [UInt8]) {
        json.append(quote)
        // Nearly every text needs no escape: copied whole. (Bytes of a multi-byte character are all
        // 0x80 or more, so a byte-wise look finds only what JSON must escape.)
        let copied = text.utf8.withContiguousStorageIfAvailable { bytes -> Bool in
            guard !bytes.contains(where: needsEscape) else { return false }
            json.append(contentsOf: bytes)
            return true
        }
        if copied != true {
            for byte in text.utf8 {
                switch byte {
                case quote: append("\\\"", to: &json)
                case backslash: append("\\\\", to: &json)
                case UInt8(ascii: "\n"): append("\\n", to: &json)
                case UInt8(ascii: "\r"): append("\\r", to: &json)
                case UInt8(ascii: "\t"): append("\\t", to: &json)
                case ..<0x20:
                    append("\\u00", to: &json)
                    json.append(hexDigits[Int(byte >> 4)])
                    json.append(hexDigits[Int(byte & 0x0F)])
                default: json.append(byte)
                }
            }
        }
        json.append(quote)
    }

    /// Appends JSON's own punctuation or a number's digits.
    public static func append(_ text: String, to json: inout [UInt8]) {
        json.append(contentsOf: text.utf8)
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
    private static let hexDigits = Array("0123456789abcdef".utf8)
    private static func needsEscape(_ byte: UInt8) -> Bool { byte < 0x20 || byte == quote || byte == backslash }
}
