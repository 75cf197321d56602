@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Testing
import TimeBank
import Vapor
import VaporTesting

@Suite("Time bank pages")
struct TimeBankPageTests {
    @Test("The office books a paper slip by member numbers; errors stand beside the fields; a slip is never booked twice")
    func bookSlip() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("coordinator")
            let page = try await browser.get("/timebanks/\(fixture.bank.id)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains(m[1].memberNumber))
            let fields = ["provider": m[1].memberNumber, "recipient": m[2].memberNumber, "hours": "2", "minutes": "30",
                          "service_date": "2026-11-20", "slip_number": "A-17"]
            let booked = try await browser.post("/timebanks/\(fixture.bank.id)/exchanges", fields)
            #expect(booked.status == .ok)
            #expect(booked.body.string.contains("Проведено"))
            #expect(booked.body.string.contains("2 часа 30 минут"))
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[2].id).balanceMinutes == -150)
            let twice = try await browser.post("/timebanks/\(fixture.bank.id)/exchanges", fields)
            #expect(twice.status == .unprocessableEntity || twice.status == .conflict)
            #expect(twice.body.string.contains("Квитанция №A-17 уже проведена."))
            var unknown = fields
            unknown["provider"] = "9999"
            unknown["slip_number"] = "A-18"
            unknown["minutes"] = "75"
            let bad = try await browser.post("/timebanks/\(fixture.bank.id)/exchanges", unknown)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("В этом банке нет участницы с номером 9999."))
            #expect(bad.body.string.contains("Укажите часы и минуты"))
            #expect(try await TimeTransfer.query(on: app.db).count() == 1)
        }
    }

    @Test("A printed statement has forty lines to a page, each page headed with the balance it brings forward, in Kyrgyz")
    func printedStatement() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let ledger = Ledger(db: app.db)
            for i in 0..<85 {
                _ = try await ledger.record(ExchangeDraft(bankID: fixture.bank.id, provider: i % 2 == 0 ? m[0].id : m[1].id,
                                                          recipient: i % 2 == 0 ? m[1].id : m[0].id, minutes: 61, serviceDate: "2026-11-20"),
                                            by: .system)
            }
            let staff = Browser(app, acceptLanguage: "ky")
            try await staff.login("coordinator")
            let html = try await staff.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)").body.string
            #expect(html.components(separatedBy: "<section class=\"statement-page\">").count - 1 == 3)
            #expect(html.contains("3 беттин 1-бети") && html.contains("3 беттин 3-бети"))
            // Page 2 starts after forty lines: twenty earned and twenty paid, so it brings forward nothing.
            #expect(html.contains("Мурунку беттен калдык:</span> 0 мүнөт"))
            #expect(html.contains("+1 саат 1 мүнөт"))

            // The rows are written without the template's escaping: a note is still only text.
            _ = try await ledger.record(ExchangeDraft(bankID: fixture.bank.id, provider: m[0].id, recipient: m[1].id, minutes: 30,
                                                      serviceDate: "2026-11-21", note: #"Той "Ак жол" <script>x()</script> & ко'"#), by: .system)
            let last = try await staff.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)").body.string
            #expect(last.contains("<small>Той &quot;Ак жол&quot; &lt;script&gt;x()&lt;/script&gt; &amp; ко&#39;</small>"))
            #expect(!last.contains("<script>x()"))
        }
    }

    @Test("A statement shows the running balance; staff reverse a mistake; a member sees only her own")
    func statement() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let ledger = Ledger(db: app.db)
            let t = try await ledger.record(ExchangeDraft(bankID: fixture.bank.id, provider: m[0].id, recipient: m[1].id, minutes: 90,
                                                          serviceDate: "2026-11-20"), by: .system)
            let staff = Browser(app, acceptLanguage: "en")
            try await staff.login("coordinator")
            let page = try await staff.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("1 hour 30 minutes"))
            #expect(page.body.string.contains("<title>Statement · Ashar</title>"))
            // The statement offers the reversal; it is asked once more, showing what it undoes, before it is booked.
            let confirm = "/timebanks/\(fixture.bank.id)/transfers/\(t.id)/reversal"
            #expect(page.body.string.contains("\(confirm)?member=\(m[0].id)"))
            let asked = try await staff.get("\(confirm)?member=\(m[0].id)")
            #expect(asked.status == .ok)
            #expect(asked.body.string.contains("Reverse this exchange?"))
            #expect(asked.body.string.contains("1 hour 30 minutes"))
            #expect(asked.body.string.contains("action=\"\(confirm)\""))
            #expect(try await ledger.account(fixture.bank.id, member: m[0].id).balanceMinutes == 90)
            let reversed = try await staff.post(confirm, ["member_id": m[0].id.uuidString, "note": "Slip typed twice"])
            #expect(reversed.status == .seeOther)
            #expect(reversed.headers.first(name: .location) == "/timebanks/\(fixture.bank.id)/members/\(m[0].id)")
            #expect(try await ledger.account(fixture.bank.id, member: m[0].id).balanceMinutes == 0)
            // Offered once: neither the reversed exchange nor its reversal can be reversed from the statement.
            let after = try await staff.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)").body.string
            #expect(after.contains("<small>Slip typed twice · Correction (reversal)</small>"))
            #expect(!after.contains("/reversal?"))
            let again = try await staff.get("\(confirm)?member=\(m[0].id)").body.string
            #expect(again.contains("This exchange has already been reversed."))
            #expect(!again.contains("action=\"\(confirm)\""))

            let member = Browser(app, acceptLanguage: "ky")
            try await member.login("member", Fixture.pin)
            let me = try await member.get("/me")
            #expect(me.body.string.contains("/timebanks/\(fixture.bank.id)/members/\(m[0].id)"))
            #expect(try await member.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)").status == .ok)
            #expect(try await member.get("/timebanks/\(fixture.bank.id)/members/\(m[1].id)").status == .forbidden)
            #expect(try await member.get("/timebanks/\(fixture.bank.id)").status == .forbidden)
        }
    }

    @Test("A woman of the registry joins the bank from her page")
    func joinFromPersonPage() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let page = try await browser.get("/people/\(fixture.member.id)")
            #expect(page.body.string.contains("Make her a member of \(fixture.bank.name)"))
            let joined = try await browser.post("/timebanks/\(fixture.bank.id)/members", ["person_id": fixture.member.id.uuidString])
            #expect(joined.status == .seeOther)
            let after = try await browser.get("/people/\(fixture.member.id)")
            #expect(after.body.string.contains("СР-001"))
            #expect(!after.body.string.contains("Make her a member of"))
            #expect(try await TimeBankService(db: app.db).memberships(of: fixture.member.id).count == 1)
        }
    }
}

