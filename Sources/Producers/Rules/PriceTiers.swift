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
        let invalid = DomainError("producers.tiers-invalid", field: "tiers")
        return try priced(text, invalid: invalid).map { key, price in
            guard let from = Int(key) else { throw invalid }
            return PriceTier(minQuantity: from, unitPrice: price)
        }
    }

    /// "A:300; B:200" (separated by semicolons or line breaks) → each key with its price in tyiyn, in
    /// order: how prices are typed, by quantity (tiers) or by grade (a pool's contract).
    public static func priced(_ text: String, invalid: DomainError) throws -> [(key: String, price: Int)] {
        try text.split(whereSeparator: { $0 == ";" || $0.isNewline }).map { pair in
            let sides = pair.split(separator: ":")
            guard sides.count == 2, let price = Som.tyiyn(String(sides[1])) else { throw invalid }
            return (sides[0].trimmingCharacters(in: .whitespaces), price)
        }
    }
}
