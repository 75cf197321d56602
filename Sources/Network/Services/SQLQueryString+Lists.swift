import SQLKit

/// Many values in one statement, each bound, never spliced into the SQL.
extension SQLQueryString {
    /// `?, ?, ?`: values bound one by one, for `IN (…)` and the like.
    public static func list<T: Encodable & Sendable>(_ values: [T]) -> SQLQueryString {
        var list = SQLQueryString("")
        for (index, value) in values.enumerated() {
            list.appendInterpolation(unsafeRaw: index == 0 ? "" : ", ")
            list.appendInterpolation(bind: value)
        }
        return list
    }

    /// `(a = ? AND b = ?) OR (a = ? AND b = ?) …`: each term one lookup in a unique index on (a, b).
    public static func anyPair<A: Encodable & Sendable, B: Encodable & Sendable>(_ a: String, _ b: String, _ pairs: [(A, B)]) -> SQLQueryString {
        var terms = SQLQueryString("")
        for (index, (x, y)) in pairs.enumerated() {
            terms.appendInterpolation("\(unsafeRaw: index == 0 ? "" : " OR ")(\(ident: a) = \(bind: x) AND \(ident: b) = \(bind: y))" as SQLQueryString)
        }
        return terms
    }
}