@Suite("Time bank paper and files")
struct TimeBankFileTests {
    @Test("The register lists every member with her balance; the statement comes as CSV named by member number")
    func registerAndCSV() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            _ = try await Ledger(db: app.db).record(ExchangeDraft(bankID: fixture.bank.id, provider: m[0].id, recipient: m[1].id, minutes: 75,
                                                                  serviceDate: "2026-11-20", note: "жемиш, алма"), by: .system)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let register = try await browser.get("/timebanks/\(fixture.bank.id)/register")
            #expect(register.status == .ok)
            for member in m { #expect(register.body.string.contains(member.memberNumber)) }
            #expect(register.body.string.contains("1 hour 15 minutes"))
            let csv = try await browser.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)/statement.csv")
            #expect(csv.status == .ok)
            #expect(csv.headers.first(name: .contentDisposition)?.contains("statement-\(m[0].memberNumber).csv") == true)
            let lines = csv.body.string.split(separator: "\r\n")
            #expect(lines.count == 2)
            #expect(lines[1].hasPrefix("2026-11-20,"))
            #expect(lines[1].contains(",75,75,\"жемиш, алма\","))
            let card = try await browser.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)/card")
            #expect(card.status == .ok && card.body.string.contains(m[0].memberNumber) && card.body.string.contains(fixture.member.fullName))
            let slips = try await browser.get("/timebanks/\(fixture.bank.id)/slips")
            #expect(slips.status == .ok && slips.body.string.contains("paper-slip") && slips.body.string.contains(m[2].memberNumber))
            let member = Browser(app)
            try await member.login("member", Fixture.pin)
            #expect(try await member.get("/timebanks/\(fixture.bank.id)/register").status == .forbidden)
            #expect(try await member.get("/timebanks/\(fixture.bank.id)/members/\(m[0].id)/card").status == .forbidden)
            #expect(try await member.get("/timebanks/\(fixture.bank.id)/members/\(m[1].id)/statement.csv").status == .forbidden)
        }
    }

    @Test("A bank adds a kind of service of its own; it is offered when booking")
    func ownCategory() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankAPITests.openBank(app, fixture)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            try await browser.get("/timebanks/\(fixture.bank.id)")
            let missing = try await browser.post("/timebanks/\(fixture.bank.id)/categories", ["name_ky": "Нан бышыруу", "name_ru": "", "name_en": "Baking"])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.string.contains("Write the name"))
            let added = try await browser.post("/timebanks/\(fixture.bank.id)/categories", ["name_ky": "Нан бышыруу", "name_ru": "Выпечка хлеба", "name_en": "Baking bread"])
            #expect(added.status == .seeOther)
            #expect(try await browser.get("/timebanks/\(fixture.bank.id)").body.string.contains("Baking bread"))
            #expect(try await CategoryService(db: app.db).available(to: fixture.bank.id).count == 11)
            #expect(try await CategoryService(db: app.db).available(to: nil).count == 10)
        }
    }
}

