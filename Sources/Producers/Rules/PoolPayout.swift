/// One member's delivery into a sale pool: weighed or counted, graded.
public struct Intake: Sendable, Hashable {
    /// The member's position among the pool's members; services map it to her id.
    public let member: Int
    public let quantity: Int
    /// A grade of the contract ("A", "B", …), or nil for rejected produce.
    public let grade: String?

    public init(member: Int, quantity: Int, grade: String?) {
        self.member = member
        self.quantity = quantity
        self.grade = grade
    }
}

/// Who bears rejected produce and losses: the member who delivered it, or the pool as a whole.
public enum RejectRule: String, Sendable, Codable, CaseIterable {
    case member
    case pool
}

/// The pool's money at one moment: what the buyer has paid so far, less costs and the fund's levy,
/// shared among the members by Σ quantity × grade price. Partial payments pass on in proportion:
/// each member's due is her share of what has been received, never of what is merely expected.
public struct PoolPayout: Sendable, Equatable {
    public let received: Int
    public let costs: Int
    public let levy: Int
    /// Received less costs and levy; never below zero (costs beyond receipts wait for later payments).
    public let distributable: Int
    /// Each member's Σ quantity × grade price: the weight of her share (and her value at contract prices).
    public let worth: [Int: Int]
    /// Each member's share of `distributable`.
    public let due: [Int: Int]

    /// - Parameters:
    ///   - levyBasisPoints: the fund's levy in hundredths of a percent of the money received (250 = 2.5 %).
    public static func compute(intakes: [Intake], gradePrices: [String: Int], rejects: RejectRule,
                               received: Int, costs: Int, levyBasisPoints: Int) -> PoolPayout {
        precondition(received >= 0 && costs >= 0 && (0...10_000).contains(levyBasisPoints))
        // The pool bears rejects: they count at the lowest grade's price, so the loss is shared by all.
        let rejectPrice = rejects == .pool ? (gradePrices.values.min() ?? 0) : 0
        var worth: [Int: Int] = [:]
        for intake in intakes {
            let price = intake.grade.map { gradePrices[$0] ?? 0 } ?? rejectPrice
            worth[intake.member, default: 0] += intake.quantity * price
        }
        // Half a tyiyn and more rounds up: the levy is the group's, and it is shown to everyone.
        let levy = (received * levyBasisPoints + 5_000) / 10_000
        let distributable = max(0, received - costs - levy)
        let members = worth.keys.sorted()
        let shares = members.isEmpty ? [] : Apportion.split(distributable, by: members.map { worth[$0]! })
        return PoolPayout(received: received, costs: costs, levy: levy, distributable: distributable, worth: worth,
                          due: Dictionary(uniqueKeysWithValues: zip(members, shares)))
    }
}

/// A member who took inputs on credit repays from her next payout, before any cash is handed over.
public enum CreditNetting {
    public struct Outcome: Sendable, Equatable {
        public let repaid: Int
        public let paidOut: Int
        public let stillOwed: Int
    }

    public static func net(payout: Int, owed: Int) -> Outcome {
        precondition(payout >= 0 && owed >= 0)
        let repaid = min(payout, owed)
        return Outcome(repaid: repaid, paidOut: payout - repaid, stillOwed: owed - repaid)
    }
}
