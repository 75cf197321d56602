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
}
