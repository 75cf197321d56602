/// How a shared cost (transport, fees) is divided among a round's members.
public enum CostBasis: String, Sendable, Codable, CaseIterable {
    /// In proportion to what each member's goods cost.
    case value
    /// In proportion to their weight (or count) — transport by the kilogram.
    case weight
    /// The same for each member who received something.
    case equal
}

public enum CostSplit {
    /// One member's part of a round, as the split sees it.
    public struct Share: Sendable, Hashable {
        public let value: Int   // tyiyn
        public let weight: Int  // in the articles' units

        public init(value: Int, weight: Int) {
            self.value = value
            self.weight = weight
        }
    }

    /// Each member's part of `amount` tyiyn, summing to it exactly. Members with nothing allocated pay
    /// nothing, whatever the basis.
    public static func split(_ amount: Int, basis: CostBasis, among members: [Share]) -> [Int] {
        let takesPart = members.map { $0.value > 0 || $0.weight > 0 }
        guard takesPart.contains(true) else { return Apportion.split(amount, by: members.map { _ in 1 }) }
        let weights: [Int] = switch basis {
        case .value: members.map(\.value)
        case .weight: members.map(\.weight)
        case .equal: takesPart.map { $0 ? 1 : 0 }
        }
        // Value or weight all zero among those who take part (free goods, uncounted pieces): equally among them.
        return Apportion.split(amount, by: weights.contains { $0 > 0 } ? weights : takesPart.map { $0 ? 1 : 0 })
    }
}
