import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Producers

/// A producer group's past season, so every page has something true to show: a supplier with a price
/// list, last autumn's settled purchase (some bills paid, the rest on credit), a pooled sale of dried
/// apricots half paid and passed on, dues and a claim in the fund, and a shared fruit drier.
enum DemoProducers {
    static func season(of group: UUID, members: [ProducerMemberRecord], supplier: UUID, buyer: UUID, by actor: Actor,
                       on db: any Database) async throws {
        guard members.count >= 4 else { return }
        let year = Int(BishkekCalendar.day(of: Date()).prefix(4))!
        let parties = CounterpartyService(db: db)
        _ = try await parties.add(group, organisation: supplier, kind: .supplier, by: actor)
        _ = try await parties.add(group, organisation: buyer, kind: .buyer, by: actor)
        _ = try await parties.addArticle(supplier, ArticleDraft(name: "Үрөнчүк картошка / Семенной картофель", unit: "кг", packageSize: 50,
                                                               tiers: [PriceTier(minQuantity: 1, unitPrice: 3_000), PriceTier(minQuantity: 500, unitPrice: 2_400)]),
                                         validFrom: "\(year)-01-01", validTo: "\(year)-12-31", by: actor)
        _ = try await parties.addArticle(supplier, ArticleDraft(name: "Жер семирткич / Удобрение NPK", unit: "кг", packageSize: 25,
                                                               tiers: [PriceTier(minQuantity: 1, unitPrice: 6_500), PriceTier(minQuantity: 250, unitPrice: 5_800)]),
                                         validFrom: "\(year)-01-01", validTo: nil, by: actor)

        // Last autumn's purchase of fertiliser, settled: two members paid, the others took it on credit.
        let rounds = PurchaseRoundService(db: db)
        // Its deadline still today in Bishkek (the reports date its savings by it), and far enough off for the orders below.
        let endOfToday = BishkekCalendar.start(of: BishkekCalendar.adding(days: 1, to: BishkekCalendar.day(of: Date())))!.addingTimeInterval(-1)
        let deadline = min(Date().addingTimeInterval(3_600), max(endOfToday, Date().addingTimeInterval(60)))
        let autumn = try await rounds.create(group, supplierID: supplier, deadline: deadline, allocation: .proportional, by: actor)
        let fertiliser = try await rounds.addArticle(autumn.id, ArticleDraft(name: "Жер семирткич / Удобрение NPK", unit: "кг", packageSize: 25,
            tiers: [PriceTier(minQuantity: 1, unitPrice: 6_500), PriceTier(minQuantity: 250, unitPrice: 5_800)]), by: actor)
        for (i, member) in members.enumerated() {
            _ = try await rounds.setOrder(autumn.id, member: member.id, lines: [OrderLineDraft(articleID: fertiliser.id, quantity: 25 + (i % 3) * 25)], by: actor)
        }
        _ = try await rounds.close(autumn.id, by: actor)
        _ = try await rounds.markOrdered(autumn.id, by: actor)
        try await rounds.addCost(autumn.id, label: "Жеткирүү / Доставка", amount: 150_000, splitBy: .weight, by: actor)
        _ = try await rounds.recordReceipt(autumn.id, lines: [(fertiliser.id, try await rounds.fill(autumn.id)[fertiliser.id]!.packages * 25)], by: actor)
        _ = try await rounds.settle(autumn.id, by: actor)
        for bill in try await rounds.settlement(autumn.id).members.prefix(2) {
            try await rounds.recordPayment(autumn.id, member: bill.memberID, amount: bill.total, by: actor)
        }

        // Dried apricots to Osh-Agro: graded intakes, transport, half the money in and passed on.
        let pools = SalePoolService(db: db)
        let apricots = try await pools.create(group, PoolDraft(product: "Кургатылган өрүк / Курага", buyer: "«Ош-Агро» дистрибьютор",
                                                               gradePrices: ["A": 32_000, "B": 24_000], levyBasisPoints: 300, rejects: .member, contractQuantity: 1_000,
                                                               terms: "Ош шаарындагы кампага, 1-октябрга чейин, 20 кг баштык менен"), by: actor)
        for (i, member) in members.enumerated() {
            try await pools.intake(apricots.id, member: member.id, quantity: 40 + (i * 15) % 60, grade: i % 3 == 2 ? "B" : "A", by: actor)
            if i % 4 == 1 { try await pools.intake(apricots.id, member: member.id, quantity: 5, grade: SalePoolService.rejected, by: actor) }
        }
        try await pools.record(apricots.id, payment: false, amount: 400_000, label: "Транспорт Ош", by: actor)
        try await pools.record(apricots.id, payment: true, amount: 6_000_000, by: actor)
        _ = try await pools.distribute(apricots.id, by: actor)

        // The fund: dues from everyone, and a claim the members are voting on.
        let fund = GroupFundService(db: db)
        for member in members { try await fund.payDues(member.id, amount: 50_000, by: actor) }
        let claim = try await fund.claim(members[3].id, reason: "Мөндүр түшүмдү жок кылды / Град побил урожай", amount: 300_000, by: actor)
        _ = try await fund.vote(claim.id, member: members[0].id, approve: true, by: actor)
        _ = try await fund.vote(claim.id, member: members[1].id, approve: true, by: actor)

        // A fruit drier bought together, used once and booked again.
        let equipment = EquipmentService(db: db)
        let drier = try await equipment.add(group, name: "Жемиш кургаткыч / Сушилка для фруктов", roundID: nil, fee: 30_000, unit: .day,
                                            contributions: [members[0].id: 1_500_000, members[1].id: 1_000_000, members[2].id: 500_000], by: actor)
        let used = try await equipment.book(drier.id, member: members[1].id, from: "\(year)-07-10", to: "\(year)-07-13", by: actor)
        _ = try await equipment.handOver(used.id, condition: "Таза, бардык тактайлары бар", by: actor)
        _ = try await equipment.giveBack(used.id, condition: "Жакшы", usage: 4, by: actor)
        _ = try await equipment.book(drier.id, member: members[2].id, from: "\(year)-08-01", to: "\(year)-08-03", by: actor)
        try await equipment.wait(drier.id, member: members[4 % members.count].id, by: actor)
    }
}
