import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The JSON API: one conformance to the generated protocol, its handlers in one extension per context.
/// Handlers throw `DomainError`; the error middleware turns it into `{"error":{"code","message"}}`.
struct AsharAPI: APIProtocol {
    typealias Schemas = Components.Schemas
}

/// The Network context: geography, organisations, people, and who the caller is.
extension AsharAPI {
    func getMe(_ input: Operations.GetMe.Input) async throws -> Operations.GetMe.Output {
        let req = try APIRequest.get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        return .ok(.init(body: .json(Schemas.Me(
            login: user.login, displayName: user.displayName,
            roles: user.grants.map { .init(role: Schemas.Role(rawValue: $0.role.rawValue)!, organisationId: $0.organisationID?.uuidString) }))))
    }

    // MARK: Geography

    func listOblasts(_ input: Operations.ListOblasts.Input) async throws -> Operations.ListOblasts.Output {
        let q = input.query
        return .ok(.init(body: .json(try await places(.oblast, page: q.page, per: q.per, q: q.q))))
    }

    func listDistricts(_ input: Operations.ListDistricts.Input) async throws -> Operations.ListDistricts.Output {
        let q = input.query
        return .ok(.init(body: .json(try await places(.district, parent: try q.oblastId.map(Self.id), page: q.page, per: q.per, q: q.q))))
    }

    func listAiylAimaks(_ input: Operations.ListAiylAimaks.Input) async throws -> Operations.ListAiylAimaks.Output {
        let q = input.query
        return .ok(.init(body: .json(try await places(.aiylAimak, parent: try q.districtId.map(Self.id), page: q.page, per: q.per, q: q.q))))
    }

    func listVillages(_ input: Operations.ListVillages.Input) async throws -> Operations.ListVillages.Output {
        let q = input.query
        return .ok(.init(body: .json(try await places(.village, district: try q.districtId.map(Self.id), page: q.page, per: q.per, q: q.q))))
    }

