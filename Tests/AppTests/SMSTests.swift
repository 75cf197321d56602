@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Testing
@testable import TimeBank
import Vapor
import VaporTesting

/// The SMS gateway as tests see it: what Ashar gave it to send, in order. (It stands in for the
/// operator's network, not for Ashar's own code.)
actor RecordingGateway: SMSGateway {
    private(set) var sent: [SMSMessage] = []
    var refuses = false

    func send(_ message: SMSMessage) async throws {
        if refuses { throw SMSGatewayError.refused(503) }
        sent.append(message)
    }

    func refuse() { refuses = true }
}

actor ReceivedForms {
    private(set) var forms: [[String: String]] = []
    private(set) var tokens: [String?] = []
    func add(_ form: [String: String], token: String?) { forms.append(form); tokens.append(token) }
}

@Suite("SMS: what a member texts, and what she gets back")
struct SMSRulesTests {
    /// The pilot's service categories, as every database has them.
    static let pilot = SeedPilotCategories.pilot.map {
        CategoryRecord(id: UUID(), code: $0.code, name: LocalizedName(ky: $0.ky, ru: $0.ru, en: $0.en), bankID: nil)
    }

    @Test("Keywords in the three languages and in Latin letters; the language of the keyword, none for BAL and OFFERS")
    func keywords() {
        #expect(SMSRequest.parse("BAL 1234") == (.balance(memberNumber: "1234"), nil))
        #expect(SMSRequest.parse("bal") == (.balance(memberNumber: nil), nil))
        #expect(SMSRequest.parse("Калдык №0007") == (.balance(memberNumber: "0007"), .ky))
        #expect(SMSRequest.parse("kaldyk 12") == (.balance(memberNumber: "12"), .ky))
        #expect(SMSRequest.parse("БАЛАНС #12") == (.balance(memberNumber: "12"), .ru))
        #expect(SMSRequest.parse("СУНУШ тамак") == (.offers(category: "тамак"), .ky))
        #expect(SMSRequest.parse("uslugi remont doma") == (.offers(category: "remont doma"), .ru))
        #expect(SMSRequest.parse("OFFERS") == (.help, nil))
        #expect(SMSRequest.parse("салам") == (.help, nil))
    }

    @Test("Every reply fits one SMS of Cyrillic (70 characters) in each language, with the longest values it can carry")
    func repliesFit() {
        for locale in AppLocale.allCases {
            let say = Translations.bundled[locale]
            let longestCategory = Self.pilot.map { $0.name.named(locale.rawValue) }.max { $0.count < $1.count } ?? ""
            let replies = [
                say.text("sms.help"),
                say.text("sms.balance", ["number": "CP-0123", "balance": say.duration(-(10 * 60 + 45))]),
                say.text("sms.balance.not-yours", ["number": "CP-0123"]),
                say.text("sms.balance.which", ["numbers": "0001, 0002, 0003"]),
                say.text("sms.unknown-phone"), say.text("sms.not-a-member"), say.text("sms.offers.unknown-category"),
                say.text("sms.offers.none", ["category": longestCategory]),
            ]
            for reply in replies {
                #expect(reply.utf16.count <= SMSConversation.length, "\(locale.rawValue): \(reply.utf16.count) — \(reply)")
            }
        }
    }

    @Test("A service named by any word of any of its names, or its code")
    func categories() {
        let all = Self.pilot
        #expect(SMSConversation.category(named: "тамак", among: all)?.code == "cooking")
        #expect(SMSConversation.category(named: "ремонт", among: all)?.code == "repair")
        #expect(SMSConversation.category(named: "tamak", among: all)?.code == "cooking")
        #expect(SMSConversation.category(named: "harvest", among: all)?.code == "harvest")
        #expect(SMSConversation.category(named: "тигүү", among: all)?.code == "sewing")
        #expect(SMSConversation.category(named: "кемпир", among: all) == nil)
    }
}

