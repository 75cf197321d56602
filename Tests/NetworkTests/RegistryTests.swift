import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import TestSupport
import Testing

@Suite("Geography and organisations")
struct RegistryTests {
    @Test("A village knows its district and oblast; a place must sit in a place of the level above")
    func hierarchy() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let village = try await make.village(named: "Сарай")
            let path = try await GeographyService(db: db).path(to: village.id)
            #expect(path.map(\.level) == [.oblast, .district, .aiylAimak, .village])
            #expect(village.districtID == path[1].id)
            #expect(village.oblastID == path[0].id)
            // A village straight under a district is refused.
            let geo = GeographyService(db: db)
            await #expect(throws: DomainError.self) {
                _ = try await geo.create(PlaceDraft(level: .village, parentID: path[1].id, name: LocalizedName(ky: "А", ru: "А", en: "A")), by: .system)
            }
            let villages = try await geo.list(level: .village, districtID: path[1].id, q: "saray", page: PageQuery())
            #expect(villages.items.map(\.id) == [village.id])
        }
    }

    @Test("Codes are unique; renaming keeps the level and parent")
    func codes() async throws {
        try await TestDatabase.withDatabase { db in
            let geo = GeographyService(db: db)
            let chui = try await geo.create(PlaceDraft(level: .oblast, parentID: nil, code: "KG-C", name: LocalizedName(ky: "Чүй", ru: "Чуй", en: "Chüy")), by: .system)
            await #expect(throws: DomainError.self) {
                _ = try await geo.create(PlaceDraft(level: .oblast, parentID: nil, code: "KG-C", name: LocalizedName(ky: "Б", ru: "Б", en: "B")), by: .system)
            }
            let renamed = try await geo.update(chui.id, PlaceDraft(level: .village, parentID: UUID(), code: "KG-C",
                                                                  name: LocalizedName(ky: "Чүй облусу", ru: "Чуйская область", en: "Chüy Region")), by: .system)
            #expect(renamed.level == .oblast && renamed.parentID == nil && renamed.name.ru == "Чуйская область")
        }
    }

    @Test("An organisation's village must be in its district")
    func organisationPlace() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village(named: "Сарай")
            let elsewhere = try await make.village(named: "Папан")
            let orgs = OrganisationService(db: db)
            await #expect(throws: DomainError("network.organisation.village-invalid", field: "village_id")) {
                _ = try await orgs.create(OrganisationDraft(name: "Банк", kind: .timeBank, districtID: saray.districtID,
                                                            villageID: elsewhere.id, inNetwork: true), by: .system)
            }
            let bank = try await orgs.create(OrganisationDraft(name: "Сарай убакыт банкы", kind: .timeBank, districtID: saray.districtID,
                                                               villageID: saray.id, phone: "0770200301", inNetwork: true), by: .system)
            #expect(bank.phone == "+996 770 200 301")
            let partners = try await orgs.list(OrganisationFilter(inNetwork: false), page: PageQuery())
            #expect(partners.total == 0)
            #expect(try await orgs.list(OrganisationFilter(q: "saray"), page: PageQuery()).items.map(\.id) == [bank.id])
        }
    }
}

@Suite("Users and roles")
struct UserRoleTests {
    static let hash: @Sendable (String) throws -> String = { "hash:" + $0 }

