@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Producers
import Testing
import Vapor
import VaporTesting

@Suite("Producer groups API")
struct ProducersAPITests {
    @Test("A joint purchase through the API, with the paths and names others depend on: round, articles, orders, close, costs, receipt, settlement")
    func purchaseRound() async throws {
        try await withAshar { app, fixture in
            let make = Factories(db: app.db)
            let org = try await make.organisation("Жибек", kind: .producerGroup, in: fixture.village)
            let group = try await ProducerGroupService(db: app.db).open(org.id, by: .system)
            let other = try await make.person("Осмонова Айгүл", in: fixture.village, born: 1979)
            let first = try await ProducerGroupService(db: app.db).join(group.id, personID: fixture.member.id, produces: "potatoes", by: .system)
            let second = try await ProducerGroupService(db: app.db).join(group.id, personID: other.id, role: .treasurer, produces: "milk", by: .system)
            let api = try await APIClient.forUser("admin", on: app)

            let groups = try api.json(try await api.send(.GET, "/producer-groups"))
            #expect(groups["total"] as? Int == 1)
            let members = try api.json(try await api.send(.GET, "/producer-groups/\(group.id)/members"))
            #expect((members["items"] as? [[String: Any]])?.map { $0["role"] as? String } == ["member", "treasurer"])

            let deadline = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
            let created = try await api.send(.POST, "/producer-groups/\(group.id)/rounds", json: #"{"deadline":"\#(deadline)","allocation":"first-come"}"#)
            #expect(created.status == .created)
            let round = try #require(try api.json(created)["id"] as? String)
            let article = try await api.send(.POST, "/rounds/\(round)/articles", json: """
                {"name":"Seed potatoes","unit":"kg","packageSize":50,"tiers":[{"minQuantity":1,"unitPrice":3000},{"minQuantity":500,"unitPrice":2400}]}
                """)
            #expect(article.status == .created)
            let articleID = try #require(try api.json(article)["id"] as? String)
            let order = try await api.send(.PUT, "/rounds/\(round)/orders/\(first.id)",
                                           json: #"{"lines":[{"articleId":"\#(articleID)","quantity":300,"tolerance":20}]}"#)
            #expect(order.status == .ok)
            _ = try await api.send(.PUT, "/rounds/\(round)/orders/\(second.id)", json: #"{"lines":[{"articleId":"\#(articleID)","quantity":190}]}"#)
            let negative = try await api.send(.PUT, "/rounds/\(round)/orders/\(second.id)", json: #"{"lines":[{"articleId":"\#(articleID)","quantity":-1}]}"#)
            #expect(negative.status == .unprocessableEntity)
            #expect(((try api.json(negative)["error"] as? [String: Any])?["code"] as? String) == "producers.quantity-invalid")

            #expect(try await api.send(.POST, "/rounds/\(round)/close").status == .ok)
            #expect(try await api.send(.POST, "/rounds/\(round)/close").status == .conflict)
            #expect(try await api.send(.POST, "/rounds/\(round)/costs", json: #"{"label":"Transport","amount":50000,"splitBy":"equal"}"#).status == .created)
            #expect(try await api.send(.POST, "/rounds/\(round)/receipt", json: #"{"lines":[{"articleId":"\#(articleID)","quantity":500}]}"#).status == .ok)

            let settlement = try api.json(try await api.send(.GET, "/rounds/\(round)/settlement"))
            #expect(settlement["supplierTotal"] as? Int == 500 * 2_400)
            #expect(settlement["costsTotal"] as? Int == 50_000)
            let bills = try #require(settlement["members"] as? [[String: Any]])
            #expect(bills.reduce(0) { $0 + ($1["total"] as? Int ?? 0) } == 500 * 2_400 + 50_000)
            let mine = try #require(bills.first { $0["memberId"] as? String == first.id.uuidString })
            #expect((mine["lines"] as? [[String: Any]])?.first?["allocated"] as? Int == 310)
            #expect(mine["costs"] as? Int == 25_000)
            #expect(mine["saving"] as? Int == 310 * 600)
        }
    }

    @Test("A pooled sale through the API: graded intakes, costs, the fund's levy, two partial payments passed on in proportion")
    func pooledSale() async throws {
        try await withAshar { app, fixture in
            let make = Factories(db: app.db)
            let org = try await make.organisation("Жибек", kind: .producerGroup, in: fixture.village)
            let group = try await ProducerGroupService(db: app.db).open(org.id, by: .system)
            let other = try await make.person("Осмонова Айгүл", in: fixture.village, born: 1979)
            let a = try await ProducerGroupService(db: app.db).join(group.id, personID: fixture.member.id, produces: "apricots", by: .system)
            let b = try await ProducerGroupService(db: app.db).join(group.id, personID: other.id, produces: "apricots", by: .system)
            let api = try await APIClient.forUser("admin", on: app)
            let created = try await api.send(.POST, "/producer-groups/\(group.id)/pools", json: """
                {"product":"Dried apricots","buyer":"Osh-Agro","gradePrices":{"A":300,"B":200},"levyPercent":2.5,"rejects":"member"}
                """)
            #expect(created.status == .created)
            let pool = try #require(try api.json(created)["id"] as? String)
            #expect(try api.json(created)["levyPercent"] as? Double == 2.5)
            for (member, quantity, grade) in [(a.id, 100, "A"), (b.id, 100, "B"), (b.id, 50, "rejected")] {
                let r = try await api.send(.POST, "/pools/\(pool)/intakes", json: #"{"memberId":"\#(member)","quantity":\#(quantity),"grade":"\#(grade)"}"#)
                #expect(r.status == .created)
            }
            let unknown = try await api.send(.POST, "/pools/\(pool)/intakes", json: #"{"memberId":"\#(a.id)","quantity":5,"grade":"Z"}"#)
            #expect(unknown.status == .unprocessableEntity)
            #expect(try await api.send(.POST, "/pools/\(pool)/costs", json: #"{"label":"Transport","amount":1000}"#).status == .created)
            #expect(try await api.send(.POST, "/pools/\(pool)/payments", json: #"{"amount":20000}"#).status == .created)
            var payouts = try api.json(try await api.send(.GET, "/pools/\(pool)/payouts"))
            #expect(payouts["received"] as? Int == 20_000)
            #expect(payouts["levy"] as? Int == 500)
            #expect(payouts["costsTotal"] as? Int == 1_000)
            func due(_ id: UUID) -> Int? { (payouts["members"] as? [[String: Any]])?.first { $0["memberId"] as? String == id.uuidString }?["due"] as? Int }
            #expect(due(a.id) == 11_100 && due(b.id) == 7_400)   // 18,500 shared 30,000 : 20,000
            #expect(try await api.send(.POST, "/pools/\(pool)/payments", json: #"{"amount":30000}"#).status == .created)
            payouts = try api.json(try await api.send(.GET, "/pools/\(pool)/payouts"))
            #expect(due(a.id)! + due(b.id)! == 50_000 - 1_250 - 1_000)
            #expect(try await api.send(.POST, "/pools/\(pool)/payments", json: #"{"amount":-5}"#).status == .unprocessableEntity)
        }
    }

    @Test("Only the group's coordinators and network admins run its rounds")
    func access() async throws {
        try await withAshar { app, fixture in
            let org = try await Factories(db: app.db).organisation("Жибек", kind: .producerGroup, in: fixture.village)
            let group = try await ProducerGroupService(db: app.db).open(org.id, by: .system)
            let coordinatorOfTheBank = try await APIClient.forUser("coordinator", on: app)
            let deadline = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            #expect(try await coordinatorOfTheBank.send(.POST, "/producer-groups/\(group.id)/rounds", json: #"{"deadline":"\#(deadline)"}"#).status == .forbidden)
            #expect(try await APIClient.forUser("admin", on: app).send(.GET, "/rounds/\(UUID())/settlement").status == .notFound)
        }
    }
}
