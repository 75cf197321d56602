import Kernel

/// One field's change, as the audit log records it.
public struct FieldChange: Codable, Sendable, Equatable {
    public let field: String
    public let from: String?
    public let to: String?

    public init(field: String, from: String?, to: String?) {
        self.field = field
        self.from = from
        self.to = to
    }

    /// The fields whose values differ between two snapshots, in field order.
    public static func diff(_ before: [String: String?], _ after: [String: String?]) -> [FieldChange] {
        Set(before.keys).union(after.keys).sorted().compactMap { field in
            let old = before[field] ?? nil
            let new = after[field] ?? nil
            return old == new ? nil : FieldChange(field: field, from: old, to: new)
        }
    }

    /// Changes as the audit log stores them, as `JSONEncoder` would write them (a change's missing side
    /// left out), written by hand: the log takes a line for every record a write touches, and an encoder
    /// for each cost more than the rest of its line.
    public static func json(_ changes: [FieldChange]) -> String {
        var json: [UInt8] = [UInt8(ascii: "[")]
        for (index, change) in changes.enumerated() {
            JSONText.append(index == 0 ? "{\"field\":" : ",{\"field\":", to: &json)
            JSONText.quote(change.field, into: &json)
            if let from = change.from {
                JSONText.append(",\"from\":", to: &json)
                JSONText.quote(from, into: &json)
            }
            if let to = change.to {
                JSONText.append(",\"to\":", to: &json)
                JSONText.quote(to, into: &json)
            }
            JSONText.append("}", to: &json)
        }
        json.append(UInt8(ascii: "]"))
        return String(decoding: json, as: UTF8.self)
    }
}