    func createOblast(_ input: Operations.CreateOblast.Input) async throws -> Operations.CreateOblast.Output {
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(try await createPlace(.oblast, body))))
    }

    func createDistrict(_ input: Operations.CreateDistrict.Input) async throws -> Operations.CreateDistrict.Output {
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(try await createPlace(.district, body))))
    }

    func createAiylAimak(_ input: Operations.CreateAiylAimak.Input) async throws -> Operations.CreateAiylAimak.Output {
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(try await createPlace(.aiylAimak, body))))
    }

    func createVillage(_ input: Operations.CreateVillage.Input) async throws -> Operations.CreateVillage.Output {
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(try await createPlace(.village, body))))
    }

    func getPlace(_ input: Operations.GetPlace.Input) async throws -> Operations.GetPlace.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let place = try await req.network.geography.get(try Self.id(input.path.id, notFound: "network.place"))
        return .ok(.init(body: .json(Self.place(place))))
    }

    func updatePlace(_ input: Operations.UpdatePlace.Input) async throws -> Operations.UpdatePlace.Output {
        let req = try APIRequest.get()
        try req.require(.manageGeography)
        guard case .json(let patch) = input.body else { throw Abort(.unsupportedMediaType) }
        let geo = req.network.geography
        let current = try await geo.get(try Self.id(input.path.id, notFound: "network.place"))
        let draft = PlaceDraft(level: current.level, parentID: current.parentID, code: patch.code ?? current.code,
                               name: LocalizedName(ky: patch.nameKy ?? current.name.ky, ru: patch.nameRu ?? current.name.ru,
                                                   en: patch.nameEn ?? current.name.en))
        return .ok(.init(body: .json(Self.place(try await geo.update(current.id, draft, by: req.actor)))))
    }

    private func places(_ level: PlaceLevel, parent: UUID? = nil, district: UUID? = nil, page: Int?, per: Int?, q: String?) async throws -> Schemas.PlaceList {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let list = try await req.network.geography.list(level: level, parentID: parent, districtID: district, q: q,
                                                        page: PageQuery(page: page, per: per))
        return Schemas.PlaceList(items: list.items.map(Self.place), total: list.total)
    }

    private func createPlace(_ level: PlaceLevel, _ body: Schemas.PlaceInput) async throws -> Schemas.Place {
        let req = try APIRequest.get()
        try req.require(.manageGeography)
        let parent = try body.parentId.map { try Self.id($0, field: "parent_id") }
        let draft = PlaceDraft(level: level, parentID: parent, code: body.code,
                               name: LocalizedName(ky: body.nameKy, ru: body.nameRu, en: body.nameEn))
        return Self.place(try await req.network.geography.create(draft, by: req.actor))
    }

    static func place(_ p: PlaceRecord) -> Schemas.Place {
        Schemas.Place(id: p.id.uuidString, level: Schemas.PlaceLevel(rawValue: p.level.rawValue)!, parentId: p.parentID?.uuidString,
                      oblastId: p.oblastID?.uuidString, districtId: p.districtID?.uuidString, code: p.code,
                      nameKy: p.name.ky, nameRu: p.name.ru, nameEn: p.name.en)
    }

    // MARK: Organisations

    func listOrganisations(_ input: Operations.ListOrganisations.Input) async throws -> Operations.ListOrganisations.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let q = input.query
        let filter = OrganisationFilter(q: q.q, kind: q.kind.flatMap { OrganisationKind(rawValue: $0.rawValue) },
                                        districtID: try q.districtId.map(Self.id), inNetwork: q.inNetwork)
        let list = try await req.network.organisations.list(filter, page: PageQuery(page: q.page, per: q.per))
        return .ok(.init(body: .json(Schemas.OrganisationList(items: list.items.map(Self.organisation), total: list.total))))
    }

    func createOrganisation(_ input: Operations.CreateOrganisation.Input) async throws -> Operations.CreateOrganisation.Output {
        let req = try APIRequest.get()
        try req.require(.manageOrganisations)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let draft = OrganisationDraft(name: body.name, kind: OrganisationKind(rawValue: body.kind.rawValue)!,
                                      districtID: try Self.id(body.districtId, field: "district_id"),
                                      villageID: try body.villageId.map { try Self.id($0, field: "village_id") },
                                      address: body.address, phone: body.phone, email: body.email,
                                      contactPerson: body.contactPerson, inNetwork: body.inNetwork ?? true)
        return .created(.init(body: .json(Self.organisation(try await req.network.organisations.create(draft, by: req.actor)))))
    }

    func getOrganisation(_ input: Operations.GetOrganisation.Input) async throws -> Operations.GetOrganisation.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let org = try await req.network.organisations.get(try Self.id(input.path.id, notFound: "network.organisation"))
        return .ok(.init(body: .json(Self.organisation(org))))
    }

    func updateOrganisation(_ input: Operations.UpdateOrganisation.Input) async throws -> Operations.UpdateOrganisation.Output {
        let req = try APIRequest.get()
        try req.require(.manageOrganisations)
        guard case .json(let patch) = input.body else { throw Abort(.unsupportedMediaType) }
        let orgs = req.network.organisations
        let o = try await orgs.get(try Self.id(input.path.id, notFound: "network.organisation"))
        let draft = OrganisationDraft(
            name: patch.name ?? o.name, kind: patch.kind.flatMap { OrganisationKind(rawValue: $0.rawValue) } ?? o.kind,
            districtID: try patch.districtId.map { try Self.id($0, field: "district_id") } ?? o.districtID,
            villageID: try patch.villageId.map { try Self.id($0, field: "village_id") } ?? o.villageID,
            address: patch.address ?? o.address, phone: patch.phone ?? o.phone, email: patch.email ?? o.email,
            contactPerson: patch.contactPerson ?? o.contactPerson, inNetwork: patch.inNetwork ?? o.inNetwork)
        return .ok(.init(body: .json(Self.organisation(try await orgs.update(o.id, draft, by: req.actor)))))
    }

    static func organisation(_ o: OrganisationRecord) -> Schemas.Organisation {
        Schemas.Organisation(id: o.id.uuidString, name: o.name, kind: Schemas.OrganisationKind(rawValue: o.kind.rawValue)!,
                             districtId: o.districtID.uuidString, villageId: o.villageID?.uuidString, address: o.address,
                             phone: o.phone, email: o.email, contactPerson: o.contactPerson, inNetwork: o.inNetwork)
    }

    // MARK: People

    func listPeople(_ input: Operations.ListPeople.Input) async throws -> Operations.ListPeople.Output {
        let req = try APIRequest.get()
        try req.require(.readPeople)
        let q = input.query
        let list = try await req.network.people.search(q: q.q, villageID: try q.villageId.map(Self.id), page: PageQuery(page: q.page, per: q.per))
        return .ok(.init(body: .json(Schemas.PersonList(items: list.items.map(Self.person), total: list.total))))
    }

    func createPerson(_ input: Operations.CreatePerson.Input) async throws -> Operations.CreatePerson.Output {
        let req = try APIRequest.get()
        try req.require(.writePeople)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let draft = PersonDraft(fullName: body.fullName, sex: Sex(rawValue: body.sex.rawValue)!, birthYear: body.birthYear,
                                villageID: try Self.id(body.villageId, field: "village_id"), phone: body.phone,
                                householdCode: body.householdCode, contactConsent: body.contactConsent ?? false,
                                language: body.language?.rawValue)
        let person = try await req.network.people.create(draft, confirmedNotDuplicate: input.query.confirmNotDuplicate ?? false, by: req.actor)
        return .created(.init(body: .json(Self.person(person))))
    }

    func getPerson(_ input: Operations.GetPerson.Input) async throws -> Operations.GetPerson.Output {
        let req = try APIRequest.get()
        try req.require(.readPeople)
        let person = try await req.network.people.get(try Self.id(input.path.id, notFound: "network.person"))
        return .ok(.init(body: .json(Self.person(person))))
    }

    func updatePerson(_ input: Operations.UpdatePerson.Input) async throws -> Operations.UpdatePerson.Output {
        let req = try APIRequest.get()
        try req.require(.writePeople)
        guard case .json(let patch) = input.body else { throw Abort(.unsupportedMediaType) }
        let people = req.network.people
        let current = try await people.get(try Self.id(input.path.id, notFound: "network.person"))
        var draft = PersonDraft(current)
        if let v = patch.fullName { draft.fullName = v }
        if let v = patch.sex { draft.sex = Sex(rawValue: v.rawValue)! }
        if let v = patch.birthYear { draft.birthYear = v }
        if let v = patch.villageId { draft.villageID = try Self.id(v, field: "village_id") }
        if let v = patch.phone { draft.phone = v }
        if let v = patch.householdCode { draft.householdCode = v }
        if let v = patch.contactConsent { draft.contactConsent = v }
        if let v = patch.language { draft.language = v.rawValue }
        return .ok(.init(body: .json(Self.person(try await people.update(current.id, draft, by: req.actor)))))
    }

    static func person(_ p: PersonRecord) -> Schemas.Person {
        Schemas.Person(id: p.id.uuidString, fullName: p.fullName, sex: Schemas.Sex(rawValue: p.sex.rawValue)!,
                       birthYear: p.birthYear, villageId: p.villageID.uuidString, phone: p.phone,
                       householdCode: p.householdCode, contactConsent: p.contactConsent,
                       language: p.language.flatMap(Schemas.MessageLanguage.init(rawValue:)))
    }

    // MARK: -

    /// A UUID from the path: a malformed one names no record, so 404.
    static func id(_ text: String, notFound what: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw DomainError.notFound(what) }
        return id
    }

    /// A UUID from a body or a filter: malformed is a rule broken by the input, so 422.
    static func id(_ text: String, field: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw DomainError("request.uuid-invalid", field: field) }
        return id
    }

    static func id(_ text: String) throws -> UUID {
        try id(text, field: "id")
    }
}