@Suite("CSV")
struct CSVTests {
    @Test func quotesWhatNeedsQuoting() {
        #expect(CSV.field("plain") == "plain")
        #expect(CSV.field("a, b") == "\"a, b\"")
        #expect(CSV.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSV.field("=SUM(A1)") == "'=SUM(A1)")
        #expect(CSV.field("-75") == "-75")
        #expect(CSV.render([["a", "b"], ["1", "2"]]) == "\u{FEFF}a,b\r\n1,2\r\n")
    }
}

@Suite("Batch entry")
struct BatchEntryTests {
    @Test("Check names the members; Book books the good rows and keeps each bad row with its reason")
    func batch() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            #expect(try await browser.get("/timebanks/\(fixture.bank.id)/batch").status == .ok)
            var fields: [String: String] = ["action": "check"]
            func row(_ i: Int, _ slip: String, _ from: String, _ to: String, _ h: String, _ min: String) {
                fields["rows[\(i)][slip_number]"] = slip
                fields["rows[\(i)][provider]"] = from
                fields["rows[\(i)][recipient]"] = to
                fields["rows[\(i)][hours]"] = h
                fields["rows[\(i)][minutes]"] = min
                fields["rows[\(i)][service_date]"] = "2026-11-20"
            }
            row(0, "B-1", m[0].memberNumber, m[1].memberNumber, "1", "0")
            row(1, "B-2", m[1].memberNumber, "9999", "0", "30")
            row(2, "B-3", m[2].memberNumber, m[0].memberNumber, "0", "75")
            row(3, "B-1", m[2].memberNumber, m[1].memberNumber, "2", "")
            let checked = try await browser.post("/timebanks/\(fixture.bank.id)/batch", fields)
            #expect(checked.status == .ok)
            #expect(checked.body.string.contains("Осмонова Бурул"))
            #expect(checked.body.string.contains("This bank has no member number 9999."))
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)

            fields["action"] = "book"
            let booked = try await browser.post("/timebanks/\(fixture.bank.id)/batch", fields)
            #expect(booked.status == .unprocessableEntity)
            #expect(booked.body.string.contains("1 slip booked."))
            #expect(booked.body.string.contains("This bank has no member number 9999."))
            #expect(booked.body.string.contains("Write hours and minutes"))
            #expect(booked.body.string.contains("Slip B-1 is already booked."))
            #expect(try await TimeTransfer.query(on: app.db).count() == 1)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[1].id).balanceMinutes == -60)
        }
    }

    @Test("A batch from the offline queue: answered in JSON, each refused row to resolve; sent again, nothing is booked twice")
    func queuedBatch() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            _ = try await browser.get("/timebanks/\(fixture.bank.id)/batch")
            // Two rows without slip numbers (nothing but the key tells a copy from a new exchange) and one the ledger refuses.
            let fields: [String: String] = [
                "action": "book",
                "rows[0][provider]": m[0].memberNumber, "rows[0][recipient]": m[1].memberNumber, "rows[0][hours]": "1", "rows[0][service_date]": "2026-11-20",
                "rows[1][provider]": m[2].memberNumber, "rows[1][recipient]": m[0].memberNumber, "rows[1][minutes]": "30", "rows[1][service_date]": "2026-11-21",
                "rows[2][provider]": m[0].memberNumber, "rows[2][recipient]": m[1].memberNumber, "rows[2][hours]": "40", "rows[2][service_date]": "2026-11-22",
            ]
            let queued = [("Idempotency-Key", "7f0c2a9e-offline-1"), ("Accept", "application/json")]
            func send() async throws -> (status: HTTPStatus, answer: [String: Any]) {
                let response = try await browser.post("/timebanks/\(fixture.bank.id)/batch", fields, headers: queued)
                return (response.status, try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]))
            }
            let first = try await send()
            #expect(first.status == .unprocessableEntity)
            #expect(first.answer["booked"] as? Int == 2)
            #expect(first.answer["message"] as? String == "2 slips booked.")
            let refused = try #require(first.answer["refused"] as? [[String: Any]])
            #expect(refused.count == 1 && refused[0]["index"] as? Int == 2)
            #expect((refused[0]["row"] as? [String: Any])?["hours"] as? String == "40")
            #expect((refused[0]["errors"] as? [String])?.first?.isEmpty == false)
            #expect(try await TimeTransfer.query(on: app.db).count() == 2)

            // The answer was lost on the way: the queue sends the same batch again.
            let again = try await send()
            #expect(again.answer["booked"] as? Int == 2)
            #expect((again.answer["refused"] as? [[String: Any]])?.count == 1)
            #expect(try await TimeTransfer.query(on: app.db).count() == 2)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[1].id).balanceMinutes == -60)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[0].id).balanceMinutes == 30)

            // Another batch (another key) with the same rows is new exchanges.
            let other = try await browser.post("/timebanks/\(fixture.bank.id)/batch", fields.filter { !$0.key.hasPrefix("rows[2]") },
                                               headers: [("Idempotency-Key", "7f0c2a9e-offline-2"), ("Accept", "application/json")])
            #expect(other.status == .ok)
            #expect(try await TimeTransfer.query(on: app.db).count() == 4)
        }
    }

    @Test("Installable on a phone, the batch page kept for offline: a manifest with its icons, the service worker at the root")
    func installable() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankAPITests.openBank(app, fixture)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let page = try await browser.get("/timebanks/\(fixture.bank.id)/batch")
            let html = page.body.string
            #expect(html.contains(#"<link rel="manifest" href="/manifest.json">"#))
            #expect(html.contains(#"<script src="/js/offline.js" defer></script>"#))
            #expect(html.contains(#"data-offline="batch:\#(fixture.bank.id)""#))
            #expect(html.contains("id=\"outbox\"") && html.contains("No connection. What you send waits on this device"))
            let manifest = try await app.testing().sendRequest(.GET, "/manifest.json")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(manifest.body.readableBytesView)) as? [String: Any])
            #expect(json["start_url"] as? String == "/" && json["display"] as? String == "standalone")
            let icons = try #require(json["icons"] as? [[String: String]])
            #expect(Set(icons.compactMap { $0["sizes"] }).isSuperset(of: ["192x192", "512x512"]))
            for icon in icons {
                let (src, type) = (try #require(icon["src"]), try #require(icon["type"]))
                let fetched = try await app.testing().sendRequest(.GET, src)
                #expect(fetched.status == .ok && fetched.headers.contentType?.description.hasPrefix(type) == true, "\(icon)")
            }
            let worker = try await app.testing().sendRequest(.GET, "/sw.js")
            #expect(worker.status == .ok && worker.headers.contentType?.subType == "javascript")
            // It keeps the pages typed into offline, and no other (a list of people, a case).
            #expect(worker.body.string.contains(#"/^\/timebanks\/[0-9A-Fa-f-]{36}\/batch$/"#))
        }
    }

    @Test("A row is checked as it is typed: names for numbers, its problems, a slip booked before")
    func rowCheckedAsTyped() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            _ = try await Ledger(db: app.db).record(ExchangeDraft(bankID: fixture.bank.id, provider: m[0].id, recipient: m[1].id, minutes: 30,
                                                                  serviceDate: "2026-11-20", slipNumber: "C-1"), by: .system)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let page = try await browser.get("/timebanks/\(fixture.bank.id)/batch")
            #expect(page.body.string.contains("<script src=\"/js/batch.js\" defer></script>"))
            let path = "/timebanks/\(fixture.bank.id)/batch/row"
            let good = try await browser.post(path, ["provider": m[0].memberNumber, "recipient": m[2].memberNumber, "hours": "1",
                                                     "service_date": "2026-11-20"])
            #expect(good.status == .ok)
            let answer = try #require(try JSONSerialization.jsonObject(with: Data(good.body.readableBytesView)) as? [String: Any])
            #expect(answer["providerName"] as? String == "Асанова Гүлнара")
            #expect((answer["errors"] as? [String])?.isEmpty == true)
            let bad = try await browser.post(path, ["provider": "9999", "recipient": m[2].memberNumber, "minutes": "75", "slip_number": "C-1",
                                                    "service_date": "2026-11-20"])
            let errors = try #require((try JSONSerialization.jsonObject(with: Data(bad.body.readableBytesView)) as? [String: Any])?["errors"] as? [String])
            #expect(errors.contains("This bank has no member number 9999."))
            #expect(errors.contains("Slip C-1 is already booked."))
            #expect(errors.contains { $0.hasPrefix("Write hours and minutes") })
            #expect(try await TimeTransfer.query(on: app.db).count() == 1)
            let script = try await app.testing().sendRequest(.GET, "/js/batch.js")
            #expect(script.status == .ok && script.body.string.contains("form.dataset.rowCheck"))
        }
    }
}

