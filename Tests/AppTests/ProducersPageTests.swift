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

@Suite("Producer group pages")
struct ProducersPageTests {
    @Test("A coordinator runs a joint purchase on the web: opens it, adds an article, enters orders, closes, adds transport, records what arrived, reads the settlement")
    func roundOnTheWeb() async throws {
        try await withAshar { app, fixture in
            let make = Factories(db: app.db)
            let org = try await make.organisation("Жибек", kind: .producerGroup, in: fixture.village)
            let group = try await ProducerGroupService(db: app.db).open(org.id, by: .system)
            let member = try await ProducerGroupService(db: app.db).join(group.id, personID: fixture.member.id, produces: "potatoes", by: .system)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("admin")
            #expect(try await browser.get("/producer-groups").body.string.contains("Жибек"))
            #expect(try await browser.get("/producer-groups/\(group.id)").body.string.contains("Асанова Гүлнара"))

            let past = try await browser.post("/producer-groups/\(group.id)/rounds", ["deadline": "2020-01-01", "allocation": "first-come"])
            #expect(past.status == .unprocessableEntity)
            #expect(past.body.string.contains("Срок должен быть в будущем."))
            let opened = try await browser.post("/producer-groups/\(group.id)/rounds",
                                                ["deadline": BishkekCalendar.day(of: Date().addingTimeInterval(5 * 86_400)), "allocation": "first-come"])
            #expect(opened.status == .seeOther)
            let roundPath = try #require(opened.headers.first(name: .location))
            let round = try #require(UUID(uuidString: String(roundPath.dropFirst("/rounds/".count))))

            #expect(try await browser.post(roundPath + "/articles", ["name": "Картошка", "unit": "кг", "package_size": "50", "tiers": "1:30\n500:24,50"]).status == .seeOther)
            let article = try #require(try await PurchaseRoundService(db: app.db).articles(round).first)
            #expect(article.tiers == [PriceTier(minQuantity: 1, unitPrice: 3_000), PriceTier(minQuantity: 500, unitPrice: 2_450)])
            let bad = try await browser.post(roundPath + "/orders", ["member_id": member.id.uuidString, "quantity_\(article.id)": "-3"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Количество не может быть отрицательным."))
            #expect(try await browser.post(roundPath + "/orders", ["member_id": member.id.uuidString, "quantity_\(article.id)": "88",
                                                                   "tolerance_\(article.id)": "12"]).status == .seeOther)
            let open = try await browser.get(roundPath).body.string
            #expect(open.contains("полных: 1, до следующей не хватает 12 кг"))
            #expect(open.contains("88 (+12)"))

            // From the offline queue: the same order, answered in JSON (setting an order twice is one order).
            let queued = [("Accept", "application/json"), ("Idempotency-Key", UUID().uuidString)]
            let fromQueue = try await browser.post(roundPath + "/orders", ["member_id": member.id.uuidString, "quantity_\(article.id)": "88",
                                                                           "tolerance_\(article.id)": "12"], headers: queued)
            #expect(fromQueue.status == .ok && fromQueue.body.string.contains(#""booked":1"#))
            #expect(try await browser.post(roundPath + "/close", [:]).status == .seeOther)
            // Queued before the round closed, sent after: a conflict to resolve, not a silent loss.
            let late = try await browser.post(roundPath + "/orders", ["member_id": member.id.uuidString, "quantity_\(article.id)": "5"],
                                              headers: [("Accept", "application/json"), ("Idempotency-Key", UUID().uuidString)])
            #expect(late.status == .unprocessableEntity && late.body.string.contains(#""booked":0"#) && late.body.string.contains(#""errors":["#))
            #expect(try await browser.post(roundPath + "/costs", ["label": "Транспорт", "amount": "1 500", "split_by": "weight"]).status == .seeOther)
            #expect(try await browser.post(roundPath + "/receipt", ["received_\(article.id)": "95"]).status == .seeOther)
            let settled = try await browser.get(roundPath).body.string
            #expect(settled.contains("Картошка: 95 кг = 2\u{202F}850"))   // 95 kg at 30 som
            #expect(settled.contains("4\u{202F}350"))                      // with 1,500 som of transport
        }
    }
}

