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

            #expect(try await browser.post(roundPath + "/close", [:]).status == .seeOther)
            #expect(try await browser.post(roundPath + "/costs", ["label": "Транспорт", "amount": "1 500", "split_by": "weight"]).status == .seeOther)
            #expect(try await browser.post(roundPath + "/receipt", ["received_\(article.id)": "95"]).status == .seeOther)
            let settled = try await browser.get(roundPath).body.string
            #expect(settled.contains("Картошка: 95 кг = 2\u{202F}850"))   // 95 kg at 30 som
            #expect(settled.contains("4\u{202F}350"))                      // with 1,500 som of transport
        }
    }
}