@Suite("Board pages")
struct BoardPageTests {
    @Test("Staff post an offer and a request for members; the request shows the offer that answers it")
    func board() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let weddings = try #require(try await CategoryService(db: app.db).available(to: nil).first { $0.code == "weddings" })
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            #expect(try await browser.get("/timebanks/\(fixture.bank.id)/board").status == .ok)
            let bad = try await browser.post("/timebanks/\(fixture.bank.id)/board", ["member": "9999", "kind": "offer", "description": "x"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("This bank has no member number 9999."))
            #expect(try await browser.post("/timebanks/\(fixture.bank.id)/board", ["member": m[1].memberNumber, "kind": "offer",
                                                                                  "category_id": weddings.id.uuidString, "description": "I cook plov for weddings"]).status == .seeOther)
            #expect(try await browser.post("/timebanks/\(fixture.bank.id)/board", ["member": m[0].memberNumber, "kind": "request",
                                                                                  "category_id": weddings.id.uuidString, "description": "Help with my daughter's wedding"]).status == .seeOther)
            let list = try await browser.get("/timebanks/\(fixture.bank.id)/board?kind=request")
            #expect(list.body.string.contains("Help with my daughter") && !list.body.string.contains("I cook plov"))
            let request = try #require(try await BoardService(db: app.db).search(fixture.bank.id, kind: .request, categoryID: nil, villageID: nil,
                                                                                 text: nil, page: PageQuery()).items.first)
            let matches = try await browser.get("/timebanks/\(fixture.bank.id)/board/\(request.id)")
            #expect(matches.status == .ok)
            #expect(matches.body.string.contains("I cook plov for weddings"))
        }
    }
}