@Suite("Producer group pages: accounts, sales, fund, equipment, suppliers, paper, reports")
struct ProducersMoneyPageTests {
    static func group(_ app: Application, _ fixture: Fixture) async throws -> (GroupRecord, [ProducerMemberRecord], Browser) {
        let make = Factories(db: app.db)
        let org = try await make.organisation("Жибек", kind: .producerGroup, in: fixture.village)
        let group = try await ProducerGroupService(db: app.db).open(org.id, by: .system)
        let other = try await make.person("Осмонова Айгүл", in: fixture.village, born: 1979)
        let third = try await make.person("Токтосунова Бурул", in: fixture.village, born: 1982)
        var members: [ProducerMemberRecord] = []
        for person in [fixture.member.id, other.id] {
            members.append(try await ProducerGroupService(db: app.db).join(group.id, personID: person, produces: "apricots", by: .system))
        }
        let browser = Browser(app, acceptLanguage: "ru")
        try await browser.login("admin")
        // The third is added on the web, found by name in the registry.
        let found = try await browser.get("/producer-groups/\(group.id)?q=Токтосунова").body.string
        #expect(found.contains("Токтосунова Бурул") && found.contains(third.id.uuidString))
        #expect(try await browser.post("/producer-groups/\(group.id)/members", ["person_id": third.id.uuidString, "role": "treasurer", "produces": "walnuts"]).status == .seeOther)
        let again = try await browser.post("/producer-groups/\(group.id)/members", ["person_id": third.id.uuidString])
        #expect(again.status == .unprocessableEntity && again.body.string.contains("Она уже состоит в этой группе."))
        members.append(try #require(try await ProducerGroupService(db: app.db).members(group.id, page: PageQuery(page: 1, per: 10)).items.first { $0.personID == third.id }))
        return (group, members, browser)
    }

    @Test("The groups' list pages fifty at a time, in name order, and every group can be reached")
    func groupsPaged() async throws {
        try await withAshar { app, fixture in
            let make = Factories(db: app.db)
            let groups = ProducerGroupService(db: app.db)
            let before = try await groups.groups(page: PageQuery(page: 1, per: 1)).total
            for index in 1...52 {
                let org = try await make.organisation("Ява \(String(format: "%02d", index))", kind: .producerGroup, in: fixture.village)
                _ = try await groups.open(org.id, by: .system)
            }
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("admin")
            let pages = (before + 52 + 49) / 50
            var seen = ""
            for page in 1...pages { seen += try await browser.get("/producer-groups?page=\(page)").body.string }
            #expect((1...52).allSatisfy { seen.contains("Ява \(String(format: "%02d", $0))") })
            let first = try await browser.get("/producer-groups").body.string
            #expect(first.contains("name=\"page\" value=\"2\""))
            #expect(first.components(separatedBy: "<tr>").count - 2 == 50)
        }
    }

    @Test("A pooled sale on the web: a delivery goes straight to its printable receipt, payments and costs, payouts with their workings, passed on")
    func pool() async throws {
        try await withAshar { app, fixture in
            let (group, members, browser) = try await Self.group(app, fixture)
            let bad = try await browser.post("/producer-groups/\(group.id)/pools", ["product": "Курага", "buyer": "Ош-Агро", "grades": "A:abc", "levy": "2,5"])
            #expect(bad.status == .unprocessableEntity)
            let created = try await browser.post("/producer-groups/\(group.id)/pools", ["product": "Курага", "buyer": "Ош-Агро", "grades": "A:300; B:200",
                                                                                        "levy": "2,5", "rejects": "member", "contract_quantity": "500",
                                                                                        "terms": "Склад в Оше до 1 октября"])
            let poolPath = try #require(created.headers.first(name: .location))
            let intake = try await browser.post(poolPath + "/intakes", ["member_id": members[0].id.uuidString, "quantity": "100", "grade": "A"])
            let receipt = try #require(intake.headers.first(name: .location))
            #expect(receipt.hasPrefix(poolPath + "/intakes/"))
            let paper = try await browser.get(receipt).body.string
            #expect(paper.contains("Квитанция о приёме") && paper.contains("Асанова Гүлнара") && paper.contains(">100<"))
            #expect(!(try await browser.get(receipt).body.string.contains("<title>Асанова")))
            _ = try await browser.post(poolPath + "/intakes", ["member_id": members[1].id.uuidString, "quantity": "100", "grade": "B"])
            let wrong = try await browser.post(poolPath + "/intakes", ["member_id": members[1].id.uuidString, "quantity": "-4", "grade": "B"])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await browser.post(poolPath + "/money", ["kind": "payment", "amount": "200"]).status == .seeOther)
            #expect(try await browser.post(poolPath + "/money", ["kind": "cost", "label": "Транспорт", "amount": "15"]).status == .seeOther)
            let page = try await browser.get(poolPath).body.string
            // 200 som − 15 − 5 levy = 180, shared 300 : 200.
            #expect(page.contains("500; принято с сортом: 200") && page.contains("Склад в Оше до 1 октября"))
            #expect(page.contains("A: 100 ед. × 300 = 30\u{202F}000") && page.contains("108") && page.contains("72") && page.contains("60 %"))
            let passed = try await browser.post(poolPath + "/distribution", [:])
            #expect(passed.body.string.contains("Асанова Гүлнара: 108 — в счёт долга 0, наличными 108"))
            #expect(try await MemberAccountService(db: app.db).account(members[0].id).balance == 0)
        }
    }

