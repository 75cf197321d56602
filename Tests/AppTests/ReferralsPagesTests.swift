import AsharNetwork
import Fluent
import Foundation
import Kernel
import Referrals
import Testing
import VaporTesting
@testable import App

@Suite("Referral pages")
struct ReferralsPagesTests {
    @Test("A case worker opens a case, records consent and refers it from the page; the other centre accepts and finishes it; quick exit, neutral title, no-store")
    func caseFlow() async throws {
        try await withAshar { app, fixture in
            let service = try await DirectoryService(db: app.db).create(HelpServiceDraft(
                organisationID: fixture.helpCentre2.id, provider: "«Үмүт» баш калкалоочу жай", kind: .crisisShelter,
                districtIDs: [try #require(fixture.village.districtID)], languages: ["ky"]), by: .system)
            let worker = Browser(app, acceptLanguage: "ky")
            try await worker.login("caseworker")
            _ = try await worker.get("/cases/new")
            let refused = try await worker.post("/cases", ["alias": "", "risk_level": "high"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("Лакап ат жазыңыз"))
            #expect(refused.body.string.contains("Жок дегенде бир кырдаалды белгилеңиз"))
            let opened = try await worker.post("/cases", [
                "alias": "Гүл-7", "situations[0]": "domestic_violence", "risk_level": "high", "village_id": fixture.village.id.uuidString,
                "never": "Үйгө чалбагыла", "provider_sex": "female", "languages[0]": "ky", "notes": "Күйөөсү коркутат",
            ])
            #expect(opened.status == .seeOther)
            let casePath = try #require(opened.headers.first(name: .location))
            let page = try await worker.get(casePath)
            let html = page.body.string
            #expect(html.contains("Үйгө чалбагыла") && html.contains("Күйөөсү коркутат"))
            #expect(html.contains(#"class="quick-exit""#) && html.contains("/js/quick-exit.js"))
            #expect(!(html.components(separatedBy: "</title>").first ?? "").contains("Гүл"))
            #expect(page.headers.first(name: .cacheControl) == "no-store")
            #expect(html.contains("«Үмүт» баш калкалоочу жай"))  // proposed
            #expect(html.contains("Бул уюмга анын макулдугу азырынча жок"))

            #expect(try await worker.post(casePath + "/consents", [
                "recipient_organisation_id": fixture.helpCentre2.id.uuidString, "scope[0]": "situation", "scope[1]": "preferences",
                "purpose": "Баш калкалоо", "given_how": "interpreter",
            ]).status == .seeOther)
            let caseID = try #require(UUID(uuidString: String(casePath.split(separator: "/").last!)))
            let consent = try #require(try await CaseService(db: app.db, cipher: app.noteCipher)
                .consents(of: caseID, grants: [Grant(role: .caseworker, organisationID: fixture.helpCentre.id)]).first)
            _ = try await worker.get(casePath)
            #expect(try await worker.post(casePath + "/referrals", ["service_id": service.id.uuidString, "consent_id": consent.id.uuidString]).status == .seeOther)
            let override = try await worker.post(casePath + "/referrals", ["service_id": service.id.uuidString, "override_reason": "Шашылыш"])
            #expect(override.status == .unprocessableEntity)
            #expect(override.body.string.contains("кейс-супервизор гана"))

            // Her registry record: found by name, linked only with her consent.
            _ = try await worker.get(casePath)
            #expect(try await worker.post(casePath + "/person-search", ["q": "Асанова"]).body.string.contains("Асанова Гүлнара"))
            let unconsented = try await worker.post(casePath + "/person", ["person_id": fixture.member.id.uuidString, "given_how": "spoken"])
            #expect(unconsented.status == .unprocessableEntity)
            #expect(try await worker.post(casePath + "/person", ["person_id": fixture.member.id.uuidString, "consent": "1", "given_how": "written"]).status == .seeOther)
            #expect(try await worker.get(casePath).body.string.contains("Асанова Гүлнара, 1980"))

            let receiver = Browser(app, acceptLanguage: "ru")
            try await receiver.login("caseworker2")
            #expect(try await receiver.get("/").body.string.contains("1 направление ждёт ответа вашего центра"))
            let list = try await receiver.get("/cases")
            #expect(list.body.string.contains("Направлены в ваш центр"))
            let seen = try await receiver.get(casePath)
            #expect(seen.status == .ok)
            #expect(seen.body.string.contains("Домашнее насилие") && seen.body.string.contains("Үйгө чалбагыла"))
            #expect(!seen.body.string.contains("Күйөөсү коркутат"))
            #expect(seen.body.string.contains("вы видите то, чем она разрешила поделиться"))
            let referral = try #require(try await ReferralService(db: app.db).incoming(grants: [Grant(role: .caseworker, organisationID: fixture.helpCentre2.id)]).first)
            #expect(try await receiver.post("/referrals/\(referral.id)/accept", [:]).status == .seeOther)
            let unfinished = try await receiver.post("/referrals/\(referral.id)/done", [:])
            #expect(unfinished.status == .unprocessableEntity)
            #expect(unfinished.body.string.contains("Укажите результат"))
            #expect(try await receiver.post("/referrals/\(referral.id)/done", ["outcome": "helped"]).status == .seeOther)
            let back = try await worker.get(casePath)
            #expect(back.body.string.contains("аткарылды") && back.body.string.contains("жардам берилди"))
            #expect(back.body.string.contains("caseworker2"))  // she can see who read her case

            let outsider = Browser(app)
            try await outsider.login("coordinator")
            #expect(try await outsider.get(casePath).status == .forbidden)
        }
    }

    @Test("Time bank staff send a request to a help centre and see only that it was received")
    func helpRequest() async throws {
        try await withAshar { app, fixture in
            let staff = Browser(app, acceptLanguage: "en")
            try await staff.login("coordinator")
            let form = try await staff.get("/help-requests")
            #expect(form.status == .ok)
            #expect(form.body.string.contains(fixture.helpCentre2.name))
            let sent = try await staff.post("/help-requests", [
                "help_centre_id": fixture.helpCentre.id.uuidString, "alias": "Saray-3", "situations[0]": "legal", "risk_level": "low",
                "notes": "She asks about alimony",
            ])
            #expect(sent.status == .seeOther)
            let receipts = try await staff.get("/help-requests")
            #expect(receipts.body.string.contains("not yet"))
            #expect(!receipts.body.string.contains("Saray-3") && !receipts.body.string.contains("alimony"))

            let worker = Browser(app)
            try await worker.login("caseworker")
            let cases = try await worker.get("/cases")
            #expect(cases.body.string.contains("Saray-3"))
            let request = try #require(try await CaseService(db: app.db, cipher: app.noteCipher)
                .cases(grants: [Grant(role: .caseworker, organisationID: fixture.helpCentre.id)], page: .init()).items.first)
            _ = try await worker.get("/cases/\(request.id)")
            #expect(try await worker.post("/cases/\(request.id)/receive", [:]).status == .seeOther)
            #expect(!(try await staff.get("/help-requests")).body.string.contains("not yet"))
            #expect(try await staff.get("/cases/\(request.id)").status == .forbidden)
        }
    }
}