@Suite("Exchange sheets on paper and back")
struct ExchangeSheetTests {
    @Test("Sheets print with a code and a QR code each; a filled sheet comes back as CSV: errors by line and nothing booked, else all of it once")
    func roundTrip() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            let printed = try await browser.get("/timebanks/\(fixture.bank.id)/sheets?count=3").body.string
            let codes = printed.matches(of: /<strong>(\d{8}-\d{4}-\d)<\/strong>/).map { String($0.1) }
            #expect(codes.count == 3 && Set(codes).count == 3)
            #expect(printed.components(separatedBy: "<svg").count - 1 == 3, "a QR code on each sheet")
            #expect(printed.components(separatedBy: "<tr><td>18</td>").count - 1 == 3, "18 rows on each sheet")
            #expect(printed.contains("<li><strong>\(m[1].memberNumber)</strong> Осмонова Бурул</li>"), "whose number is whose, after the sheets")
            let opened = try await browser.get("/timebanks/\(fixture.bank.id)/sheets/import?sheet=\(codes[0])").body.string
            #expect(opened.contains("Sheet \(codes[0])."))
            let sample = try await browser.get("/timebanks/\(fixture.bank.id)/sheets/sample.csv")
            #expect(sample.body.string.contains("sheet,line,slip_number,provider,recipient,hours,minutes,service_date"))