    @Test("A delivery from the offline queue: saved once however often it is sent, a refused one answered the same way again")
    func queuedIntake() async throws {
        try await withAshar { app, fixture in
            let (group, members, browser) = try await Self.group(app, fixture)
            let created = try await browser.post("/producer-groups/\(group.id)/pools", ["product": "Курага", "buyer": "Ош-Агро", "grades": "A:300; B:200",
                                                                                        "levy": "0", "rejects": "member"])
            let poolPath = try #require(created.headers.first(name: .location))
            let pool = try #require(UUID(uuidString: String(poolPath.dropFirst("/pools/".count))))
            #expect(try await browser.get(poolPath).body.string.contains(#"data-offline="intake:\#(pool)""#))
            let key = [("Accept", "application/json"), ("Idempotency-Key", UUID().uuidString)]
            for _ in 0..<3 {
                let sent = try await browser.post(poolPath + "/intakes", ["member_id": members[0].id.uuidString, "quantity": "40", "grade": "A"], headers: key)
                #expect(sent.status == .ok && sent.body.string.contains(#""booked":1"#))
            }
            #expect(try await SalePoolService(db: app.db).intakes(pool).count == 1)
            // A delivery saved under its key whose server stopped before answering: the copy the queue sends
            // again is told it is saved, and it is not saved twice.
            let user = try #require(try await UserService(db: app.db).credentials(for: "admin")?.user)
            let unanswered = IdempotencySlot(IdempotencyKey(userID: user.id, key: "web:queued-41", requestHash: ""))
            _ = try await IdempotencySlot.$current.withValue(unanswered) {
                try await SalePoolService(db: app.db).intake(pool, member: members[1].id, quantity: 41, grade: "B", by: .system)
            }
            let resent = try await browser.post(poolPath + "/intakes", ["member_id": members[1].id.uuidString, "quantity": "41", "grade": "B"],
                                                headers: [("Accept", "application/json"), ("Idempotency-Key", "queued-41")])
            #expect(resent.status == .ok && resent.body.string.contains(#""booked":1"#))
            #expect(try await SalePoolService(db: app.db).intakes(pool).count == 2)
            let wrongKey = [("Accept", "application/json"), ("Idempotency-Key", UUID().uuidString)]
            for _ in 0..<2 {
                let wrong = try await browser.post(poolPath + "/intakes", ["member_id": members[1].id.uuidString, "quantity": "-4", "grade": "B"], headers: wrongKey)
                #expect(wrong.status == .unprocessableEntity && wrong.body.string.contains(#""booked":0"#))
            }
            // Another delivery of the same woman (another key) is another intake.
            _ = try await browser.post(poolPath + "/intakes", ["member_id": members[0].id.uuidString, "quantity": "40", "grade": "A"],
                                       headers: [("Accept", "application/json"), ("Idempotency-Key", UUID().uuidString)])
            #expect(try await SalePoolService(db: app.db).intakes(pool).count == 3)
        }
    }

