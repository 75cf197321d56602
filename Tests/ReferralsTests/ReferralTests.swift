import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import Referrals
import SQLKit
import Testing
import TestSupport

@Suite("Referral rules")
struct ReferralRulesTests {
    @Test("Sent → accepted or declined → done; revoked only while live; nothing after the end")
    func transitions() {
        #expect(ReferralStatus.sent.after(.accept) == .accepted)
        #expect(ReferralStatus.sent.after(.decline) == .declined)
        #expect(ReferralStatus.accepted.after(.done) == .done)
        #expect(ReferralStatus.accepted.after(.revoke) == .revoked)
        #expect(ReferralStatus.sent.after(.done) == nil)
        for end in [ReferralStatus.declined, .done, .revoked] {
            #expect(ReferralStatus.Action.allCases.allSatisfy { end.after($0) == nil })
        }
    }

    @Test("A consent covers a referral to its recipient only, with her situation in scope, until it ends or is withdrawn")
    func consentCovers() {
        let centre = UUID()
        let terms = ConsentTerms(recipientOrganisationID: centre, scope: [.situation, .preferences], expiresOn: "2026-12-31", withdrawn: false)
        #expect(terms.covers(recipient: centre, today: "2026-12-31"))
        #expect(!terms.covers(recipient: centre, today: "2027-01-01"))
        #expect(!terms.covers(recipient: UUID(), today: "2026-06-01"))
        #expect(!ConsentTerms(recipientOrganisationID: centre, scope: [.notes], expiresOn: nil, withdrawn: false).covers(recipient: centre, today: "2026-06-01"))
        #expect(!ConsentTerms(recipientOrganisationID: centre, scope: [.situation], expiresOn: nil, withdrawn: true).covers(recipient: centre, today: "2026-06-01"))
    }

    @Test("Proposals: services that answer her situation, in her district, her language and with a woman on staff first")
    func proposals() {
        let here = UUID(), there = UUID()
        let near = ServiceFacts(id: UUID(), kind: .psychosocial, districtIDs: [here], languages: ["ky"], womanStaff: true, active: true)
        let russianOnly = ServiceFacts(id: UUID(), kind: .legalAid, districtIDs: [here], languages: ["ru"], womanStaff: true, active: true)
        let far = ServiceFacts(id: UUID(), kind: .crisisShelter, districtIDs: [there], languages: ["ky"], womanStaff: true, active: true)
        let men = ServiceFacts(id: UUID(), kind: .policeLiaison, districtIDs: [here], languages: ["ky"], womanStaff: false, active: true)
        let closed = ServiceFacts(id: UUID(), kind: .psychosocial, districtIDs: [here], languages: ["ky"], womanStaff: true, active: false)
        let credit = ServiceFacts(id: UUID(), kind: .microfinance, districtIDs: [here], languages: ["ky"], womanStaff: true, active: true)
        let proposed = Matching.propose([far, russianOnly, men, near, closed, credit], situations: [.domesticViolence],
                                        preferences: Preferences(providerSex: "female", languages: ["ky"]), district: here)
        #expect(proposed.map(\.serviceID) == [near.id, men.id, russianOnly.id, far.id])
    }

    @Test("Counts under five are shown as <5; the median time to first contact in hours")
    func smallCounts() {
        #expect(SmallCount.shown(0) == "0" && SmallCount.shown(4) == "<5" && SmallCount.shown(5) == "5")
        #expect(SmallCount.medianHours([3600, 7200, 36_000]) == 2)
        #expect(SmallCount.medianHours([3600, 7200]) == 2)  // 1.5 h rounds up
        #expect(SmallCount.medianHours([]) == nil)
    }

    @Test("Notes sealed with AES-GCM: the text is not in what is stored; a rotated key still opens the old ones until they are sealed anew")
    func cipher() throws {
        let old = NoteCipher.newKey(), new = NoteCipher.newKey()
        let first = try NoteCipher(current: old)
        let sealed = try first.seal("Күйөөсү коркутат; үйдүн телефонуна чалбагыла")
        #expect(!sealed.contains("Күйөөсү"))
        #expect(try first.open(sealed) == "Күйөөсү коркутат; үйдүн телефонуна чалбагыла")
        let rotated = try NoteCipher(current: new, previous: [old])
        #expect(rotated.isStale(sealed))
        #expect(try rotated.open(sealed).hasPrefix("Күйөөсү"))
        #expect(!rotated.isStale(try rotated.seal("x")))
        #expect(throws: DomainError.self) { try NoteCipher(current: new).open(sealed) }
        #expect(throws: DomainError.self) { try NoteCipher(current: Data(count: 16)) }
    }
}