    @Test("Scoped roles need the right kind of organisation; a member needs a person")
    func grantRules() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let bank = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: saray)
            let centre = try await make.organisation("«Мээрим»", kind: .helpCentre, in: saray)
            let user = try await make.user("staff1", name: "Staff", password: "x", hash: Self.hash, grants: [])
            let users = UserService(db: db)
            await #expect(throws: DomainError("network.role.organisation-required", field: "organisation_id")) {
                try await users.grant(user.id, role: .coordinator, organisationID: nil, by: .system)
            }
            await #expect(throws: DomainError("network.role.caseworker-needs-help-centre", field: "organisation_id")) {
                try await users.grant(user.id, role: .caseworker, organisationID: bank.id, by: .system)
            }
            await #expect(throws: DomainError("network.role.member-needs-person", field: "role")) {
                try await users.grant(user.id, role: .member, organisationID: nil, by: .system)
            }
            try await users.grant(user.id, role: .caseworker, organisationID: centre.id, by: .system)
            await #expect(throws: DomainError.self) {
                try await users.grant(user.id, role: .caseworker, organisationID: centre.id, by: .system)
            }
            let loaded = try await users.get(user.id)
            #expect(loaded.grants.map(\.grant) == [Grant(role: .caseworker, organisationID: centre.id)])
            #expect(loaded.permits(.readPeople) && !loaded.permits(.manageUsers))
        }
    }

    @Test("Logins are unique and found by login or phone")
    func logins() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let woman = try await make.person("Асанова Гүлнара", in: saray)
            _ = try await make.user("Member1", name: "Гүлнара", password: "2468", hash: Self.hash, grants: [Grant(role: .member)],
                                    phone: "0555 100 001", person: woman.id)
            await #expect(throws: ValidationErrors.self) {
                _ = try await make.user("member1", name: "Other", password: "x", hash: Self.hash, grants: [], phone: "+996555100001")
            }
            let users = UserService(db: db)
            #expect(try await users.credentials(for: "MEMBER1")?.user.login == "member1")
            #expect(try await users.credentials(for: "0555100001")?.passwordHash == "hash:2468")
            #expect(try await users.credentials(for: "nobody") == nil)
        }
    }
}

@Suite("Rules")
struct RuleTests {
    @Test("Five failures within fifteen minutes lock for fifteen minutes")
    func throttle() {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        let five = (0..<5).map { t0.addingTimeInterval(Double($0) * 60) }
        #expect(LoginThrottleRule.lockedUntil(failures: Array(five.prefix(4)), now: t0.addingTimeInterval(300)) == nil)
        #expect(LoginThrottleRule.lockedUntil(failures: five, now: t0.addingTimeInterval(300)) == five[4].addingTimeInterval(900))
        #expect(LoginThrottleRule.lockedUntil(failures: five, now: five[4].addingTimeInterval(901)) == nil)
        let spread = (0..<5).map { t0.addingTimeInterval(Double($0) * 300) }
        #expect(LoginThrottleRule.lockedUntil(failures: spread, now: spread[4]) == nil)
    }

    @Test("What each role may do")
    func policy() {
        #expect(AccessPolicy.permits([Grant(role: .admin)], .readAudit))
        #expect(!AccessPolicy.permits([Grant(role: .viewer)], .readPeople))
        #expect(AccessPolicy.permits([Grant(role: .viewer)], .readAggregates))
        #expect(!AccessPolicy.permits([Grant(role: .member)], .readRegistry))
        #expect(AccessPolicy.permits([Grant(role: .member)], .ownRecord))
        #expect(!AccessPolicy.permits([Grant(role: .coordinator, organisationID: UUID())], .manageUsers))
        #expect(!AccessPolicy.permits([], .readAggregates))
    }

    @Test func passwords() {
        #expect(PasswordRules.check(password: "short", isPIN: false)?.code == "network.user.password-too-short")
        #expect(PasswordRules.check(password: "aaaaaaaaaaaa", isPIN: false)?.code == "network.user.password-too-simple")
        #expect(PasswordRules.check(password: "ashar-demo-2026", isPIN: false) == nil)
        #expect(PasswordRules.check(password: "12a4", isPIN: true)?.code == "network.user.pin-invalid")
        #expect(PasswordRules.check(password: "2468", isPIN: true) == nil)
    }

