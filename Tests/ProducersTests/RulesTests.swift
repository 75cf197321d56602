import Producers
import PropertyBased
import Testing

/// The money and quantity rules of producer groups, checked on random inputs: what must hold whatever
/// the orders, deliveries and payments.
@Suite("Producer group rules")
struct RulesTests {
    static let weights = Gen.int(in: 0...1_000_000).array(of: 1...40)
    static let amount = Gen.int(in: 0...100_000_000)

    @Test("Largest remainder: shares add up to the amount exactly, each within one of its exact share, the same every time")
    func apportion() async {
        await propertyCheck(input: Self.amount, Self.weights) { amount, weights in
            let shares = Apportion.split(amount, by: weights)
            #expect(shares.reduce(0, +) == amount)
            #expect(shares.allSatisfy { $0 >= 0 })
            let total = weights.reduce(0, +)
            for (share, weight) in zip(shares, weights) where total > 0 {
                let exact = Double(amount) * Double(weight) / Double(total)
                #expect(Double(share) > exact - 1 && Double(share) < exact + 1)
            }
            #expect(Apportion.split(amount, by: weights) == shares)
        }
    }

    @Test("Known splits: 100 tyiyn in thirds, a levy-sized sum over unequal weights, amounts past Int's reach when multiplied")
    func apportionExamples() {
        #expect(Apportion.split(100, by: [1, 1, 1]) == [34, 33, 33])
        #expect(Apportion.split(10, by: [0, 0]) == [5, 5])
        #expect(Apportion.split(7, by: [5, 0, 2]) == [5, 0, 2])
        let huge = Apportion.split(9_000_000_000_000, by: [3_000_000_000_000, 6_000_000_000_000])
        #expect(huge == [3_000_000_000_000, 6_000_000_000_000])
    }

    static let orders = zip(Gen.int(in: 0...500), Gen.int(in: 0...200)).array(of: 1...30)

    @Test("Packages: never on tolerance alone; the allocation adds up, no one gets more than she asked plus tolerance, nothing negative")
    func rounding() async {
        await propertyCheck(input: Self.orders, Gen.int(in: 1...120), Gen<AllocationRule>.case) { pairs, size, rule in
            let lines = pairs.enumerated().map { OrderLine(member: $0.offset, firm: $0.element.0, tolerance: $0.element.1, sequence: $0.offset) }
            let firm = lines.reduce(0) { $0 + $1.firm }
            let packages = PackageRounding.packages(for: lines, packageSize: size)
            #expect(packages * size <= lines.reduce(0) { $0 + $1.firm + $1.tolerance })
            #expect((packages - 1) * size < firm || packages == 0)  // the last package holds some firm quantity
            let allocated = PackageRounding.allocate(packages * size, to: lines, rule: rule)
            #expect(allocated.reduce(0, +) == packages * size)
            for (share, line) in zip(allocated, lines) {
                #expect(share >= 0 && share <= line.firm + line.tolerance)
            }
            #expect(PackageRounding.allocate(packages * size, to: lines, rule: rule) == allocated)
        }
    }

