@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Referrals
import Kernel
import Needs
import Partnerships
import Testing
import Vapor
import VaporTesting

@Suite("Web pages")
struct WebTests {
    @Test("A village select lists every village with its district, marks the chosen one, and shows a name with markup as text")
    func villageSelect() async throws {
        try await withAshar { app, fixture in
            let odd = try await GeographyService(db: app.db).create(PlaceDraft(level: .village, parentID: fixture.village.parentID,
                                                                                name: LocalizedName(ky: "<b>Жаңы</b> & айыл", ru: "<b>Новое</b> & село", en: "New")), by: .system)
            let district = try await GeographyService(db: app.db).get(fixture.village.districtID!)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("coordinator")
            // The registry searched by village (a form posted, so no village is in an address), and a new person's form refused for its name.
            for response in [try await browser.post("/people/search", ["village_id": fixture.village.id.uuidString]),
                             try await browser.post("/people", ["full_name": "", "sex": "female", "village_id": fixture.village.id.uuidString])] {
                let html = response.body.string
                let select = try #require(html.components(separatedBy: "name=\"village_id\"").dropFirst().first?.components(separatedBy: "</select>").first)
                #expect(select.contains("<option value=\"\(fixture.village.id)\" selected>\(fixture.village.name.ru) (\(district.name.ru))</option>"))
                #expect(select.contains("<option value=\"\(odd.id)\">&lt;b&gt;Новое&lt;/b&gt; &amp; село (\(district.name.ru))</option>"))
                #expect(!select.contains("<b>"))
            }
        }
    }

    @Test("Logging in rotates the session and lands on the start page")
    func login() async throws {
        try await withAshar { app, _ in
            let browser = Browser(app)
            try await browser.get("/login")
            let before = browser.cookies["ashar_session"]
            #expect(before != nil)
            let response = try await browser.login("admin")
            #expect(response.status == .seeOther)
            #expect(response.headers.first(name: .location) == "/")
            #expect(browser.cookies["ashar_session"] != nil && browser.cookies["ashar_session"] != before)
            let setCookie = response.headers.first(name: .setCookie) ?? ""
            #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Lax"))
            let home = try await browser.get("/")
            #expect(home.status == .ok)
            #expect(home.body.string.contains("Admin"))
            // The old session id is worth nothing now.
            let planted = Browser(app)
            planted.cookies["ashar_session"] = before
            #expect(try await planted.get("/people").status == .seeOther)
        }
    }

    @Test("A member logs in with her phone number and PIN and sees only her own record")
    func memberLogin() async throws {
        try await withAshar { app, fixture in
            let browser = Browser(app, acceptLanguage: "ru")
            #expect(try await browser.login("+996 555 100 001", Fixture.pin).status == .seeOther)
            let home = try await browser.get("/")
            #expect(home.headers.first(name: .location) == "/me")
            let me = try await browser.get("/me")
            #expect(me.status == .ok)
            #expect(me.body.string.contains(fixture.member.fullName))
            #expect(me.body.string.contains("СР-001"))
            #expect(me.body.string.contains("Мои данные"))
            for path in ["/people", "/people/\(fixture.member.id)", "/organisations", "/users", "/audit", "/geography"] {
                #expect(try await browser.get(path).status == .forbidden, "member must not see \(path)")
            }
        }
    }

    @Test("Five failed logins lock the login for fifteen minutes, even with the right password after")
    func throttling() async throws {
        try await withAshar { app, _ in
            let browser = Browser(app)
            for _ in 0..<5 {
                #expect(try await browser.login("admin", "wrong-password").status == .unauthorized)
            }
            let locked = try await browser.login("admin")
            #expect(locked.status == .tooManyRequests)
            #expect(locked.body.string.contains("кийин кайра аракет"))
            #expect(try await LoginAttempt.query(on: app.db).filter(\.$succeeded == true).count() == 0)
        }
    }

    @Test("A form without the session's CSRF token is refused and changes nothing")
    func csrf() async throws {
        try await withAshar { app, fixture in
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("admin")
            let before = try await Person.query(on: app.db).count()
            let forged = try await browser.post("/people", ["_csrf": "forged", "full_name": "Жаңы Аял", "sex": "female",
                                                             "birth_year": "1990", "village_id": fixture.village.id.uuidString])
            #expect(forged.status == .forbidden)
            #expect(forged.body.string.contains("This form has expired"))
            let missing = try await browser.post("/login", ["identifier": "admin", "password": Fixture.password], withCSRF: false)
            #expect(missing.status == .forbidden)
            #expect(try await Person.query(on: app.db).count() == before)
        }
    }