    @Test("Settle a round on the web, record part of a bill in cash, see it on her account; order sheets and the distribution list print")
    func settleAndPaper() async throws {
        try await withAshar { app, fixture in
            let (group, members, browser) = try await Self.group(app, fixture)
            let rounds = PurchaseRoundService(db: app.db)
            let round = try await rounds.create(group.id, supplierID: nil, deadline: Date().addingTimeInterval(86_400), allocation: .firstCome, by: .system)
            let hoe = try await rounds.addArticle(round.id, ArticleDraft(name: "Кетмен", unit: "шт", packageSize: 1, tiers: [PriceTier(minQuantity: 1, unitPrice: 45_000)]), by: .system)
            _ = try await rounds.setOrder(round.id, member: members[0].id, lines: [OrderLineDraft(articleID: hoe.id, quantity: 2)], by: .system)
            let sheets = try await browser.get("/rounds/\(round.id)/sheets").body.string
            #expect(sheets.contains("Бланк заказа · Асанова Гүлнара") && sheets.contains("Бланк заказа · Токтосунова Бурул"))
            #expect(try await browser.post("/rounds/\(round.id)/settle", [:]).status == .unprocessableEntity)   // still open
            _ = try await browser.post("/rounds/\(round.id)/close", [:])
            #expect(try await browser.post("/rounds/\(round.id)/ordered", [:]).status == .seeOther)
            #expect(try await browser.post("/rounds/\(round.id)/settle", [:]).status == .seeOther)
            #expect(try await browser.post("/rounds/\(round.id)/payments", ["member_id": members[0].id.uuidString, "amount": "500"]).status == .seeOther)
            let account = try await browser.get("/producer-groups/\(group.id)/members/\(members[0].id)").body.string
            #expect(account.contains("−400") && account.contains("Счёт за совместную закупку") && account.contains("она должна группе"))
            let list = try await browser.get("/rounds/\(round.id)/distribution").body.string
            #expect(list.contains("Кетмен: 2 шт") && list.contains("900"))
        }
    }

    @Test("The fund on the web: dues, a claim, votes until carried, a payout refused beyond the balance with the reason")
    func fund() async throws {
        try await withAshar { app, fixture in
            let (group, members, browser) = try await Self.group(app, fixture)
            let base = "/producer-groups/\(group.id)/fund"
            #expect(try await browser.post(base + "/dues", ["member_id": members[0].id.uuidString, "amount": "1000"]).status == .seeOther)
            #expect(try await browser.post(base + "/claims", ["member_id": members[1].id.uuidString, "reason": "Град", "amount": "1500"]).status == .seeOther)
            let claim = try #require(try await GroupFundService(db: app.db).claims(group.id).first)
            for member in members.prefix(2) {
                #expect(try await browser.post(base + "/claims/\(claim.id)/votes", ["member_id": member.id.uuidString, "approve": "yes"]).status == .seeOther)
            }
            let short = try await browser.post(base + "/claims/\(claim.id)/payout", [:])
            #expect(short.status == .unprocessableEntity)
            #expect(short.body.string.contains("В фонде только 1\u{202F}000 сом"))
            #expect(try await browser.get(base).body.string.contains("одобрена"))
        }
    }

