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

@Suite("Members record their own exchanges")
struct MemberExchangeTests {
    @Test("A member records an exchange herself; no credit moves until the other member confirms it")
    func recordAndConfirm() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let ledger = Ledger(db: app.db)
            // The fixture's member user is m[0]; m[1] gets a login of her own to confirm.
            let hasher = app.password
            _ = try await Factories(db: app.db).user("burul", name: "Осмонова Бурул", password: "1357", hash: { try hasher.hash($0) },
                                                     grants: [Grant(role: .member)], person: m[1].personID)
            let gulnara = Browser(app, acceptLanguage: "ky")
            try await gulnara.login("member", Fixture.pin)
            _ = try await gulnara.get("/me")
            let sent = try await gulnara.post("/timebanks/\(fixture.bank.id)/claims", [
                "direction": "gave", "other": m[1].memberNumber, "hours": "3", "minutes": "",
                "service_date": "2026-11-21", "note": "той",
            ])
            #expect(sent.status == .seeOther)
            #expect(try await ledger.account(fixture.bank.id, member: m[0].id).balanceMinutes == 0)
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)
            let mine = try await gulnara.get("/me?recorded=1")
            #expect(mine.body.string.contains("ырастоону күтүүдө"))
            // She cannot confirm what she recorded herself.
            let claim = try #require(try await ExchangeClaim.query(on: app.db).first())
            let own = try await gulnara.post("/timebanks/\(fixture.bank.id)/claims/\(claim.id!)/confirm", [:])
            #expect(own.status == .forbidden)
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)

            let burul = Browser(app, acceptLanguage: "ru")
            try await burul.login("burul", "1357")
            let waiting = try await burul.get("/me")
            #expect(waiting.body.string.contains("Ждут вашего подтверждения"))
            #expect(waiting.body.string.contains("3 часа"))
            let confirmed = try await burul.post("/timebanks/\(fixture.bank.id)/claims/\(claim.id!)/confirm", [:])
            #expect(confirmed.status == .seeOther)
            #expect(try await ledger.account(fixture.bank.id, member: m[0].id).balanceMinutes == 180)
            #expect(try await ledger.account(fixture.bank.id, member: m[1].id).balanceMinutes == -180)
            let transfer = try #require(try await TimeTransfer.query(on: app.db).first())
            #expect(transfer.serviceDate == "2026-11-21")
            #expect(transfer.note == "той")
            // Decided once: a second confirmation books nothing.
            let again = try await burul.post("/timebanks/\(fixture.bank.id)/claims/\(claim.id!)/confirm", [:])
            #expect(again.status == .conflict)
            #expect(try await TimeTransfer.query(on: app.db).count() == 1)
        }
    }

    @Test("Bad input is answered beside the fields and records nothing; the office confirms or declines what waits")
    func officeDecides() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let gulnara = Browser(app, acceptLanguage: "en")
            try await gulnara.login("member", Fixture.pin)
            _ = try await gulnara.get("/me")
            let bad = try await gulnara.post("/timebanks/\(fixture.bank.id)/claims", [
                "direction": "received", "other": "9999", "hours": "x", "service_date": "2099-01-01",
            ])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("This bank has no member number 9999."))
            #expect(bad.body.string.contains("Write hours and minutes"))
            #expect(try await ExchangeClaim.query(on: app.db).count() == 0)
            for minutes in ["30", "45"] {
                #expect(try await gulnara.post("/timebanks/\(fixture.bank.id)/claims", [
                    "direction": "received", "other": m[2].memberNumber, "minutes": minutes, "service_date": "2026-11-20",
                ]).status == .seeOther)
            }
            let office = Browser(app, acceptLanguage: "en")
            try await office.login("coordinator")
            let list = try await office.get("/timebanks/\(fixture.bank.id)/claims")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("30 minutes"))
            let claims = try await ClaimService(db: app.db).pending(fixture.bank.id)
            #expect(claims.count == 2)
            #expect(try await office.post("/timebanks/\(fixture.bank.id)/claims/\(claims[0].id)/confirm", [:]).status == .seeOther)
            #expect(try await office.post("/timebanks/\(fixture.bank.id)/claims/\(claims[1].id)/decline", ["reason": "twice"]).status == .seeOther)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[0].id).balanceMinutes == -30)
            let declined = try await ClaimService(db: app.db).claim(fixture.bank.id, claims[1].id)
            #expect(declined.status == .declined && declined.declineReason == "twice")
            #expect(try await ClaimService(db: app.db).pending(fixture.bank.id).isEmpty)
            // The viewer may not decide.
            let viewer = Browser(app)
            try await viewer.login("viewer")
            #expect(try await viewer.get("/timebanks/\(fixture.bank.id)/claims").status == .forbidden)
        }
    }

    @Test("A confirmation past the credit limit is refused with the reason, and the claim stays waiting")
    func confirmationRespectsLimits() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let claims = ClaimService(db: app.db)
            let claim = try await claims.submit(ClaimDraft(bankID: fixture.bank.id, claimantID: m[0].id, otherID: m[1].id, direction: .gave,
                                                           minutes: 11 * 60, serviceDate: "2026-11-20"), by: .system)
            let office = Browser(app, acceptLanguage: "en")
            try await office.login("coordinator")
            _ = try await office.get("/timebanks/\(fixture.bank.id)/claims")
            let refused = try await office.post("/timebanks/\(fixture.bank.id)/claims/\(claim.id)/confirm", [:])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.string.contains("would go below its limit"))
            #expect(try await claims.claim(fixture.bank.id, claim.id).status == .pending)
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)
        }
    }

    @Test("A member posts her own offer on the board, in her own village")
    func postOwnListing() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankAPITests.openBank(app, fixture)
            let gulnara = Browser(app, acceptLanguage: "ky")
            try await gulnara.login("member", Fixture.pin)
            _ = try await gulnara.get("/me")
            #expect(try await gulnara.post("/timebanks/\(fixture.bank.id)/my-listings", ["kind": "offer", "description": ""]).status
                == .unprocessableEntity)
            #expect(try await gulnara.post("/timebanks/\(fixture.bank.id)/my-listings", ["kind": "offer", "description": "Боорсок бышырам"]).status
                == .seeOther)
            let listing = try #require(try await Listing.query(on: app.db).first())
            #expect(listing.villageID == fixture.village.id)
            #expect(listing.description == "Боорсок бышырам")
        }
    }

    @Test("Over the API: a member records, the office lists and confirms; a decided claim is not decided again")
    func overTheAPI() async throws {
        try await withAshar { app, fixture in
            let m = try await TimeBankAPITests.openBank(app, fixture)
            let member = try await APIClient.forUser("member", on: app)
            let path = "/timebanks/\(fixture.bank.id)/claims"
            let bad = try await member.send(.POST, path, json: #"{"otherMemberId":"\#(m[1].id)","direction":"gave","minutes":0,"serviceDate":"2026-11-20"}"#)
            #expect(bad.status == .unprocessableEntity)
            let sent = try await member.send(.POST, path, json: #"{"otherMemberId":"\#(m[1].id)","direction":"received","minutes":45,"serviceDate":"2026-11-20"}"#)
            #expect(sent.status == .created)
            let claim = try member.json(sent)
            #expect(claim["status"] as? String == "pending")
            #expect(claim["providerId"] as? String == m[1].id.uuidString && claim["claimantId"] as? String == m[0].id.uuidString)
            let id = try #require(claim["id"] as? String)
            // She cannot confirm her own claim; the viewer cannot touch them.
            #expect(try await member.send(.POST, "\(path)/\(id)/confirmation").status == .forbidden)
            #expect(try await APIClient.forUser("viewer", on: app).send(.GET, path).status == .forbidden)
            let office = try await APIClient.forUser("coordinator", on: app)
            let waiting = try office.json(try await office.send(.GET, path))
            #expect(waiting["total"] as? Int == 1)
            let booked = try await office.send(.POST, "\(path)/\(id)/confirmation")
            #expect(booked.status == .created)
            #expect(try office.json(booked)["minutes"] as? Int == 45)
            #expect(try await Ledger(db: app.db).account(fixture.bank.id, member: m[0].id).balanceMinutes == -45)
            #expect(try await office.send(.POST, "\(path)/\(id)/decline", json: #"{"reason":"late"}"#).status == .conflict)
            let mine = try member.json(try await member.send(.GET, path))
            #expect(((mine["items"] as? [[String: Any]])?.first?["status"] as? String) == "confirmed")
        }
    }
}