@Suite("SMS through the gateway")
struct SMSGatewayTests {
    /// A bank with three members; the first has a registered phone and reads Russian; the second offers cooking.
    static func network(_ app: Application, _ fixture: Fixture) async throws -> ([MemberRecord], RecordingGateway) {
        let members = try await TimeBankAPITests.openBank(app, fixture)
        var draft = PersonDraft(try await PeopleService(db: app.db).get(members[0].personID))
        draft.phone = "0555 100 200"
        draft.language = "ru"
        _ = try await PeopleService(db: app.db).update(members[0].personID, draft, by: .system)
        let cooking = try #require(try await CategoryService(db: app.db).available(to: fixture.bank.id).first { $0.code == "cooking" })
        _ = try await BoardService(db: app.db).post(fixture.bank.id, ListingDraft(memberID: members[1].id, kind: .offer, categoryID: cooking.id,
                                                                                   description: "Той үчүн плов"), by: .system)
        _ = try await Ledger(db: app.db).record(ExchangeDraft(bankID: fixture.bank.id, provider: members[0].id, recipient: members[2].id,
                                                              minutes: 150, serviceDate: "2026-11-20"), by: .system)
        let gateway = RecordingGateway()
        app.sms = gateway
        app.smsWebhookSecret = "gateway-secret"
        return (members, gateway)
    }

    static func text(_ app: Application, from: String, _ text: String, secret: String? = "gateway-secret") async throws -> HTTPStatus {
        var headers = HTTPHeaders()
        if let secret { headers.add(name: "X-SMS-Secret", value: secret) }
        headers.contentType = .urlEncodedForm
        var body = URLComponents()
        body.queryItems = [URLQueryItem(name: "from", value: from), URLQueryItem(name: "text", value: text)]
        return try await app.testing().sendRequest(.POST, "/sms/inbound", headers: headers,
                                                   body: ByteBuffer(string: body.percentEncodedQuery!.replacingOccurrences(of: "+", with: "%2B"))).status
    }

