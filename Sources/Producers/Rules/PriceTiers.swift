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
        let sorted = tiers.sorted { $0.minQuantity < $1.minQuantity }
        return (sorted.last { $0.minQuantity <= total } ?? sorted.first)?.unitPrice
    }

    /// What one buyer alone would pay per unit for her own quantity: the saving of buying together is
    /// the difference.
    public static func singleBuyerPrice(for quantity: Int, in tiers: [PriceTier]) -> Int? {
        unitPrice(for: quantity, in: tiers)
    }
}
