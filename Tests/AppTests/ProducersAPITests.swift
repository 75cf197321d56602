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
            // A page far past the end is an empty page (it once overflowed and stopped the server).
            let far = try api.json(try await api.send(.GET, "/producer-groups?page=116171936431272064&per=108"))
            #expect((far["items"] as? [Any])?.isEmpty == true && far["total"] as? Int == 1)
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
                {"product":"Dried apricots","buyer":"Osh-Agro","gradePrices":{"A":300,"B":200},"levyPercent":2.5,"rejects":"member","contractQuantity":1000,"terms":"Osh, 1 October"}
                """)
            #expect(created.status == .created)
            let pool = try #require(try api.json(created)["id"] as? String)
            #expect(try api.json(created)["levyPercent"] as? Double == 2.5)
            #expect(try api.json(created)["contractQuantity"] as? Int == 1_000 && (try api.json(created)["terms"] as? String) == "Osh, 1 October")
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

@Suite("Producer groups API: accounts, fund, equipment, suppliers")
struct ProducersMoneyAPITests {
    /// A group with two members, run by the admin.
    static func group(_ app: Application, _ fixture: Fixture) async throws -> (GroupRecord, ProducerMemberRecord, ProducerMemberRecord, APIClient) {
        let make = Factories(db: app.db)
        let org = try await make.organisation("Жибек", kind: .producerGroup, in: fixture.village)
        let group = try await ProducerGroupService(db: app.db).open(org.id, by: .system)
        let api = try await APIClient.forUser("admin", on: app)
        let added = try await api.send(.POST, "/producer-groups/\(group.id)/members", json: #"{"personId":"\#(fixture.member.id)","produces":"apricots"}"#)
        #expect(added.status == .created)
        let a = try await ProducerGroupService(db: app.db).members(group.id, page: PageQuery(page: 1, per: 10)).items[0]
        let other = try await make.person("Осмонова Айгүл", in: fixture.village, born: 1979)
        let b = try await ProducerGroupService(db: app.db).join(group.id, personID: other.id, role: .treasurer, produces: "apricots", by: .system)
        return (group, a, b, api)
    }

    @Test("Settle a round, pay part in cash, repay the rest from a pool's distribution; the account shows every line")
    func accountAndCredit() async throws {
        try await withAshar { app, fixture in
            let (group, a, _, api) = try await Self.group(app, fixture)
            let deadline = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            let round = try #require(try api.json(try await api.send(.POST, "/producer-groups/\(group.id)/rounds", json: #"{"deadline":"\#(deadline)"}"#))["id"] as? String)
            let article = try #require(try api.json(try await api.send(.POST, "/rounds/\(round)/articles", json: """
                {"name":"Hoe","unit":"piece","packageSize":1,"tiers":[{"minQuantity":1,"unitPrice":50000}]}
                """))["id"] as? String)
            _ = try await api.send(.PUT, "/rounds/\(round)/orders/\(a.id)", json: #"{"lines":[{"articleId":"\#(article)","quantity":2}]}"#)
            #expect(try await api.send(.POST, "/rounds/\(round)/ordered").status == .conflict)   // still open
            let draft = try api.json(try await api.send(.POST, "/producer-groups/\(group.id)/rounds", json: #"{"deadline":"\#(deadline)","draft":true}"#))
            #expect(draft["status"] as? String == "draft")
            let prepared = try #require(draft["id"] as? String)
            #expect(try await api.send(.PUT, "/rounds/\(prepared)/orders/\(a.id)", json: #"{"lines":[]}"#).status == .conflict)
            #expect(try api.json(try await api.send(.POST, "/rounds/\(prepared)/open"))["status"] as? String == "open")
            #expect(try await api.send(.POST, "/rounds/\(round)/close").status == .ok)
            #expect(try await api.send(.POST, "/rounds/\(round)/ordered").status == .ok)
            #expect(try api.json(try await api.send(.POST, "/rounds/\(round)/settle"))["status"] as? String == "settled")
            let paid = try await api.send(.POST, "/rounds/\(round)/payments", json: #"{"memberId":"\#(a.id)","amount":40000}"#)
            #expect(paid.status == .created)
            #expect(try api.json(paid)["balance"] as? Int == -60_000)
            let bill = try #require((try api.json(try await api.send(.GET, "/rounds/\(round)/settlement"))["members"] as? [[String: Any]])?.first)
            #expect(bill["paid"] as? Int == 40_000)

            let pool = try #require(try api.json(try await api.send(.POST, "/producer-groups/\(group.id)/pools", json: """
                {"product":"Dried apricots","buyer":"Osh-Agro","gradePrices":{"A":1000},"levyPercent":0}
                """))["id"] as? String)
            _ = try await api.send(.POST, "/pools/\(pool)/intakes", json: #"{"memberId":"\#(a.id)","quantity":100,"grade":"A"}"#)
            _ = try await api.send(.POST, "/pools/\(pool)/payments", json: #"{"amount":100000}"#)
            let passed = try #require((try api.json(try await api.send(.POST, "/pools/\(pool)/distribution"))["members"] as? [[String: Any]])?.first)
            #expect(passed["payout"] as? Int == 100_000 && passed["repaid"] as? Int == 60_000 && passed["cash"] as? Int == 40_000)
            let payouts = try #require((try api.json(try await api.send(.GET, "/pools/\(pool)/payouts"))["members"] as? [[String: Any]])?.first)
            #expect(payouts["paid"] as? Int == 100_000)
            let account = try api.json(try await api.send(.GET, "/producer-groups/\(group.id)/members/\(a.id)/account"))
            #expect(account["balance"] as? Int == 0)
            #expect((account["lines"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["bill", "payment", "payout", "cash-out"])
            #expect(try await api.send(.GET, "/producer-groups/\(group.id)/members/\(UUID())/account").status == .notFound)
        }
    }

    @Test("A payment whose server died after booking it, before answering, is not booked again when the office resends it under its key")
    func paymentReplayedAfterALostAnswer() async throws {
        try await withAshar { app, fixture in
            let (group, a, _, api) = try await Self.group(app, fixture)
            let admin = try #require(try await UserService(db: app.db).credentials(for: "admin")?.user)
            let path = "/producer-groups/\(group.id)/members/\(a.id)/payments"
            let body = #"{"memberId":"\#(a.id)","amount":25000}"#
            // The first copy, as the API books it: under its key, through the same service; then the server
            // stops before the answer is kept (the middleware never runs past the write).
            let slot = IdempotencySlot(IdempotencyKey(userID: admin.id, key: "office-7",
                                                      requestHash: IdempotencyMiddleware.requestHash(.POST, path: "/api/v1" + path, query: nil, body: ByteBuffer(string: body))))
            _ = try await IdempotencySlot.$current.withValue(slot) {
                try await MemberAccountService(db: app.db).recordPayment(a.id, amount: 25_000, by: .system)
            }
            #expect(slot.state == .claimed)
            // The office never got an answer and sends it again: told it is recorded, and nothing is booked twice.
            let replay = try await api.send(.POST, path, json: body, headers: [("Idempotency-Key", "office-7")])
            #expect(replay.status == .conflict)
            #expect((try api.json(replay)["error"] as? [String: Any])?["code"] as? String == "api.idempotency-key-in-flight")
            #expect(try await MemberAccountService(db: app.db).account(a.id).balance == 25_000)
            // A refused write claims nothing: its key stays free, and the corrected request is booked.
            let refused = try await api.send(.POST, path, json: #"{"memberId":"\#(a.id)","amount":-5}"#,
                                             headers: [("Idempotency-Key", "office-8")])
            #expect(refused.status == .unprocessableEntity)
            let paid = try await api.send(.POST, path, json: body, headers: [("Idempotency-Key", "office-9")])
            #expect(paid.status == .created)
            #expect(try api.json(paid)["balance"] as? Int == 50_000)
            // Answered and kept: its replay gets the same answer, and books nothing.
            let again = try await api.send(.POST, path, json: body, headers: [("Idempotency-Key", "office-9")])
            #expect(again.status == .created)
            #expect(try api.json(again)["balance"] as? Int == 50_000)
            #expect(try await MemberAccountService(db: app.db).account(a.id).balance == 50_000)
        }
    }

    @Test("Fund: dues, a claim carried by votes, a payout refused beyond the balance and then paid")
    func fund() async throws {
        try await withAshar { app, fixture in
            let (group, a, b, api) = try await Self.group(app, fixture)
            #expect(try await api.send(.POST, "/producer-groups/\(group.id)/fund/dues", json: #"{"memberId":"\#(a.id)","amount":30000}"#).status == .created)
            let claim = try #require(try api.json(try await api.send(.POST, "/producer-groups/\(group.id)/fund/claims", json: """
                {"memberId":"\(b.id)","reason":"The cow died","amount":50000}
                """))["id"] as? String)
            for member in [a.id, b.id] {
                #expect(try await api.send(.POST, "/claims/\(claim)/votes", json: #"{"memberId":"\#(member)","approve":true}"#).status == .ok)
            }
            let short = try await api.send(.POST, "/claims/\(claim)/payout")
            #expect(short.status == .conflict)
            #expect(((try api.json(short)["error"] as? [String: Any])?["code"] as? String) == "producers.fund-short")
            _ = try await api.send(.POST, "/producer-groups/\(group.id)/fund/dues", json: #"{"memberId":"\#(b.id)","amount":20000}"#)
            #expect(try api.json(try await api.send(.POST, "/claims/\(claim)/payout"))["status"] as? String == "paid")
            let fund = try api.json(try await api.send(.GET, "/producer-groups/\(group.id)/fund"))
            #expect(fund["balance"] as? Int == 0 && fund["rule"] as? String == "simple-majority")
        }
    }

    @Test("Equipment: shares of ownership, a booking overlap refused with 409, hand-over and return with a fee")
    func equipment() async throws {
        try await withAshar { app, fixture in
            let (group, a, b, api) = try await Self.group(app, fixture)
            let item = try api.json(try await api.send(.POST, "/producer-groups/\(group.id)/equipment", json: """
                {"name":"Walk-behind tractor","fee":200000,"feeUnit":"hectare","contributions":[{"memberId":"\(a.id)","amount":1},{"memberId":"\(b.id)","amount":2}]}
                """))
            let id = try #require(item["id"] as? String)
            #expect(Set((item["owners"] as? [[String: Any]])?.compactMap { $0["sharePercent"] as? Double } ?? []) == [33.33, 66.67])
            let booked = try await api.send(.POST, "/equipment/\(id)/bookings", json: #"{"memberId":"\#(a.id)","firstDay":"2026-04-10","lastDay":"2026-04-12"}"#)
            #expect(booked.status == .created)
            let overlap = try await api.send(.POST, "/equipment/\(id)/bookings", json: #"{"memberId":"\#(b.id)","firstDay":"2026-04-12","lastDay":"2026-04-13"}"#)
            #expect(overlap.status == .conflict)
            #expect(((try api.json(overlap)["error"] as? [String: Any])?["message"] as? String)?.contains("2026-04-10") == true)
            #expect(try await api.send(.POST, "/equipment/\(id)/queue", json: #"{"memberId":"\#(b.id)"}"#).status == .created)
            let listed = try api.json(try await api.send(.GET, "/producer-groups/\(group.id)/equipment?page=2&per=1"))
            #expect(listed["total"] as? Int == 1 && (listed["items"] as? [Any])?.isEmpty == true)
            #expect(try api.json(try await api.send(.GET, "/equipment/\(id)/queue"))["total"] as? Int == 1)
            let booking = try #require(try api.json(booked)["id"] as? String)
            #expect(try await api.send(.POST, "/bookings/\(booking)/handover", json: #"{"condition":"Oil changed"}"#).status == .ok)
            let back = try api.json(try await api.send(.POST, "/bookings/\(booking)/return", json: #"{"condition":"Fine","usage":50}"#))
            #expect(back["fee"] as? Int == 100_000 && back["status"] as? String == "returned")
            #expect(try api.json(try await api.send(.GET, "/producer-groups/\(group.id)/fund"))["maintenanceBalance"] as? Int == 100_000)
        }
    }

    @Test("Suppliers: a firm of the registry, its price list from CSV all or nothing, wrong lines named")
    func priceList() async throws {
        try await withAshar { app, fixture in
            let (group, _, _, api) = try await Self.group(app, fixture)
            let firm = try await Factories(db: app.db).organisation("Агро-Сервис", kind: .business, in: fixture.village)
            #expect(try await api.send(.POST, "/producer-groups/\(group.id)/counterparties", json: #"{"organisationId":"\#(firm.id)","kind":"supplier"}"#).status == .created)
            let bad = try await api.send(.POST, "/suppliers/\(firm.id)/price-list", json: """
                name,unit,package_size,tiers
                Seed potatoes,kg,50,1:30; 500:24
                Hoe,piece,0,1:500
                """, headers: [("Content-Type", "text/csv")])
            #expect(bad.status == .unprocessableEntity)
            #expect(((try api.json(bad)["error"] as? [String: Any])?["field"] as? String) == "line 3: package_size")
            let nothing = try api.json(try await api.send(.GET, "/suppliers/\(firm.id)/catalogue"))
            #expect((nothing["items"] as? [Any])?.isEmpty == true)
            let good = try await api.send(.POST, "/suppliers/\(firm.id)/price-list", json: """
                название,ед.,фасовка,цены,с
                Seed potatoes,kg,50,1:30; 500:24,2026-01-01
                """, headers: [("Content-Type", "text/csv")])
            #expect(good.status == .created)
            let catalogue = try #require(try api.json(try await api.send(.GET, "/suppliers/\(firm.id)/catalogue?day=2026-03-01"))["items"] as? [[String: Any]])
            #expect(catalogue.first?["name"] as? String == "Seed potatoes")
            #expect((catalogue.first?["tiers"] as? [[String: Any]])?.last?["unitPrice"] as? Int == 2_400)
        }
    }
}