    @Test("Equipment on the web: an overlapping booking is refused with the days it clashes with; hand-over and return charge the fee")
    func equipment() async throws {
        try await withAshar { app, fixture in
            let (group, members, browser) = try await Self.group(app, fixture)
            let added = try await browser.post("/producer-groups/\(group.id)/equipment", ["name": "Сушилка", "fee": "300", "unit": "day",
                                                                                          "paid_\(members[0].id)": "2000", "paid_\(members[1].id)": "1000"])
            let itemPath = try #require(added.headers.first(name: .location))
            #expect(try await browser.get(itemPath).body.string.contains("66.67 %"))
            #expect(try await browser.post(itemPath + "/bookings", ["member_id": members[0].id.uuidString, "first_day": "2026-07-01", "last_day": "2026-07-02"]).status == .seeOther)
            let clash = try await browser.post(itemPath + "/bookings", ["member_id": members[1].id.uuidString, "first_day": "2026-07-02", "last_day": "2026-07-05"])
            #expect(clash.status == .unprocessableEntity && clash.body.string.contains("Уже забронировано с 2026-07-01 по 2026-07-02"))
            let booking = try #require(try await EquipmentService(db: app.db).bookings(UUID(uuidString: String(itemPath.dropFirst("/equipment/".count)))!).first)
            #expect(try await browser.post(itemPath + "/bookings/\(booking.id)/handover", ["condition": "Чистая"]).status == .seeOther)
            #expect(try await browser.post(itemPath + "/bookings/\(booking.id)/return", ["condition": "Хорошо", "usage": "2"]).status == .seeOther)
            #expect(try await MemberAccountService(db: app.db).account(members[0].id).balance == -60_000)
        }
    }

    @Test("Suppliers on the web: a firm of the registry, a price list pasted as CSV with a wrong line refused by its number, then imported and offered in a round")
    func suppliers() async throws {
        try await withAshar { app, fixture in
            let (group, _, browser) = try await Self.group(app, fixture)
            let firm = try await Factories(db: app.db).organisation("Агро-Сервис", kind: .business, in: fixture.village, phone: "0777 410 520")
            #expect(try await browser.post("/producer-groups/\(group.id)/suppliers", ["organisation_id": firm.id.uuidString, "kind": "supplier"]).status == .seeOther)
            let listed = try await browser.get("/producer-groups/\(group.id)/suppliers").body.string
            #expect(listed.contains("777 410 520"))
            let path = "/producer-groups/\(group.id)/suppliers/\(firm.id)"
            let refused = try await browser.post(path + "/price-list", ["text": "name,unit,package_size,tiers\nКартошка,кг,50,1:30\nТяпка,шт,1,дорого\n"])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("Строка 3"))
            #expect(try await CounterpartyService(db: app.db).catalogue(firm.id).isEmpty)
            let imported = try await browser.post(path + "/price-list", ["text": "name,unit,package_size,tiers\nКартошка,кг,50,1:30; 500:24\n"])
            #expect(imported.status == .ok)
            let item = try #require(try await CounterpartyService(db: app.db).catalogue(firm.id).first)
            let round = try await PurchaseRoundService(db: app.db).create(group.id, supplierID: firm.id, deadline: Date().addingTimeInterval(86_400),
                                                                          allocation: .firstCome, by: .system)
            #expect(try await browser.get("/rounds/\(round.id)").body.string.contains("Агро-Сервис: Картошка (50 кг)"))
            #expect(try await browser.post("/rounds/\(round.id)/catalogue", ["catalogue_id": item.id.uuidString]).status == .seeOther)
            #expect(try await PurchaseRoundService(db: app.db).articles(round.id).first?.tiers.last?.unitPrice == 2_400)
        }
    }

    @Test("Reports: five charts, each with its CSV; the CSV's figures are tyiyn")
    func reports() async throws {
        try await withAshar { app, fixture in
            let (group, members, browser) = try await Self.group(app, fixture)
            try await GroupFundService(db: app.db).payDues(members[0].id, amount: 12_345, by: .system)
            let page = try await browser.get("/producer-groups/\(group.id)/reports").body.string
            #expect(page.components(separatedBy: "<svg").count == 6)
            let csv = try await browser.get("/producer-groups/\(group.id)/reports/fund.csv")
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains(",12345,"))
            #expect(try await browser.get("/producer-groups/\(group.id)/reports/nothing.csv").status == .notFound)
        }
    }
}