    @Test("Language: Accept-Language first, then the switcher, remembered; Kyrgyz by default")
    func languages() async throws {
        try await withAshar { app, _ in
            #expect(try await Browser(app).get("/login").body.string.contains("<html lang=\"ky\">"))
            #expect(try await Browser(app, acceptLanguage: "ru-RU,ru;q=0.9").get("/login").body.string.contains("Вход"))
            let browser = Browser(app, acceptLanguage: "ru")
            let switched = try await browser.get("/lang/en?back=/login")
            #expect(switched.status == .seeOther)
            #expect(switched.headers.first(name: .location) == "/login")
            let page = try await browser.get("/login")
            #expect(page.body.string.contains("<html lang=\"en\">") && page.body.string.contains("Log in"))
            // Never a redirect off the site.
            #expect(try await browser.get("/lang/ky?back=//evil.example").headers.first(name: .location) == "/")
            let missing = try await Browser(app, acceptLanguage: "ru").get("/no/such/page")
            #expect(missing.status == .notFound)
            #expect(missing.body.string.contains("Страница не найдена"))
        }
    }

    @Test("Every response carries the security headers")
    func securityHeaders() async throws {
        try await withAshar { app, _ in
            for path in ["/login", "/nope", "/api/v1/me", "/health", "/css/ashar.css"] {
                let response = try await Browser(app).get(path)
                #expect(response.headers.first(name: "X-Frame-Options") == "DENY", "\(path)")
                #expect(response.headers.first(name: "Content-Security-Policy")?.contains("script-src 'self'") == true, "\(path)")
                #expect(response.headers.first(name: "Referrer-Policy") == "same-origin", "\(path)")
            }
        }
    }

    @Test("Pages a role may not see are neither shown in the menu nor served")
    func access() async throws {
        try await withAshar { app, fixture in
            let anonymous = Browser(app)
            let redirect = try await anonymous.get("/people")
            #expect(redirect.status == .seeOther)
            #expect(redirect.headers.first(name: .location)?.hasPrefix("/login") == true)

            let viewer = Browser(app, acceptLanguage: "en")
            try await viewer.login("viewer")
            let home = try await viewer.get("/")
            #expect(home.status == .ok)
            #expect(!home.body.string.contains("href=\"/people\""))
            #expect(!home.body.string.contains(fixture.member.fullName))
            for path in ["/people", "/people/\(fixture.member.id)", "/users", "/audit", "/organisations"] {
                #expect(try await viewer.get(path).status == .forbidden, "viewer must not see \(path)")
            }
            let coordinator = Browser(app, acceptLanguage: "en")
            try await coordinator.login("coordinator")
            let start = try await coordinator.get("/")
            #expect(start.body.string.contains("Your organisations") && start.body.string.contains(fixture.bank.name))
            #expect(try await coordinator.get("/people").status == .ok)
            #expect(try await coordinator.get("/users").status == .forbidden)
            #expect(try await coordinator.get("/audit").status == .forbidden)
            #expect(try await coordinator.get("/geography/new?level=oblast").status == .forbidden)
            #expect(!(try await coordinator.get("/").body.string.contains("href=\"/users\"")))
        }
    }
}

