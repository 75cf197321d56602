/// One member's order for one article in a joint purchase.
public struct OrderLine: Sendable, Hashable {
    /// The member's position among the round's members; services map it to her id.
    public let member: Int
    /// What she wants for certain, and how much more she would take to fill a package.
    public let firm: Int
    public let tolerance: Int
    /// Earlier orders first where the rule is "first come".
    public let sequence: Int

    public init(member: Int, firm: Int, tolerance: Int = 0, sequence: Int) {
        self.member = member
        self.firm = firm
        self.tolerance = tolerance
        self.sequence = sequence
    }
}

public enum AllocationRule: String, Sendable, Codable, CaseIterable {
    case firstCome = "first-come"
    case proportional
}

/// How full the packages are while a round is open: "3 of 5 sacks full, 12 kg short".
public struct PackageFill: Sendable, Equatable {
    public let ordered: Int
    public let fullPackages: Int
    /// Missing to fill the next package; zero when the last one is exactly full.
    public let shortOfNext: Int
}

/// Joint purchases buy whole packages (a 50 kg sack, a box of 12). The rules for rounding the members'
/// orders to packages and sharing what is bought back out.
public enum PackageRounding {
    public static func fill(ordered: Int, packageSize: Int) -> PackageFill {
        precondition(packageSize > 0)
        let remainder = ordered % packageSize
        return PackageFill(ordered: ordered, fullPackages: ordered / packageSize,
                           shortOfNext: remainder == 0 ? 0 : packageSize - remainder)
    }

    /// Packages to order: the firm quantities rounded up to a whole package when the tolerances can fill
    /// it, else down. A package is never bought on tolerance alone.
    public static func packages(for lines: [OrderLine], packageSize: Int) -> Int {
        precondition(packageSize > 0)
        let firm = lines.reduce(0) { $0 + $1.firm }
        let most = lines.reduce(0) { $0 + $1.firm + $1.tolerance }
        let up = (firm + packageSize - 1) / packageSize
        return up * packageSize <= most ? up : firm / packageSize
    }

    /// Shares `quantity` (what was ordered, or what really arrived) among the lines: firm quantities
    /// first, then tolerances; "first come" fills earlier orders first, "proportional" shares alike.
    /// Nobody gets more than her firm quantity plus tolerance; the shares add up to `quantity`, or to
    /// everything asked when less than that arrived in excess.
    /// - Returns: per line, in the order given.
    public static func allocate(_ quantity: Int, to lines: [OrderLine], rule: AllocationRule) -> [Int] {
        precondition(quantity >= 0)
        let firm = lines.map(\.firm)
        let firmTotal = firm.reduce(0, +)
        if quantity <= firmTotal { return share(quantity, caps: firm, lines: lines, rule: rule) }
        let extra = share(quantity - firmTotal, caps: lines.map(\.tolerance), lines: lines, rule: rule)
        return zip(firm, extra).map { $0 + $1 }
    }

    /// Up to `amount` shared under per-line caps (never more than their sum is handed out).
    static func share(_ amount: Int, caps: [Int], lines: [OrderLine], rule: AllocationRule) -> [Int] {
        let amount = min(amount, caps.reduce(0, +))
        switch rule {
        case .proportional:
            // Proportional to the caps, so each share is at most its cap (amount ≤ Σ caps).
            return Apportion.split(amount, by: caps)
        case .firstCome:
            var shares = Array(repeating: 0, count: caps.count)
            var left = amount
            for index in lines.indices.sorted(by: { (lines[$0].sequence, $0) < (lines[$1].sequence, $1) }) where left > 0 {
                shares[index] = min(caps[index], left)
                left -= shares[index]
            }
            return shares
        }
    }
}