    @Test func fieldDiff() {
        #expect(FieldChange.diff(["a": "1", "b": nil], ["a": "2", "b": nil, "c": "3"]) == [
            FieldChange(field: "a", from: "1", to: "2"), FieldChange(field: "c", from: nil, to: "3"),
        ])
    }

    /// Texts JSON must escape, or whose bytes look like something else, beside plain ones. (Not NUL, which
    /// neither database keeps in a text: SQLite ends the text there, PostgreSQL refuses it.)
    static let awkward = ["", "plain", "\"quoted\"", "back\\slash", "line\nbreak\r\ttab", "unit\u{1F}separator\u{7F}", "Гүлнара Асанова",
                          "👩‍👩‍👧 \u{200F}\u{200B}", "</script>", "1.5e3"]

    @Test("Changes written by hand read back as JSONEncoder's would")
    func changesJSON() throws {
        let texts = Self.awkward + ["nul\u{0}"]
        let changes = texts.indices.map { index in
            FieldChange(field: texts[index], from: index % 3 == 0 ? nil : texts[(index + 1) % texts.count],
                        to: index % 4 == 1 ? nil : texts[(index + 2) % texts.count])
        }
        let written = FieldChange.json(changes)
        #expect(try JSONDecoder().decode([FieldChange].self, from: Data(written.utf8)) == changes)
        let encoded = try JSONSerialization.jsonObject(with: JSONEncoder().encode(changes)) as! NSArray
        #expect(try JSONSerialization.jsonObject(with: Data(written.utf8)) as! NSArray == encoded)
        #expect(FieldChange.json([]) == "[]")
    }

    @Test("Audit lines stored in one statement read back whole, on this database")
    func auditLines() async throws {
        try await TestDatabase.withDatabase { db in
            let person = UUID(), user = UUID()
            let expected = Self.awkward.enumerated().map { index, text in
                (actor: Actor(userID: index == 0 ? nil : user, login: "login \(text)", onBehalfOf: index % 2 == 0 ? person : nil),
                 entityID: index == 1 ? nil : UUID(), changes: [FieldChange(field: "name", from: text, to: nil), FieldChange(field: text, from: nil, to: "x")])
            }
            try await AuditLog.record(on: db, expected.map {
                AuditLog.Line(actor: $0.actor, action: "update", entity: "person", entityID: $0.entityID, changes: $0.changes)
            })
            let stored = try await AuditLog(db: db).list(entity: "person", page: PageQuery(per: 100)).items
            #expect(stored.count == expected.count)
            for line in expected {
                let found = stored.first { $0.actorLogin == line.actor.login }
                #expect(found?.changes == line.changes, "\(line.actor.login)")
                #expect(found?.entityID == line.entityID)
                #expect(found?.onBehalfOf == line.actor.onBehalfOf)
                #expect(found?.action == "update")
            }
        }
    }
}

@Suite("Demo network")
struct DemoNetworkTests {
    @Test("Believable, and loading it twice adds nothing")
    func loadsOnce() async throws {
        try await TestDatabase.withDatabase { db in
            #expect(try await DemoNetwork.load(on: db, hash: UserRoleTests.hash))
            let people = try await Person.query(on: db).count()
            #expect(people == DemoNetwork.womenCount)
            #expect(try await Person.query(on: db).filter(\.$sex == .female).count() == people)
            let geo = GeographyService(db: db)
            #expect(try await geo.list(level: .oblast, page: PageQuery()).items.map(\.name.en) == ["Chüy Region", "Osh Region"])
            #expect(try await geo.list(level: .district, page: PageQuery()).total == 15)
            #expect(try await geo.list(level: .village, q: "Saray", page: PageQuery()).total == 1)
            let orgs = OrganisationService(db: db)
            #expect(try await orgs.list(OrganisationFilter(kind: .entrepreneurshipCentre), page: PageQuery()).total == 2)
            #expect(try await orgs.list(OrganisationFilter(kind: .timeBank), page: PageQuery()).total == 2)
            #expect(try await orgs.list(OrganisationFilter(kind: .producerGroup), page: PageQuery()).total == 2)
            #expect(try await orgs.list(OrganisationFilter(kind: .helpCentre), page: PageQuery()).total == 2)
            let users = UserService(db: db)
            for login in ["admin", "coordinator", "caseworker", "caseworker2", "supervisor", "viewer", "member"] {
                #expect(try await users.credentials(for: login) != nil, "demo login \(login)")
            }
            #expect(try await users.credentials(for: "coordinator")?.user.grants.count == 2)
            let audit = try await AuditEntry.query(on: db).count()

            #expect(try await DemoNetwork.load(on: db, hash: UserRoleTests.hash) == false)
            #expect(try await Person.query(on: db).count() == people)
            #expect(try await AuditEntry.query(on: db).count() == audit)
        }
    }
}