@Suite("Registry pages")
struct RegistryPageTests {
    @Test("Registering a woman: field errors beside the fields, a duplicate warning, then saved and audited")
    func registerPerson() async throws {
        try await withAshar { app, fixture in
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("coordinator")
            #expect(try await browser.get("/people/new").status == .ok)
            let bad = try await browser.post("/people", ["full_name": "Gulnara", "sex": "female", "birth_year": "abc",
                                                          "village_id": fixture.village.id.uuidString])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("Напишите ФИО кириллицей."))
            #expect(bad.body.string.contains("Год рождения — от 1900"))
            let fields = ["full_name": "Асанова Гулнара", "sex": "female", "birth_year": "1980",
                          "village_id": fixture.village.id.uuidString, "phone": "0700 222 333"]
            let warned = try await browser.post("/people", fields)
            #expect(warned.status == .conflict)
            #expect(warned.body.string.contains("Этот человек уже есть в реестре?"))
            #expect(try await Person.query(on: app.db).count() == 1)
            var confirmed = fields
            confirmed["confirm_not_duplicate"] = "on"
            let saved = try await browser.post("/people", confirmed)
            #expect(saved.status == .seeOther)
            #expect(try await Person.query(on: app.db).count() == 2)
            let location = try #require(saved.headers.first(name: .location))
            let page = try await browser.get(location)
            #expect(page.body.string.contains("+996 700 222 333"))
            // The title names no one.
            #expect(page.body.string.contains("<title>Человек · Ashar</title>"))
            let entry = try #require(try await AuditEntry.query(on: app.db).filter(\.$entity == "person").filter(\.$actorLogin == "coordinator").first())
            #expect(entry.changes.contains("Асанова Гулнара"))
        }
    }

    @Test("Search by POST finds Гүлнара typed as gulnara; the name never enters the URL")
    func search() async throws {
        try await withAshar { app, fixture in
            let browser = Browser(app)
            try await browser.login("caseworker")
            let found = try await browser.post("/people/search", ["q": "gulnara"])
            #expect(found.status == .ok)
            #expect(found.body.string.contains(fixture.member.fullName))
            let none = try await browser.post("/people/search", ["q": "Бурул"])
            #expect(!none.body.string.contains(fixture.member.fullName))
            let inVillage = try await browser.post("/people/search", ["q": "", "village_id": fixture.village.id.uuidString])
            #expect(inVillage.body.string.contains(fixture.member.fullName))
            let elsewhere = try await Factories(db: app.db).village(named: "Папан")
            let otherVillage = try await browser.post("/people/search", ["q": "gulnara", "village_id": elsewhere.id.uuidString])
            #expect(!otherVillage.body.string.contains(fixture.member.fullName))
        }
    }

    @Test("The admin keeps geography, organisations and users; the audit log shows who did what")
    func adminWork() async throws {
        try await withAshar { app, fixture in
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("admin")
            let district = try #require(fixture.village.districtID)
            let added = try await browser.post("/geography", ["level": "aiyl_aimak", "parent_id": district.uuidString,
                                                               "name_ky": "Папан айыл аймагы", "name_ru": "Айыл аймак Папан", "name_en": "Papan aiyl aimak"])
            #expect(added.status == .seeOther)
            let missingName = try await browser.post("/geography", ["level": "oblast", "name_ky": "", "name_ru": "Х", "name_en": "X"])
            #expect(missingName.status == .unprocessableEntity)
            #expect(missingName.body.string.contains("Please fill in this field."))
            #expect(try await browser.get("/geography/\(district)").body.string.contains("Papan aiyl aimak"))

            let org = try await browser.post("/organisations", ["name": "«Ынтымак» микрокредиттик компаниясы", "kind": "financial",
                                                                 "district_id": district.uuidString, "phone": "0312 123 456"])
            #expect(org.status == .seeOther)
            let list = try await browser.get("/organisations?network=no")
            #expect(list.body.string.contains("Ынтымак"))
            #expect(list.body.string.contains("1 organisation"))

            let user = try await browser.post("/users", ["login": "office2", "display_name": "Office two", "role": "coordinator",
                                                          "organisation_id": fixture.bank.id.uuidString, "password": "short"])
            #expect(user.status == .unprocessableEntity)
            #expect(user.body.string.contains("at least 10 characters"))
            let created = try await browser.post("/users", ["login": "office2", "display_name": "Office two", "role": "coordinator",
                                                             "organisation_id": fixture.bank.id.uuidString, "password": "a-long-password"])
            #expect(created.status == .seeOther)
            let office = Browser(app)
            #expect(try await office.login("office2", "a-long-password").status == .seeOther)

            let audit = try await browser.get("/audit")
            #expect(audit.status == .ok)
            for text in ["Papan aiyl aimak", "Ынтымак", "office2"] {
                #expect(audit.body.string.contains(text), "audit shows \(text)")
            }
            #expect(try await browser.post("/audit", [:]).status == .notFound)
        }
    }
}

