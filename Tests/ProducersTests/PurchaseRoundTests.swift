import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import Producers
import TestSupport
import Testing

/// A producer group with members, for the round tests.
struct GroupFixture {
    let group: GroupRecord
    let members: [ProducerMemberRecord]

    static func make(_ db: any Database, members count: Int = 3) async throws -> GroupFixture {
        let make = Factories(db: db)
        let village = try await make.village()
        let org = try await make.organisation("Жибек өндүрүүчүлөр тобу", kind: .producerGroup, in: village)
        let group = try await ProducerGroupService(db: db).open(org.id, by: .system)
        var members: [ProducerMemberRecord] = []
        for i in 0..<count {
            let person = try await make.person("Өндүрүүчү \(["Айгүл", "Бурул", "Чолпон", "Динара"][i % 4])", in: village, born: 1975 + i)
            members.append(try await ProducerGroupService(db: db).join(group.id, personID: person.id, produces: "potatoes", by: .system))
        }
        return GroupFixture(group: group, members: members)
    }
}

@Suite("Joint purchase rounds")
struct PurchaseRoundTests {
    static let potatoes = ArticleDraft(name: "Seed potatoes", unit: "kg", packageSize: 50,
                                       tiers: [PriceTier(minQuantity: 1, unitPrice: 3_000), PriceTier(minQuantity: 500, unitPrice: 2_400)])

    @Test("A round from orders to settlement: packages, the tier reached, a short delivery re-allocated, costs shared, bills that add up")
    func wholeRound() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await GroupFixture.make(db)
            let rounds = PurchaseRoundService(db: db)
            let round = try await rounds.create(f.group.id, supplierID: nil, deadline: Date().addingTimeInterval(7 * 86_400),
                                                allocation: .firstCome, by: .system)
            let article = try await rounds.addArticle(round.id, Self.potatoes, by: .system)
            _ = try await rounds.setOrder(round.id, member: f.members[0].id, lines: [OrderLineDraft(articleID: article.id, quantity: 300, tolerance: 20)], by: .system)
            _ = try await rounds.setOrder(round.id, member: f.members[1].id, lines: [OrderLineDraft(articleID: article.id, quantity: 180)], by: .system)
            _ = try await rounds.setOrder(round.id, member: f.members[2].id, lines: [OrderLineDraft(articleID: article.id, quantity: 10)], by: .system)
            let preview = try await rounds.settlement(round.id)
            #expect(preview.supplierTotal == 500 * 2_400)   // 490 firm + 20 tolerance: ten 50 kg sacks

            #expect(try await rounds.close(round.id, by: .system).status == .closed)
            await #expect(throws: DomainError("producers.round-not-open", kind: .conflict)) {
                _ = try await rounds.setOrder(round.id, member: f.members[2].id, lines: [OrderLineDraft(articleID: article.id, quantity: 50)], by: .system)
            }
            try await rounds.addCost(round.id, label: "Transport", amount: 90_000, splitBy: .weight, by: .system)
            // One sack short of 500: firm quantities first, in the order they came; the tolerance and the last order go without.
            #expect(try await rounds.recordReceipt(round.id, lines: [(article.id, 450)], by: .system).status == .received)
            let bill = try await rounds.settlement(round.id)
            #expect(bill.members.map(\.memberID) == bill.members.map(\.memberID).sorted { $0.uuidString < $1.uuidString })
            let byMember = Dictionary(uniqueKeysWithValues: bill.members.map { ($0.memberID, $0) })
            #expect(byMember[f.members[0].id]?.lines.first?.allocated == 300)
            #expect(byMember[f.members[1].id]?.lines.first?.allocated == 150)
            #expect(byMember[f.members[2].id] == nil)
            #expect(bill.supplierTotal == 450 * 2_400)
            #expect(bill.costsTotal == 90_000)
            #expect(bill.members.reduce(0) { $0 + $1.total } == bill.supplierTotal + bill.costsTotal)
            #expect(byMember[f.members[0].id]?.saving == 300 * 600)
        }
    }

    @Test("Bad input is refused with its reason and changes nothing: negative quantities, a passed deadline, foreign articles, strangers")
    func refusals() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await GroupFixture.make(db)
            let rounds = PurchaseRoundService(db: db)
            let deadline = Date().addingTimeInterval(86_400)
            let round = try await rounds.create(f.group.id, supplierID: nil, deadline: deadline, allocation: .proportional, by: .system)
            let article = try await rounds.addArticle(round.id, Self.potatoes, by: .system)
            let member = f.members[0].id
            await #expect(throws: DomainError("producers.quantity-invalid", field: "quantity")) {
                _ = try await rounds.setOrder(round.id, member: member, lines: [OrderLineDraft(articleID: article.id, quantity: -5)], by: .system)
            }
            await #expect(throws: DomainError("producers.deadline-passed", kind: .conflict)) {
                _ = try await rounds.setOrder(round.id, member: member, lines: [OrderLineDraft(articleID: article.id, quantity: 5)], by: .system,
                                              now: deadline.addingTimeInterval(1))
            }
            await #expect(throws: DomainError("producers.article-not-in-round", field: "article_id")) {
                _ = try await rounds.setOrder(round.id, member: member, lines: [OrderLineDraft(articleID: UUID(), quantity: 5)], by: .system)
            }
            await #expect(throws: DomainError.notFound("producers.member")) {
                _ = try await rounds.setOrder(round.id, member: UUID(), lines: [OrderLineDraft(articleID: article.id, quantity: 5)], by: .system)
            }
            await #expect(throws: DomainError("producers.package-size-invalid", field: "package_size")) {
                _ = try await rounds.addArticle(round.id, ArticleDraft(name: "Hoe", unit: "piece", packageSize: 0, tiers: Self.potatoes.tiers), by: .system)
            }
            await #expect(throws: DomainError("producers.round-still-open", kind: .conflict)) {
                _ = try await rounds.recordReceipt(round.id, lines: [(article.id, 10)], by: .system)
            }
            #expect(try await RoundOrder.query(on: db).count() == 0)
            #expect(try await rounds.articles(round.id).count == 1)
        }
    }

    @Test("A draft takes articles but no orders until it is opened; opening twice is refused")
    func draft() async throws {
        try await TestDatabase.withDatabase { db in
            let f = try await GroupFixture.make(db)
            let rounds = PurchaseRoundService(db: db)
            let round = try await rounds.create(f.group.id, supplierID: nil, deadline: Date().addingTimeInterval(86_400), allocation: .firstCome,
                                                draft: true, by: .system)
            #expect(round.status == .draft)
            let article = try await rounds.addArticle(round.id, Self.potatoes, by: .system)
            await #expect(throws: DomainError("producers.round-draft", kind: .conflict)) {
                _ = try await rounds.setOrder(round.id, member: f.members[0].id, lines: [OrderLineDraft(articleID: article.id, quantity: 50)], by: .system)
            }
            await #expect(throws: DomainError("producers.round-draft", kind: .conflict)) { _ = try await rounds.close(round.id, by: .system) }
            #expect(try await rounds.publish(round.id, by: .system).status == .open)
            await #expect(throws: DomainError("producers.round-wrong-step", kind: .conflict)) { _ = try await rounds.publish(round.id, by: .system) }
            #expect(try await rounds.setOrder(round.id, member: f.members[0].id, lines: [OrderLineDraft(articleID: article.id, quantity: 50)], by: .system).count == 1)
        }
    }
}
