import Producers
import PropertyBased
import Testing

/// The rules of the fund's votes and of shared equipment, on random inputs.
@Suite("Group fund and equipment rules")
struct GroupMoneyRulesTests {
    @Test("A vote is decided only when it must be: approved at the rule's count, rejected once it can no longer reach it, never both")
    func voting() async {
        await propertyCheck(input: Gen.int(in: 1...60), Gen.int(in: 0...60), Gen.int(in: 0...60), Gen<FundRule>.case) { members, a, r, rule in
            let approvals = min(a, members), refusals = min(r, members - min(a, members))
            let decision = FundVoting.decide(approvals: approvals, refusals: refusals, members: members, rule: rule)
            let needed = rule.votesNeeded(members: members)
            #expect((decision == .approved) == (approvals >= needed))
            #expect((decision == .rejected) == (approvals < needed && members - refusals < needed))
            // More approvals never turn an approved claim back.
            if decision == .approved && approvals < members - refusals {
                #expect(FundVoting.decide(approvals: approvals + 1, refusals: refusals, members: members, rule: rule) == .approved)
            }
        }
    }

    @Test("Known counts: 5 members need 3 for a majority, 4 for two thirds; 6 need 4 either way")
    func votingExamples() {
        #expect(FundRule.simpleMajority.votesNeeded(members: 5) == 3)
        #expect(FundRule.twoThirds.votesNeeded(members: 5) == 4)
        #expect(FundRule.simpleMajority.votesNeeded(members: 6) == 4)
        #expect(FundRule.twoThirds.votesNeeded(members: 6) == 4)
        #expect(FundVoting.decide(approvals: 2, refusals: 3, members: 5, rule: .simpleMajority) == .rejected)
        #expect(FundVoting.decide(approvals: 2, refusals: 2, members: 5, rule: .simpleMajority) == .pending)
    }

    @Test("Ownership shares always make exactly 100 %, none negative, in proportion to what each paid")
    func ownership() async {
        await propertyCheck(input: Gen.int(in: 0...10_000_000).array(of: 1...30)) { paid in
            let shares = SharedEquipment.ownership(contributions: paid)
            #expect(shares.count == paid.count)
            #expect(shares.allSatisfy { $0 >= 0 })
            #expect(shares.reduce(0, +) == (paid.contains { $0 > 0 } ? 10_000 : 0))
            for (i, j) in zip(paid.indices, paid.indices.dropFirst()) where paid[i] > paid[j] {
                #expect(shares[i] >= shares[j])
            }
        }
    }

    @Test("The rotation serves everyone once, least-used first, then who asked first, the same every time")
    func rotation() async {
        let queue = zip(Gen.int(in: 0...30), Gen.int(in: 0...1_000)).array(of: 0...25)
        await propertyCheck(input: queue) { pairs in
            let waiting = pairs.enumerated().map { SharedEquipment.Waiting(member: $0.offset, daysUsed: $0.element.0, askedAt: $0.element.1) }
            let order = SharedEquipment.rotation(waiting)
            #expect(Set(order.map(\.member)) == Set(waiting.map(\.member)) && order.count == waiting.count)
            for (a, b) in zip(order, order.dropFirst()) {
                #expect(a.daysUsed < b.daysUsed || (a.daysUsed == b.daysUsed && a.askedAt <= b.askedAt))
            }
            #expect(SharedEquipment.rotation(waiting.reversed()) == order)
        }
    }

    @Test("Spans of days overlap when they share a day; fees per hectare are counted in sotyk")
    func equipmentExamples() {
        #expect(SharedEquipment.overlap(("2026-06-01", "2026-06-03"), ("2026-06-03", "2026-06-05")))
        #expect(!SharedEquipment.overlap(("2026-06-01", "2026-06-02"), ("2026-06-03", "2026-06-05")))
        #expect(SharedEquipment.fee(usage: 150, rate: 200_000, unit: .hectare) == 300_000)
        #expect(SharedEquipment.fee(usage: 3, rate: 50_000, unit: .day) == 150_000)
    }
}