@Suite("Every page renders")
struct EveryPageTests {
    @Test("Each page renders in each language, with no untranslated key and no template left over", arguments: ["ky", "ru", "en"])
    func allPages(language: String) async throws {
        try await withAshar { app, fixture in
            let admin = Browser(app, acceptLanguage: language)
            try await admin.login("admin")
            let district = try #require(fixture.village.districtID)
            let user = try #require(try await UserService(db: app.db).credentials(for: "coordinator")?.user)
            let pages = [
                "/", "/people", "/people/new", "/people/\(fixture.member.id)", "/people/\(fixture.member.id)/edit",
                "/organisations", "/organisations/new", "/organisations/\(fixture.bank.id)", "/organisations/\(fixture.bank.id)/edit",
                "/geography", "/geography/\(district)", "/geography/\(fixture.village.id)", "/geography/\(fixture.village.id)/edit",
                "/geography/new?level=village&parent=\(fixture.village.parentID!)", "/users", "/users/new",
                "/users/new?person=\(fixture.member.id)", "/users/\(user.id)", "/audit", "/audit?entity=person",
                "/audit?record=\(fixture.member.id)", "/timebanks",
            ] + (try await Self.surveyAndPartnerPages(app, district: district)) + (try await Self.certificationPages(app, fixture)) + (try await Self.trainingPages(app, fixture)) + ["/dashboard", "/dashboard?from=2026-04-01&to=2026-06-30&by=quarter", "/donor-report?from=2026-01-01&to=2026-06-30", "/directory", "/directory?q=мёд"]
            let keyLike = try Regex(#">\s*[a-z_]+(\.[a-z_\-]+)+\s*<"#)
            for path in pages {
                let response = try await admin.get(path)
                let html = response.body.string
                #expect(response.status == .ok, "\(path)")
                #expect(html.contains("<html lang=\"\(language)\">"), "\(path)")
                #expect(!html.contains("#t(") && !html.contains("#(") && !html.contains("{count}"), "\(path) has template text left")
                #expect(html.firstMatch(of: keyLike) == nil, "\(path) shows a catalogue key: \(html.firstMatch(of: keyLike).map { String(html[$0.range]) } ?? "")")
            }
            // The referral pages, each seen by the one who works with it.
            for (login, path) in try await Self.referralPages(app, fixture) {
                let browser = Browser(app, acceptLanguage: language)
                try await browser.login(login)
                let response = try await browser.get(path)
                let html = response.body.string
                #expect(response.status == .ok, "\(login) \(path)")
                #expect(!html.contains("#t(") && !html.contains("#(") && !html.contains("{count}"), "\(path) has template text left")
                #expect(html.firstMatch(of: keyLike) == nil, "\(path) shows a catalogue key: \(html.firstMatch(of: keyLike).map { String(html[$0.range]) } ?? "")")
            }
            let member = Browser(app, acceptLanguage: language)
            try await member.login("member", Fixture.pin)
            #expect(try await member.get("/me").status == .ok)
        }
    }
}

extension EveryPageTests {
    /// A case at the first help centre, referred with consent to the second, one closed: the pages of
    /// the case worker, the receiving case worker, the time bank's staff and the admin.
    static func referralPages(_ app: Application, _ fixture: Fixture) async throws -> [(String, String)] {
        let grants = [Grant(role: .caseworker, organisationID: fixture.helpCentre.id)]
        let service = try await DirectoryService(db: app.db).create(HelpServiceDraft(
            organisationID: fixture.helpCentre2.id, provider: "Баш калкалоо", kind: .crisisShelter, districtIDs: [fixture.village.districtID!],
            hours: "24/7"), by: .system)
        let cases = CaseService(db: app.db, cipher: app.noteCipher)
        let opened = try await cases.open(CaseDraft(alias: "А-1", situations: [.domesticViolence, .legal], riskLevel: .high, villageID: fixture.village.id,
                                                    preferences: Preferences(providerSex: "female", languages: ["ky"], safeContact: "эжеси", never: "чалбагыла"),
                                                    notes: "эскертме"), at: fixture.helpCentre.id, grants: grants, by: .system)
        let consent = try await cases.addConsent(to: opened.id, ConsentDraft(recipientOrganisationID: fixture.helpCentre2.id, scope: [.situation, .preferences],
                                                                             purpose: "жай", givenHow: .written), grants: grants, by: .system)
        let referral = try await ReferralService(db: app.db).refer(case: opened.id, service: service.id, consent: consent.id, followUpOn: "2000-01-01",
                                                                   grants: grants, by: .system)
        _ = try await ReferralService(db: app.db).act(referral.id, .decline, reason: "орун жок", grants: [Grant(role: .caseworker, organisationID: fixture.helpCentre2.id)], by: .system)
        let closed = try await cases.open(CaseDraft(alias: "А-2", situations: [.health], riskLevel: .low), at: fixture.helpCentre.id, grants: grants, by: .system)
        try await cases.close(closed.id, outcome: .helped, grants: grants, by: .system)
        let second = try await cases.open(CaseDraft(alias: "А-3", situations: [.shelter], riskLevel: .medium), at: fixture.helpCentre.id, grants: grants, by: .system)
        let consent3 = try await cases.addConsent(to: second.id, ConsentDraft(recipientOrganisationID: fixture.helpCentre2.id, scope: [.situation],
                                                                              purpose: "жай", givenHow: .spoken), grants: grants, by: .system)
        _ = try await ReferralService(db: app.db).refer(case: second.id, service: service.id, consent: consent3.id, grants: grants, by: .system)
        return [("caseworker", "/cases"), ("caseworker", "/cases/new"), ("caseworker", "/cases/\(opened.id)"), ("caseworker", "/cases/\(closed.id)"),
                ("caseworker2", "/cases"), ("caseworker2", "/cases/\(second.id)"), ("coordinator", "/help-requests"),
                ("admin", "/services"), ("admin", "/services/\(service.id)"), ("admin", "/referrals/report"), ("viewer", "/referrals/report")]
    }
}

extension EveryPageTests {
    /// The baseline survey with answers, a stakeholder pair and an agreement: the pages that show them.
    static func surveyAndPartnerPages(_ app: Application, district: UUID) async throws -> [String] {
        let form = try #require(try await FormService(db: app.db).latest(formKey: "ashar_baseline_needs"))
        _ = try await SubmissionService(db: app.db).importExport(
            form: form.id, files: [ExportFile(name: "b.csv", data: try DemoSurvey.baselineExport(count: 40))], source: .kobo, by: .system)
        let submission = try #require(try await SubmissionService(db: app.db).submissions(form: form.id, page: .init()).items.first)
        let map = StakeholderService(db: app.db)
        let a = try await map.create(StakeholderDraft(name: "Акимиат", sector: .localGovernment, districtID: district, influence: 5, interest: 4), by: .system)
        let b = try await map.create(StakeholderDraft(name: "БӨУ", sector: .ngo, influence: 2, interest: 5, inputs: [.expertise]), by: .system)
        let agreement = try await AgreementService(db: app.db).create(AgreementDraft(
            title: "Макулдашуу", cooperation: [.training], status: .active, signedOn: "2026-01-01",
            parties: [PartyDraft(stakeholderID: a.id), PartyDraft(stakeholderID: b.id)]), by: .system)
        _ = try await AgreementService(db: app.db).addObligation(to: agreement.id, ObligationDraft(stakeholderID: b.id, what: "Отчет", dueOn: "2026-01-31"), by: .system)
        return ["/forms", "/forms/\(form.id)", "/forms/\(form.id)/fill", "/forms/\(form.id)/submissions", "/forms/\(form.id)/submissions/\(submission.id)", "/forms/\(form.id)/analysis?question=needs",
                "/forms/\(form.id)/analysis?question=household_size", "/forms/\(form.id)/analysis?question=needs&by=district",
                "/forms/\(form.id)/analysis?question=age_band&by=village&weight=household_size",
                "/stakeholders", "/stakeholders/\(a.id)", "/agreements", "/agreements/\(agreement.id)", "/needs-gaps", "/needs-gaps/services"]
    }
}

@Suite("Logging out")
struct LogoutTests {
    @Test("Logging out ends the session: its cookie no longer opens a page")
    func logout() async throws {
        try await withAshar { app, _ in
            let browser = Browser(app)
            try await browser.login("admin")
            let session = try #require(browser.cookies["ashar_session"])
            #expect(try await browser.post("/logout", [:]).headers.first(name: .location) == "/login")
            let replay = Browser(app)
            replay.cookies["ashar_session"] = session
            #expect(try await replay.get("/people").status == .seeOther)
        }
    }
}

@Suite("Accounts")
struct AccountTests {
    @Test("A deactivated user cannot log in; an admin cannot remove her own admin role")
    func deactivateAndSelfProtection() async throws {
        try await withAshar { app, _ in
            let users = UserService(db: app.db)
            let admin = try #require(try await users.credentials(for: "admin")?.user)
            let coordinator = try #require(try await users.credentials(for: "coordinator")?.user)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("admin")
            try await browser.get("/users/\(coordinator.id)")
            #expect(try await browser.post("/users/\(coordinator.id)/active", ["active": "false"]).status == .seeOther)
            #expect(try await Browser(app).login("coordinator").status == .unauthorized)

            try await browser.get("/users/\(admin.id)")
            let ownGrant = try #require(admin.grants.first)
            let refused = try await browser.post("/users/\(admin.id)/grants/\(ownGrant.id)/revoke", [:])
            #expect(refused.status == .conflict)
            #expect(refused.body.string.contains("You cannot take away your own admin role."))
            #expect(try await users.get(admin.id).grants.count == 1)
            #expect(try await browser.post("/users/\(admin.id)/active", ["active": "false"]).status == .conflict)
            #expect(try await users.get(admin.id).active)
        }
    }
}
