/// The rules of equipment the group owns together.
public enum SharedEquipment {
    /// Each member's share of ownership in hundredths of a percent, in proportion to what she paid;
    /// the shares always add up to 100 %.
    public static func ownership(contributions: [Int]) -> [Int] {
        precondition(contributions.allSatisfy { $0 >= 0 })
        return contributions.contains(where: { $0 > 0 }) ? Apportion.split(10_000, by: contributions) : contributions.map { _ in 0 }
    }

    /// Whether two spans of days (first and last day included, "yyyy-MM-dd") share a day.
    public static func overlap(_ a: (first: String, last: String), _ b: (first: String, last: String)) -> Bool {
        a.first <= b.last && b.first <= a.last
    }

    /// One member waiting for an item in a busy week.
    public struct Waiting: Sendable, Hashable {
        public let member: Int
        /// Days she has had the item this season.
        public let daysUsed: Int
        /// When she asked, as a sortable number (seconds).
        public let askedAt: Int

        public init(member: Int, daysUsed: Int, askedAt: Int) {
            self.member = member
            self.daysUsed = daysUsed
            self.askedAt = askedAt
        }
    }

    /// The fair order to serve a queue in: who has had the item least goes first; among equals, who
    /// asked first; a tie on both is broken by the member's position, so the order is always the same.
    public static func rotation(_ queue: [Waiting]) -> [Waiting] {
        queue.sorted { ($0.daysUsed, $0.askedAt, $0.member) < ($1.daysUsed, $1.askedAt, $1.member) }
    }

    /// The fee for one use at the item's rate per unit. Usage is counted in whole hours or days; land in
    /// hundredths of a hectare (sotyk, as fields are measured in the villages), half a tyiyn rounding up.
    public static func fee(usage: Int, rate: Int, unit: FeeUnit) -> Int {
        precondition(usage >= 0 && rate >= 0)
        return unit == .hectare ? (usage * rate + 50) / 100 : usage * rate
    }
}
