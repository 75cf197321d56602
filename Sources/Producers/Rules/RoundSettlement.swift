/// An article of a purchase round as the settlement needs it.
public struct RoundArticle: Sendable, Hashable {
    public let packageSize: Int
    public let tiers: [PriceTier]
    /// The members' orders for it.
    public let orders: [OrderLine]
    /// What really arrived, once recorded; until then, the packages ordered.
    public let received: Int?

    public init(packageSize: Int, tiers: [PriceTier], orders: [OrderLine], received: Int? = nil) {
        self.packageSize = packageSize
        self.tiers = tiers
        self.orders = orders
        self.received = received
    }
}

public struct SharedCost: Sendable, Hashable {
    public let amount: Int
    public let basis: CostBasis

    public init(amount: Int, basis: CostBasis) {
        self.amount = amount
        self.basis = basis
    }
}

/// A closed round worked out: packages and price per article, and each member's bill — what she
/// gets of each article and what it costs, her part of the shared costs, and what buying together
/// saved her against buying her quantity alone.
public struct RoundSettlement: Sendable, Equatable {
    public struct ArticleOutcome: Sendable, Equatable {
        public let packages: Int
        public let quantity: Int
        public let unitPrice: Int
    }

    public struct Line: Sendable, Equatable {
        public let article: Int
        public let allocated: Int
        public let amount: Int
    }

    public struct MemberBill: Sendable, Equatable {
        public let member: Int
        public let lines: [Line]
        public let costs: Int
        public let total: Int
        public let saving: Int
    }

    public let articles: [ArticleOutcome]
    /// Members with something allocated, by member position.
    public let members: [MemberBill]
    public let supplierTotal: Int
    public let costsTotal: Int

    public static func compute(_ articles: [RoundArticle], rule: AllocationRule, costs: [SharedCost]) -> RoundSettlement {
        var outcomes: [ArticleOutcome] = []
        var lines: [Int: [Line]] = [:]
        var saving: [Int: Int] = [:]
        for (index, article) in articles.enumerated() {
            let tiers = article.tiers.sorted { $0.minQuantity < $1.minQuantity }
            let packages = PackageRounding.packages(for: article.orders, packageSize: article.packageSize)
            // The price is the one the order earned; a short delivery bills only what arrived.
            let unitPrice = PriceTiers.unitPrice(for: packages * article.packageSize, inAscending: tiers) ?? 0
            let quantity = article.received ?? packages * article.packageSize
            let allocated = PackageRounding.allocate(quantity, to: article.orders, rule: rule)
            outcomes.append(ArticleOutcome(packages: packages, quantity: allocated.reduce(0, +), unitPrice: unitPrice))
            for (order, share) in zip(article.orders, allocated) where share > 0 {
                lines[order.member, default: []].append(Line(article: index, allocated: share, amount: share * unitPrice))
                let alone = PriceTiers.unitPrice(for: share, inAscending: tiers) ?? unitPrice  // what she would pay alone
                saving[order.member, default: 0] += share * (alone - unitPrice)
            }
        }
        let members = lines.keys.sorted()
        let shares = members.map { m in
            CostSplit.Share(value: lines[m]!.reduce(0) { $0 + $1.amount }, weight: lines[m]!.reduce(0) { $0 + $1.allocated })
        }
        var costShare = Array(repeating: 0, count: members.count)
        for cost in costs where !members.isEmpty {
            for (i, part) in CostSplit.split(cost.amount, basis: cost.basis, among: shares).enumerated() { costShare[i] += part }
        }
        let bills = members.enumerated().map { i, m in
            MemberBill(member: m, lines: lines[m]!, costs: costShare[i], total: shares[i].value + costShare[i], saving: saving[m] ?? 0)
        }
        return RoundSettlement(articles: outcomes, members: bills, supplierTotal: shares.reduce(0) { $0 + $1.value },
                               costsTotal: members.isEmpty ? 0 : costs.reduce(0) { $0 + $1.amount })
    }
}
