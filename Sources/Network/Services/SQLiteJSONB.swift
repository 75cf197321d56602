/// SQLite's binary JSON (JSONB, https://sqlite.org/jsonb.html) made from JSON text Ashar wrote itself
/// (`JSONRows`, the answers of a survey): handed to SQLite as JSONB, a statement reads its rows without
/// parsing their text on the database's writer, the one core a survey import waits on (docs/PERFORMANCE.md).
///
/// An element is a header — its type in the low four bits, its payload's size in the high four (up to
/// 11), or in the 1, 2 or 4 bytes after it (12, 13, 14) — then its payload. Strings and numbers keep their
/// JSON text as the payload. An array's or object's size is written in four bytes, whatever it is, so it
/// can be filled in once its elements are written: SQLite reads a header larger than it needs.
enum SQLiteJSONB {
    private static let null: UInt8 = 0, `true`: UInt8 = 1, `false`: UInt8 = 2, int: UInt8 = 3, float: UInt8 = 5
    private static let text: UInt8 = 7, textJ: UInt8 = 8, array: UInt8 = 11, object: UInt8 = 12

    /// `json`, which must be well-formed JSON text, as JSONB.
    static func from(_ json: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(json.count + json.count / 8)
        json.withUnsafeBufferPointer { input in
            var at = 0
            element(input, &at, into: &out)
        }
        return out
    }

    private static func element(_ input: UnsafeBufferPointer<UInt8>, _ at: inout Int, into out: inout [UInt8]) {
        skipSpace(input, &at)
        switch input[at] {
        case UInt8(ascii: "["): container(array, closing: UInt8(ascii: "]"), input, &at, into: &out)
        case UInt8(ascii: "{"): container(object, closing: UInt8(ascii: "}"), input, &at, into: &out)
        case UInt8(ascii: "\""): string(input, &at, into: &out)
        case UInt8(ascii: "t"): out.append(`true`); at += 4
        case UInt8(ascii: "f"): out.append(`false`); at += 5
        case UInt8(ascii: "n"): out.append(null); at += 4
        default:
            let start = at
            var whole = true
            while at < input.count, let part = numberPart(input[at]) {
                whole = whole && part
                at += 1
            }
            leaf(whole ? int : float, UnsafeBufferPointer(rebasing: input[start..<at]), into: &out)
        }
    }

    /// Whether a byte is part of a number's text: true for a whole number's (digits, a sign), false for
    /// a fraction's or an exponent's (`.`, `e`), nil for none.
    private static func numberPart(_ byte: UInt8) -> Bool? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"): true
        case UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): false
        default: nil
        }
    }

    /// An array or an object (its keys and values one after another), its size filled in after its elements.
    private static func container(_ type: UInt8, closing: UInt8, _ input: UnsafeBufferPointer<UInt8>, _ at: inout Int,
                                  into out: inout [UInt8]) {
        out.append(0xE0 | type)
        let sizeAt = out.count
        out.append(contentsOf: [0, 0, 0, 0])
        at += 1
        skipSpace(input, &at)
        while input[at] != closing {
            element(input, &at, into: &out)
            skipSpace(input, &at)
            // After a key its colon, after a value its comma; either way the next element follows.
            if input[at] == UInt8(ascii: ":") || input[at] == UInt8(ascii: ",") { at += 1 }
        }
        at += 1
        let size = UInt32(out.count - sizeAt - 4)
        for (index, shift) in [24, 16, 8, 0].enumerated() { out[sizeAt + index] = UInt8(truncatingIfNeeded: size >> UInt32(shift)) }
    }

    /// A string's text as it stands between its quotes: with JSON's escapes, if it has any, as SQLite's TEXTJ.
    private static func string(_ input: UnsafeBufferPointer<UInt8>, _ at: inout Int, into out: inout [UInt8]) {
        at += 1
        let start = at
        var escaped = false
        while input[at] != UInt8(ascii: "\"") {
            if input[at] == UInt8(ascii: "\\") { escaped = true; at += 1 }
            at += 1
        }
        leaf(escaped ? textJ : text, UnsafeBufferPointer(rebasing: input[start..<at]), into: &out)
        at += 1
    }

    private static func leaf(_ type: UInt8, _ payload: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let size = payload.count
        switch size {
        case ...11: out.append(UInt8(size) << 4 | type)
        case ...0xFF: out.append(0xC0 | type); out.append(UInt8(size))
        case ...0xFFFF: out.append(0xD0 | type); out.append(UInt8(size >> 8)); out.append(UInt8(size & 0xFF))
        default:
            out.append(0xE0 | type)
            for shift in [24, 16, 8, 0] { out.append(UInt8(truncatingIfNeeded: size >> shift)) }
        }
        out.append(contentsOf: payload)
    }

    private static func skipSpace(_ input: UnsafeBufferPointer<UInt8>, _ at: inout Int) {
        while at < input.count, input[at] == 0x20 || input[at] == 0x0A || input[at] == 0x0D || input[at] == 0x09 { at += 1 }
    }
}