    @Test("A short delivery is re-allocated: no allocation exceeds what arrived, nor anyone's order")
    func shortDelivery() async {
        await propertyCheck(input: Self.orders, Gen.int(in: 0...20_000), Gen<AllocationRule>.case) { pairs, arrived, rule in
            let lines = pairs.enumerated().map { OrderLine(member: $0.offset, firm: $0.element.0, tolerance: $0.element.1, sequence: $0.offset) }
            let asked = lines.reduce(0) { $0 + $1.firm + $1.tolerance }
            let allocated = PackageRounding.allocate(arrived, to: lines, rule: rule)
            #expect(allocated.reduce(0, +) == min(arrived, asked))
            for (share, line) in zip(allocated, lines) { #expect(share >= 0 && share <= line.firm + line.tolerance) }
        }
    }

    @Test("Rounding and allocating a round: 3 sacks of 50 kg from 140 kg firm and 15 kg tolerance; firm first, earliest first")
    func roundingExample() {
        let lines = [OrderLine(member: 0, firm: 60, tolerance: 0, sequence: 1),
                     OrderLine(member: 1, firm: 45, tolerance: 10, sequence: 2),
                     OrderLine(member: 2, firm: 35, tolerance: 5, sequence: 3)]
        #expect(PackageRounding.packages(for: lines, packageSize: 50) == 3)
        #expect(PackageRounding.allocate(150, to: lines, rule: .firstCome) == [60, 55, 35])
        #expect(PackageRounding.allocate(150, to: lines, rule: .proportional) == [60, 52, 38])
        // Tolerance cannot fill a fourth sack, nor a package be bought on tolerance alone.
        #expect(PackageRounding.packages(for: [OrderLine(member: 0, firm: 0, tolerance: 50, sequence: 1)], packageSize: 50) == 0)
        let fill = PackageRounding.fill(ordered: 138, packageSize: 50)
        #expect(fill.fullPackages == 2 && fill.shortOfNext == 12)
    }

    @Test("Price tiers: the tier the total reaches; seed potatoes 30 som below 500 kg, 24 from 500")
    func tiers() {
        let tiers = [PriceTier(minQuantity: 500, unitPrice: 2_400), PriceTier(minQuantity: 1, unitPrice: 3_000)]
        #expect(PriceTiers.unitPrice(for: 499, in: tiers) == 3_000)
        #expect(PriceTiers.unitPrice(for: 500, in: tiers) == 2_400)
        #expect(PriceTiers.unitPrice(for: 0, in: tiers) == 3_000)
        #expect(PriceTiers.unitPrice(for: 10, in: []) == nil)
    }

    static let shares = zip(Gen.int(in: 0...5_000_000), Gen.int(in: 0...10_000)).array(of: 1...40)

    @Test("Shared costs by value, weight or equally add up to the cost; who received nothing pays nothing")
    func costs() async {
        await propertyCheck(input: Self.amount, Self.shares, Gen<CostBasis>.case) { amount, pairs, basis in
            let members = pairs.map { CostSplit.Share(value: $0.0, weight: $0.1) }
            let split = CostSplit.split(amount, basis: basis, among: members)
            #expect(split.reduce(0, +) == amount)
            #expect(split.allSatisfy { $0 >= 0 })
            if members.contains(where: { $0.value > 0 || $0.weight > 0 }) {
                for (part, member) in zip(split, members) where member.value == 0 && member.weight == 0 { #expect(part == 0) }
            }
        }
    }

    static let intakes = zip(Gen.int(in: 0...9), Gen.int(in: 0...100_000), Gen.element(of: ["A", "B", "C", "rejected"])).array(of: 0...60)

    @Test("A pool's payout: levy, costs and members' dues add up to what was received; shares follow quantity × grade price")
    func payouts() async {
        await propertyCheck(input: Self.intakes, Self.amount, Gen.int(in: 0...20_000_000), Gen.int(in: 0...2_000),
                            Gen<RejectRule>.case) { raw, received, costs, levy, rule in
            let intakes = raw.map { Intake(member: $0.0, quantity: $0.1, grade: $0.2 == "rejected" ? nil : $0.2) }
            let payout = PoolPayout.compute(intakes: intakes, gradePrices: ["A": 300, "B": 200, "C": 100], rejects: rule,
                                            received: received, costs: costs, levyBasisPoints: levy)
            #expect(payout.due.values.allSatisfy { $0 >= 0 })
            if !intakes.isEmpty {
                #expect(payout.due.values.reduce(0, +) == payout.distributable)
            }
            #expect(payout.distributable == max(0, received - costs - payout.levy))
            #expect(payout.levy >= 0 && payout.levy <= received)
            // More worth never means less money.
            let members = payout.worth.keys.sorted()
            for a in members { for b in members where payout.worth[a]! > payout.worth[b]! { #expect(payout.due[a]! >= payout.due[b]!) } }
        }
    }

    @Test("Rejects fall on the member who delivered them, or on the pool")
    func rejects() {
        let intakes = [Intake(member: 0, quantity: 100, grade: "A"), Intake(member: 1, quantity: 100, grade: nil)]
        let onMember = PoolPayout.compute(intakes: intakes, gradePrices: ["A": 300, "B": 200], rejects: .member,
                                          received: 30_000, costs: 0, levyBasisPoints: 0)
        #expect(onMember.due == [0: 30_000, 1: 0])
        let onPool = PoolPayout.compute(intakes: intakes, gradePrices: ["A": 300, "B": 200], rejects: .pool,
                                        received: 30_000, costs: 1_000, levyBasisPoints: 250)
        #expect(onPool.levy == 750)
        #expect(onPool.due == [0: 16_950, 1: 11_300])
    }

    @Test("Credit taken in a purchase round is repaid from the next payout before cash is handed over")
    func credit() async {
        await propertyCheck(input: Gen.int(in: 0...1_000_000), Gen.int(in: 0...1_000_000)) { payout, owed in
            let outcome = CreditNetting.net(payout: payout, owed: owed)
            #expect(outcome.repaid + outcome.paidOut == payout)
            #expect(outcome.repaid + outcome.stillOwed == owed)
            #expect(outcome.paidOut == 0 || outcome.stillOwed == 0)
        }
    }
}

@Suite("Settling a purchase round")
struct RoundSettlementTests {
    @Test("Seed potatoes and a hoe: packages, the tier the group reached, bills with their share of transport, savings")
    func example() {
        let potatoes = RoundArticle(packageSize: 50, tiers: [PriceTier(minQuantity: 1, unitPrice: 3_000), PriceTier(minQuantity: 500, unitPrice: 2_400)],
                                    orders: [OrderLine(member: 0, firm: 300, tolerance: 20, sequence: 1),
                                             OrderLine(member: 1, firm: 180, tolerance: 0, sequence: 2)])
        let hoes = RoundArticle(packageSize: 1, tiers: [PriceTier(minQuantity: 1, unitPrice: 45_000)],
                                orders: [OrderLine(member: 1, firm: 1, sequence: 3)])
        let s = RoundSettlement.compute([potatoes, hoes], rule: .firstCome, costs: [SharedCost(amount: 100_001, basis: .weight)])
        #expect(s.articles.map(\.packages) == [10, 1])
        #expect(s.articles[0].unitPrice == 2_400)
        #expect(s.members.map { $0.lines.map { [$0.article, $0.allocated, $0.amount] } }
                == [[[0, 320, 768_000]], [[0, 180, 432_000], [1, 1, 45_000]]])
        #expect(s.members.map(\.costs) == [63_873, 36_128])  // 320 and 181 units of 501: 63,872.86 and 36,128.14
        #expect(s.members.map(\.saving) == [320 * 600, 180 * 600])
        #expect(s.supplierTotal == 1_245_000 && s.costsTotal == 100_001)
        #expect(s.members.reduce(0) { $0 + $1.total } == s.supplierTotal + s.costsTotal)
    }

    static let round = zip(Gen.int(in: 1...60), Gen.int(in: 0...300), Gen.int(in: 0...60)).array(of: 1...40)

    @Test("Whatever the orders: bills add up to the supplier's total plus the costs, to the tyiyn; nobody billed beyond what she received")
    func addsUp() async {
        await propertyCheck(input: Self.round, Gen.int(in: 0...5_000_000), Gen<CostBasis>.case, Gen<AllocationRule>.case) { raw, cost, basis, rule in
            let articles = (0..<3).map { a in
                RoundArticle(packageSize: 5 + a * 20, tiers: [PriceTier(minQuantity: 1, unitPrice: 1_000 + a), PriceTier(minQuantity: 200, unitPrice: 800)],
                             orders: raw.enumerated().map { OrderLine(member: $0.element.0 % 25, firm: $0.element.1, tolerance: $0.element.2, sequence: $0.offset) })
            }
            let s = RoundSettlement.compute(articles, rule: rule, costs: [SharedCost(amount: cost, basis: basis)])
            #expect(s.members.reduce(0) { $0 + $1.total } == s.supplierTotal + s.costsTotal)
            #expect(s.supplierTotal == zip(s.articles, articles).reduce(0) { $0 + $1.0.quantity * $1.0.unitPrice })
            for bill in s.members {
                #expect(bill.saving >= 0 && bill.costs >= 0)
                #expect(bill.lines.allSatisfy { $0.amount == $0.allocated * s.articles[$0.article].unitPrice })
            }
        }
    }
}
