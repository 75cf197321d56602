import Foundation
import Kernel

/// A price that holds from a total quantity up: 1–499 kg at 30 som, 500 kg and more at 24 som.
public struct PriceTier: Sendable, Hashable, Codable {
    /// In the article's unit (kilograms, pieces…).
    public let minQuantity: Int
    /// Tyiyn per unit.
    public let unitPrice: Int

    public init(minQuantity: Int, unitPrice: Int) {
        self.minQuantity = minQuantity
        self.unitPrice = unitPrice
    }
}

public enum PriceTiers {
    /// The unit price for a total: the tier with the largest minimum the total reaches (the lowest
    /// tier's if it reaches none).
    public static func unitPrice(for total: Int, in tiers: [PriceTier]) -> Int? {
        unitPrice(for: total, inAscending: tiers.sorted { $0.minQuantity < $1.minQuantity })
    }

    /// The same, for tiers already in ascending order of their minimum (a settlement asks per member).
    static func unitPrice(for total: Int, inAscending tiers: [PriceTier]) -> Int? {
        (tiers.last { $0.minQuantity <= total } ?? tiers.first)?.unitPrice
    }
}

extension PriceTiers {
    /// "1:30; 500:24" (separated by semicolons or line breaks): from this quantity up, this many som per
    /// unit → tiers in tyiyn. How price lists are typed on a form and written in a file.
    public static func parse(_ text: String) throws -> [PriceTier] {
        try text.split(whereSeparator: { $0 == ";" || $0.isNewline }).map { pair in
            let sides = pair.split(separator: ":")
            guard sides.count == 2, let from = Int(sides[0].trimmingCharacters(in: .whitespaces)),
                  let price = Som.tyiyn(String(sides[1])) else { throw DomainError("producers.tiers-invalid", field: "tiers") }
            return PriceTier(minQuantity: from, unitPrice: price)
        }
    }
}