    @Test("Her balance in her language, to her registered phone only; offers near her; anything else a short help")
    func conversation() async throws {
        try await withAshar { app, fixture in
            let (m, gateway) = try await Self.network(app, fixture)
            #expect(try await Self.text(app, from: "+996 555 100 200", "BAL \(m[0].memberNumber)", secret: nil) == .unauthorized)
            #expect(try await Self.text(app, from: "+996 555 100 200", "BAL \(m[0].memberNumber)", secret: "guess") == .unauthorized)
            #expect(await gateway.sent.isEmpty)

            #expect(try await Self.text(app, from: "+996 555 100 200", "BAL \(m[0].memberNumber)") == .ok)
            #expect(try await Self.text(app, from: "0555100200", "калдык") == .ok)
            #expect(try await Self.text(app, from: "0555 100 200", "BAL \(m[1].memberNumber)") == .ok)
            #expect(try await Self.text(app, from: "0700 999 888", "BAL \(m[0].memberNumber)") == .ok)
            #expect(try await Self.text(app, from: "0555 100 200", "OFFERS cooking") == .ok)
            #expect(try await Self.text(app, from: "0555 100 200", "СУНУШ кемпир") == .ok)
            #expect(try await Self.text(app, from: "0555 100 200", "салам") == .ok)
            let sent = await gateway.sent
            #expect(sent.map(\.to) == Array(repeating: "996555100200", count: 3) + ["996700999888"] + Array(repeating: "996555100200", count: 3))
            #expect(sent.map(\.text) == [
                "Баланс \(m[0].memberNumber): 2 часа 30 минут",           // BAL: in the language she reads
                "Калдык \(m[0].memberNumber): 2 саат 30 мүнөт",           // КАЛДЫК: in Kyrgyz
                "Участницы \(m[1].memberNumber) с этим телефоном нет. Спросите в офисе.",   // another woman's number
                "Бул телефон катталган эмес. Банктын кеңсесине кайрылыңыз.",   // a phone nobody registered: not even whose number it is
                "Приготовление еды для мероприятий: Бурул \(m[1].memberNumber)",
                "Мындай кызмат жок. Мисалы: СУНУШ тамак, СУНУШ түшүм",
                "БАЛАНС 0001 — ваш баланс; УСЛУГИ ремонт — предложения рядом",
            ])
            #expect(sent.allSatisfy { $0.text.utf16.count <= SMSConversation.length })
        }
    }

    @Test("A gateway that does not take the reply gets 502 to try again; without a secret there is no webhook")
    func gatewayDown() async throws {
        try await withAshar { app, fixture in
            let (m, gateway) = try await Self.network(app, fixture)
            await gateway.refuse()
            #expect(try await Self.text(app, from: "0555 100 200", "BAL \(m[0].memberNumber)") == .badGateway)
            app.smsWebhookSecret = nil
            #expect(try await Self.text(app, from: "0555 100 200", "BAL \(m[0].memberNumber)", secret: nil) == .notFound)
        }
    }

    @Test("The HTTP gateway adapter posts `to` and `text` with its token to the operator, and reports a refusal")
    func httpGateway() async throws {
        // The operator's side: a server of its own on a free port that keeps what it is given.
        let operatorServer = try await Application.make(.testing)
        let client = try await Application.make(.testing)
        let received = ReceivedForms()
        operatorServer.post("send") { req async throws -> HTTPStatus in
            let fields = try req.content.decode([String: String].self)
            await received.add(fields, token: req.headers.bearerAuthorization?.token)
            return fields["to"] == "996000000000" ? .serviceUnavailable : .accepted
        }
        do {
            try await operatorServer.server.start(address: .hostname("127.0.0.1", port: 0))
            let port = try #require(operatorServer.http.server.shared.localAddress?.port)
            let gateway = HTTPSMSGateway(client: client.client, url: URI(string: "http://127.0.0.1:\(port)/send"), token: "operator-token")
            try await gateway.send(SMSMessage(to: "996555100200", text: "Баланс 0001: 2 часа"))
            await #expect(throws: SMSGatewayError.self) { try await gateway.send(SMSMessage(to: "996000000000", text: "—")) }
            #expect(await received.forms.first == ["to": "996555100200", "text": "Баланс 0001: 2 часа"])
            #expect(await received.tokens.first == "operator-token")
        } catch {
            Issue.record(error)
        }
        await operatorServer.server.shutdown()
        try await client.asyncShutdown()
        try await operatorServer.asyncShutdown()
    }

    @Test("A coordinator texts a reminder to her group: those with a phone who agreed; the count audited, not the text")
    func reminder() async throws {
        try await withAshar { app, fixture in
            let gateway = RecordingGateway()
            app.sms = gateway
            let make = Factories(db: app.db)
            let org = try await make.organisation("Жибек", kind: .producerGroup, in: fixture.village)
            let groups = ProducerGroupService(db: app.db)
            let group = try await groups.open(org.id, by: .system)
            for (name, phone, consent) in [("Осмонова Бурул", "0555 111 111", true), ("Исакова Айжан", "0555 222 222", false), ("Токтосунова Айгүл", nil, true)] {
                let person = try await make.person(name, in: fixture.village)
                var draft = PersonDraft(person)
                draft.phone = phone
                draft.contactConsent = consent
                _ = try await PeopleService(db: app.db).update(person.id, draft, by: .system)
                _ = try await groups.join(group.id, personID: person.id, produces: "", by: .system)
            }
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("admin")
            let page = try await browser.get("/producer-groups/\(group.id)/reminder")
            #expect(page.status == .ok && page.body.string.contains("<strong>1</strong> получат SMS"))
            #expect(page.body.string.contains("<strong>2</strong> без телефона или без согласия на связь"))
            let long = String(repeating: "ы", count: 71)
            let refused = try await browser.post("/producer-groups/\(group.id)/reminder", ["text": long])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("одно SMS, до 70 знаков"))
            let sent = try await browser.post("/producer-groups/\(group.id)/reminder", ["text": "Семена в пятницу, 500 сом"])
            #expect(sent.status == .ok && sent.body.string.contains("Отправлено 1 участнице."))
            #expect(await gateway.sent == [SMSMessage(to: "996555111111", text: "Семена в пятницу, 500 сом")])
            let audit = try await AuditLog(db: app.db).list(entity: "producer_group", entityID: group.id, page: PageQuery(page: 1, per: 10)).items
            #expect(audit.first?.action == "sms-reminder")
            #expect(audit.first.map { "\($0)".contains("Семена") } == false)
        }
    }
}
