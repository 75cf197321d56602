/// Splits a whole amount (tyiyn, grams, pieces) into shares proportional to weights, so that the shares
/// add up to the amount exactly: each gets the whole part of her exact share, and what is left, one unit
/// at a time, goes to the largest remainders (largest-remainder method; ties to the earlier one).
/// Never "round each share up", which overpays, nor "round each down", which loses units.
public enum Apportion {
    /// - Parameters:
    ///   - amount: zero or more.
    ///   - weights: zero or more each. All zero: the amount is split equally.
    /// - Returns: one share per weight, in order, summing to `amount`. A share is at most
    ///   `amount × weight / Σ weights` rounded up, so weights that are caps summing to at least `amount`
    ///   are never exceeded.
    public static func split(_ amount: Int, by weights: [Int]) -> [Int] {
        precondition(amount >= 0 && weights.allSatisfy { $0 >= 0 }, "amounts and weights are never negative")
        guard !weights.isEmpty else {
            precondition(amount == 0, "an amount needs someone to take it")
            return []
        }
        let total = weights.reduce(0, +)
        let effective = total == 0 ? Array(repeating: 1, count: weights.count) : weights
        let divisor = total == 0 ? weights.count : total
        var shares: [Int] = []
        var remainders: [(index: Int, remainder: Int)] = []
        shares.reserveCapacity(weights.count)
        for (index, weight) in effective.enumerated() {
            // amount × weight can pass Int.max (a sale's tyiyn × grams × price): divide at full width.
            let product = amount.multipliedFullWidth(by: weight)
            let (quotient, remainder) = divisor.dividingFullWidth((product.high, product.low))
            shares.append(quotient)
            remainders.append((index, remainder))
        }
        let left = amount - shares.reduce(0, +)
        remainders.sort { $0.remainder != $1.remainder ? $0.remainder > $1.remainder : $0.index < $1.index }
        for k in 0..<left { shares[remainders[k].index] += 1 }
        return shares
    }
}
