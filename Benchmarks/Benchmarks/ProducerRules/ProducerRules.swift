import Benchmark
import Producers

/// The producer groups' money rules at the sizes the issue names: settling a purchase round of 1,000
/// members × 200 articles (every member ordering every article), and a sale pool of 5,000 intakes.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 1_000)

    let articles = (0..<200).map { a in
        RoundArticle(packageSize: 10 + a % 40,
                     tiers: [PriceTier(minQuantity: 1, unitPrice: 5_000 + a), PriceTier(minQuantity: 5_000, unitPrice: 4_000 + a)],
                     orders: (0..<1_000).map { m in OrderLine(member: m, firm: (m * 7 + a) % 25, tolerance: (m + a) % 4, sequence: m) },
                     received: a % 10 == 0 ? 9_000 : nil)
    }
    Benchmark("RoundSettlement: 1,000 members × 200 articles") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(RoundSettlement.compute(articles, rule: .firstCome,
                                              costs: [SharedCost(amount: 1_500_000, basis: .weight), SharedCost(amount: 90_000, basis: .equal)]))
        }
    }

    let intakes = (0..<5_000).map { i in Intake(member: i % 400, quantity: 1_000 + (i * 37) % 20_000, grade: ["A", "B", "C", nil][i % 4]) }
    Benchmark("PoolPayout: 5,000 intakes") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(PoolPayout.compute(intakes: intakes, gradePrices: ["A": 45, "B": 38, "C": 25], rejects: .pool,
                                         received: 987_654_321, costs: 12_345_678, levyBasisPoints: 300))
        }
    }
}