@Suite("Cases, consent and referrals on a real database")
struct CaseServiceTests {
    struct World {
        let db: any Database
        let cipher: NoteCipher
        let village: PlaceRecord
        let meerim: OrganisationRecord
        let umut: OrganisationRecord
        let bank: OrganisationRecord
        let umutService: HelpServiceRecord
        var cases: CaseService { CaseService(db: db, cipher: cipher) }
        var referrals: ReferralService { ReferralService(db: db) }
        var meerimWorker: [Grant] { [Grant(role: .caseworker, organisationID: meerim.id)] }
        var meerimSupervisor: [Grant] { [Grant(role: .supervisor, organisationID: meerim.id)] }
        var umutWorker: [Grant] { [Grant(role: .caseworker, organisationID: umut.id)] }
    }

    static let actor = Actor(userID: nil, login: "asel")

    static func world(_ db: any Database, cipher: NoteCipher? = nil) async throws -> World {
        let make = Factories(db: db)
        let village = try await make.village()
        let meerim = try await make.organisation("Мээрим", kind: .helpCentre, in: village)
        let umut = try await make.organisation("Үмүт", kind: .helpCentre, in: village)
        let bank = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: village)
        let service = try await DirectoryService(db: db).create(HelpServiceDraft(
            organisationID: umut.id, provider: "Үмүт кризистик борбору", kind: .crisisShelter, districtIDs: [village.districtID!]), by: .system)
        return World(db: db, cipher: try cipher ?? NoteCipher(current: NoteCipher.newKey()), village: village, meerim: meerim, umut: umut,
                     bank: bank, umutService: service)
    }

    static func draft(_ w: World) -> CaseDraft {
        CaseDraft(alias: "Гүл-7", situations: [.domesticViolence], riskLevel: .high, villageID: w.village.id,
                  preferences: Preferences(providerSex: "female", languages: ["ky"], never: "Үйдүн телефонуна чалбагыла"),
                  notes: "Күйөөсү коркутат")
    }

    @Test("The holder sees the whole case; another centre, an admin and a coordinator see nothing until a consented referral, then only its scope")
    func needToKnow() async throws {
        try await TestDatabase.withDatabase { db in
            let w = try await Self.world(db)
            let opened = try await w.cases.open(Self.draft(w), at: w.meerim.id, grants: w.meerimWorker, by: Self.actor)
            #expect(opened.notes == "Күйөөсү коркутат" && opened.preferences?.never == "Үйдүн телефонуна чалбагыла")
            #expect(opened.districtID == w.village.districtID)
            for outsider in [w.umutWorker, [Grant(role: .admin)], [Grant(role: .coordinator, organisationID: w.meerim.id)], [Grant(role: .viewer)]] {
                await #expect(throws: DomainError.notFound("referrals.case")) { try await w.cases.read(opened.id, grants: outsider, by: Self.actor) }
                #expect(try await w.cases.cases(grants: outsider, page: .init()).items.isEmpty)
            }

            // Without consent the referral is refused; a case worker cannot override, a supervisor can, with a reason.
            await #expect(throws: DomainError("referrals.no-consent", field: "consent_id")) {
                try await w.referrals.refer(case: opened.id, service: w.umutService.id, consent: nil, grants: w.meerimWorker, by: Self.actor)
            }
            await #expect(throws: DomainError.self) {
                try await w.referrals.refer(case: opened.id, service: w.umutService.id, consent: nil, overrideReason: "Түнү коркунуч", grants: w.meerimWorker, by: Self.actor)
            }
            let consentForOther = try await w.cases.addConsent(to: opened.id, ConsentDraft(
                recipientOrganisationID: w.meerim.id, scope: [.situation], purpose: "ички", givenHow: .spoken), grants: w.meerimWorker, by: Self.actor)
            await #expect(throws: DomainError("referrals.no-consent", field: "consent_id")) {
                try await w.referrals.refer(case: opened.id, service: w.umutService.id, consent: consentForOther.id, grants: w.meerimWorker, by: Self.actor)
            }
            let consent = try await w.cases.addConsent(to: opened.id, ConsentDraft(
                recipientOrganisationID: w.umut.id, scope: [.situation, .preferences], purpose: "Баш калкалоо", givenHow: .interpreter,
                expiresOn: "2099-12-31"), grants: w.meerimWorker, by: Self.actor)
            let referral = try await w.referrals.refer(case: opened.id, service: w.umutService.id, consent: consent.id, followUpOn: "2000-01-01",
                                                       grants: w.meerimWorker, by: Self.actor)
            #expect(referral.status == .sent && referral.toOrganisationID == w.umut.id)

            let seen = try await w.cases.read(opened.id, grants: w.umutWorker, by: Actor(userID: nil, login: "nurgul"))
            #expect(seen.situations == [.domesticViolence] && seen.preferences?.never == "Үйдүн телефонуна чалбагыла")
            #expect(seen.notes == nil && seen.personID == nil && seen.villageID == nil)
            #expect(try await w.cases.readings(opened.id, grants: w.meerimWorker).map(\.login) == ["nurgul"])
            await #expect(throws: DomainError.self) { try await w.cases.readings(opened.id, grants: w.umutWorker) }
            #expect(try await w.referrals.followUpsDue(grants: w.meerimWorker).map(\.id) == [referral.id])

            // The receiver declines without a reason: refused; accepts, then done with its outcome; the sender cannot accept.
            await #expect(throws: DomainError.self) { try await w.referrals.act(referral.id, .decline, grants: w.umutWorker, by: Self.actor) }
            await #expect(throws: DomainError.self) { try await w.referrals.act(referral.id, .accept, grants: w.meerimWorker, by: Self.actor) }
            await #expect(throws: DomainError.notFound("referrals.referral")) {
                try await w.referrals.act(referral.id, .accept, grants: [Grant(role: .caseworker, organisationID: w.bank.id)], by: Self.actor)
            }
            _ = try await w.referrals.act(referral.id, .accept, grants: w.umutWorker, by: Self.actor)
            let done = try await w.referrals.act(referral.id, .done, outcome: .helped, grants: w.umutWorker, by: Self.actor)
            #expect(done.status == .done && done.outcome == .helped)
            await #expect(throws: DomainError.self) { try await w.referrals.act(referral.id, .revoke, grants: w.meerimWorker, by: Self.actor) }

            // She withdraws her consent: the receiver no longer sees her situation.
            try await w.cases.withdrawConsent(consent.id, grants: w.meerimWorker, by: Self.actor)
            #expect(try await w.cases.read(opened.id, grants: w.umutWorker, by: Self.actor).situations == nil)

            // A supervisor may send without consent, with a reason the audit log keeps.
            let urgent = try await w.referrals.refer(case: opened.id, service: w.umutService.id, consent: nil, overrideReason: "Түнү коркунуч",
                                                     grants: w.meerimSupervisor, by: Self.actor)
            #expect(urgent.overrideReason == "Түнү коркунуч")
            let overrides = try await AuditEntry.query(on: db).filter(\.$action == "override-consent").all()
            #expect(overrides.map(\.entityID) == [urgent.id])
            // Nothing about her in the audit log: ids and codes only.
            let changes = try await AuditEntry.query(on: db).all().map(\.changes).joined()
            #expect(!changes.contains("Гүл") && !changes.contains("Күйөө") && !changes.contains("domestic"))
        }
    }

    @Test("A time bank's staff send a request; they see only that it was received")
    func helpRequest() async throws {
        try await TestDatabase.withDatabase { db in
            let w = try await Self.world(db)
            let staff = [Grant(role: .coordinator, organisationID: w.bank.id)]
            await #expect(throws: DomainError.self) {
                try await w.cases.request(Self.draft(w), from: w.bank.id, to: w.bank.id, grants: staff, by: Self.actor)
            }
            let receipt = try await w.cases.request(Self.draft(w), from: w.bank.id, to: w.meerim.id, grants: staff, by: Self.actor)
            #expect(try await w.cases.receipts(grants: staff).first?.receivedAt == nil)
            await #expect(throws: DomainError.notFound("referrals.case")) { try await w.cases.read(receipt.id, grants: staff, by: Self.actor) }
            try await w.cases.receive(receipt.id, grants: w.meerimWorker, by: Self.actor)
            #expect(try await w.cases.receipts(grants: staff).first?.receivedAt != nil)
            #expect(try await w.cases.read(receipt.id, grants: w.meerimWorker, by: Self.actor).notes == "Күйөөсү коркутат")
        }
    }

    @Test("Report counts by situation, district, service, status and outcome, and the median time to first contact; old closed cases anonymised")
    func reportAndRetention() async throws {
        try await TestDatabase.withDatabase { db in
            let w = try await Self.world(db)
            let a = try await w.cases.open(Self.draft(w), at: w.meerim.id, grants: w.meerimWorker, by: Self.actor)
            var other = Self.draft(w)
            other.situations = [.legal, .economic]
            let b = try await w.cases.open(other, at: w.meerim.id, grants: w.meerimWorker, by: Self.actor)
            try await w.cases.recordContact(a.id, grants: w.meerimWorker, by: Self.actor)
            let consent = try await w.cases.addConsent(to: a.id, ConsentDraft(recipientOrganisationID: w.umut.id, scope: [.situation], purpose: "x",
                                                                              givenHow: .written), grants: w.meerimWorker, by: Self.actor)
            let referral = try await w.referrals.refer(case: a.id, service: w.umutService.id, consent: consent.id, grants: w.meerimWorker, by: Self.actor)
            _ = try await w.referrals.act(referral.id, .decline, reason: "Орун жок", grants: w.umutWorker, by: Self.actor)
            let counts = try await ReferralReport(db: db).counts(from: .distantPast, to: .distantFuture)
            #expect(counts.cases == 2 && counts.referrals == 1)
            #expect(counts.bySituation == [.domesticViolence: 1, .legal: 1, .economic: 1])
            #expect(counts.byDistrict == [w.village.districtID!: 2])
            #expect(counts.byServiceKind == [.crisisShelter: 1] && counts.byStatus == [.declined: 1])
            #expect(counts.medianHoursToFirstContact == 0)

            try await w.cases.close(b.id, outcome: .partlyHelped, grants: w.meerimWorker, by: Self.actor)
            #expect(try await w.cases.anonymise(closedBefore: Date().addingTimeInterval(60), by: .system) == 1)
            let anonymised = try await w.cases.read(b.id, grants: w.meerimWorker, by: Self.actor)
            #expect(anonymised.alias == "—" && anonymised.notes == nil && anonymised.preferences == nil && anonymised.outcome == .partlyHelped)
            #expect(try await w.cases.read(a.id, grants: w.meerimWorker, by: Self.actor).alias == "Гүл-7")
        }
    }

    @Test("Notes, preferences and purposes are not readable in the database; a new key seals them anew")
    func sealedAtRest() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-sealed-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } }
        let oldKey = NoteCipher.newKey()
        try await TestDatabase.withDatabase(sqliteFile: file) { db in
            let w = try await Self.world(db, cipher: try NoteCipher(current: oldKey))
            let opened = try await w.cases.open(Self.draft(w), at: w.meerim.id, grants: w.meerimWorker, by: Self.actor)
            _ = try await w.cases.addConsent(to: opened.id, ConsentDraft(recipientOrganisationID: w.umut.id, scope: [.situation],
                                                                         purpose: "Юридикалык кеңеш", givenHow: .spoken), grants: w.meerimWorker, by: Self.actor)
            let raw = try await (db as! any SQLDatabase).raw("SELECT notes_sealed, preferences_sealed FROM referrals_cases").all()
                .map { try $0.decode(column: "notes_sealed", as: String.self) + (try $0.decode(column: "preferences_sealed", as: String.self)) }.joined()
            #expect(raw.hasPrefix("gcm1:") && !raw.contains("Күйөөсү") && !raw.contains("телефонуна"))
            if TestDatabase.postgresURL == nil {
                let bytes = [file, file + "-wal"].compactMap { FileManager.default.contents(atPath: $0) }.reduce(Data(), +)
                #expect(!bytes.isEmpty)
                for secret in ["Күйөөсү коркутат", "Үйдүн телефонуна", "Юридикалык кеңеш"] {
                    #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(secret) readable in the file")
                }
            }
            let newKey = NoteCipher.newKey()
            let rotated = try NoteCipher(current: newKey, previous: [oldKey])
            #expect(try await CaseService(db: db, cipher: rotated).resealStale(by: .system) == 3)
            let fresh = try NoteCipher(current: newKey)
            #expect(try await CaseService(db: db, cipher: fresh).read(opened.id, grants: w.meerimWorker, by: Self.actor).notes == "Күйөөсү коркутат")
        }
    }
}
