import FluentKit
import Foundation
import Kernel
import AsharNetwork

/// Small builders for records, with believable defaults. The demo network and the tests use them,
/// so both go through the same services and rules as the app.
public struct Factories: Sendable {
    public let db: any Database
    public let actor: Actor

    public init(db: any Database, actor: Actor = .system) {
        self.db = db
        self.actor = actor
    }

    public func place(_ level: PlaceLevel, parent: UUID?, code: String? = nil, ky: String, ru: String, en: String) async throws -> PlaceRecord {
        try await GeographyService(db: db).create(
            PlaceDraft(level: level, parentID: parent, code: code, name: LocalizedName(ky: ky, ru: ru, en: en)), by: actor)
    }

    /// An oblast, a district, an aiyl aimak and a village, for a test that needs somewhere to live.
    public func village(named name: String = "Сарай") async throws -> PlaceRecord {
        let oblast = try await place(.oblast, parent: nil, ky: "Ош облусу", ru: "Ошская область", en: "Osh Region")
        let district = try await place(.district, parent: oblast.id, ky: "Кара-Суу району", ru: "Карасуйский район", en: "Kara-Suu District")
        let aimak = try await place(.aiylAimak, parent: district.id, ky: "\(name) айыл аймагы", ru: "Айыл аймак \(name)", en: "\(name) aiyl aimak")
        return try await place(.village, parent: aimak.id, ky: name, ru: name, en: name)
    }

    public func organisation(_ name: String, kind: OrganisationKind, in village: PlaceRecord, inNetwork: Bool = true,
                             phone: String? = nil, contact: String? = nil) async throws -> OrganisationRecord {
        try await OrganisationService(db: db).create(
            OrganisationDraft(name: name, kind: kind, districtID: village.districtID, villageID: village.id,
                              phone: phone, contactPerson: contact, inNetwork: inNetwork), by: actor)
    }

    public func person(_ fullName: String, in village: PlaceRecord, born: Int = 1985, sex: Sex = .female,
                       phone: String? = nil, household: String? = nil, consent: Bool = true) async throws -> PersonRecord {
        try await PeopleService(db: db).create(
            PersonDraft(fullName: fullName, sex: sex, birthYear: born, villageID: village.id, phone: phone,
                        householdCode: household, contactConsent: consent),
            confirmedNotDuplicate: true, by: actor)
    }

    /// A user with roles. `hash` turns the password into what is stored (bcrypt in the app).
    public func user(_ login: String, name: String, password: String, hash: @Sendable (String) throws -> String,
                     grants: [Grant], phone: String? = nil, person: UUID? = nil) async throws -> UserRecord {
        let users = UserService(db: db)
        let user = try await users.create(UserDraft(login: login, displayName: name, phone: phone, personID: person),
                                          passwordHash: try hash(password), by: actor)
        for grant in grants {
            try await users.grant(user.id, role: grant.role, organisationID: grant.organisationID, by: actor)
        }
        return try await users.get(user.id)
    }
}