            let path = "/timebanks/\(fixture.bank.id)/sheets/import"
            let (a, b, c) = (m[0].memberNumber, m[1].memberNumber, m[2].memberNumber)
            // Russian Excel: semicolons, headers in Russian.
            let wrong = """
                лист;строка;квитанция;кто помог;кто получил;часы;минуты;дата
                \(codes[0]);1;;\(a);\(b);2;0;2026-11-20
                \(codes[0]);2;;\(a);9999;1;0;2026-11-20
                \(codes[0]);3;;\(b);\(c);0;75;2026-11-21
                \(codes[0]);1;;\(c);\(a);1;0;2030-01-01
                """
            let refused = try await browser.post(path, ["text": wrong])
            #expect(refused.status == .unprocessableEntity)
            let page = refused.body.string
            #expect(page.contains("This bank has no member number 9999."))
            #expect(page.contains("Write hours and minutes (0–59) as numbers."))
            #expect(page.contains("Slip \(codes[0])/1 is also on line 2."))
            #expect(page.contains(#"<td data-label="Line">3</td>"#) && page.contains(#"<td data-label="Line">5</td>"#))
            #expect(!page.contains(#"<td data-label="Line">2</td>"#), "the good line is not listed")
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)

            // One line the ledger refuses (past the −10 h limit) refuses the file.
            let limit = "sheet,line,provider,recipient,hours,minutes,service_date\n\(codes[1]),1,\(a),\(b),2,0,2026-11-20\n\(codes[1]),2,\(a),\(c),11,0,2026-11-20\n"
            let overLimit = try await browser.post(path, ["text": limit])
            #expect(overLimit.status == .unprocessableEntity && overLimit.body.string.contains(#"<td data-label="Line">3</td>"#))
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)

            let good = "sheet,line,slip_number,provider,recipient,hours,minutes,service_date\n\(codes[2]),1,,\(a),\(b),2,0,2026-11-20\n\(codes[2]),2,B-7,\(b),\(c),,45,2026-11-21\n"
            let booked = try await browser.post(path, ["text": good])
            #expect(booked.status == .ok && booked.body.string.contains("2 slips booked."))
            #expect(try await TimeTransfer.query(on: app.db).count() == 2)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[1].id).balanceMinutes == -120 + 45)
            // The same sheet typed in again: refused line by line, nothing booked twice.
            let again = try await browser.post(path, ["text": good])
            #expect(again.status == .unprocessableEntity && again.body.string.contains("Slip \(codes[2])/1 is already booked.")
                    && again.body.string.contains("Slip B-7 is already booked."))
            #expect(try await TimeTransfer.query(on: app.db).count() == 2)
            // Excel in Russian saves CSV as Windows-1251: read as such, Russian headers and all.
            let excel = "лист;строка;кто помог;кто получил;часы;минуты;дата\r\n\(codes[0]);1;\(c);\(a);1;0;2026-11-22\r\n"
            let cp1251 = try #require(excel.data(using: .windowsCP1251))
            #expect(String(data: cp1251, encoding: .utf8) == nil, "not UTF-8")
            let fromExcel = try await browser.upload(path, data: cp1251, named: "лист.csv")
            #expect(fromExcel.status == .ok && fromExcel.body.string.contains("1 slip booked."))
            #expect(try await TimeTransfer.query(on: app.db).count() == 3)
        }
    }
}
