import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// The people registry. Search goes by POST so a name typed into it never lands in a URL or a log.
struct PeopleController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let people = routes.grouped("people")
        people.get(use: index)
        people.post("search", use: search)
        people.get("new", use: newForm)
        people.post(use: create)
        people.get(":id", use: show)
        people.get(":id", "edit", use: editForm)
        people.post(":id", use: update)
        people.post(":id", "numbers", use: addNumber)
    }

    struct Row: Encodable {
        let id: UUID
        let fullName: String
        let birthYear: Int
        let village: String
        let phone: String?
    }

    struct IndexPage: Encodable {
        let rows: [Row]
        let q: String
        /// The villages' `<option>`s (`villageOptions`).
        let villages: String
        let pager: Pager
        let canWrite: Bool
    }

    struct SearchForm: Content {
        var q: String?
        var village_id: String?
        var page: Int?
    }

    @Sendable func index(req: Request) async throws -> Response {
        try await list(req, SearchForm(page: try? req.query.get(Int.self, at: "page")))
    }

    @Sendable func search(req: Request) async throws -> Response {
        try await list(req, try req.content.decode(SearchForm.self))
    }

    func list(_ req: Request, _ form: SearchForm) async throws -> Response {
        let user = try req.require(.readPeople)
        let found = try await req.network.people.search(q: form.q, villageID: req.uuid(form.village_id),
                                                        page: PageQuery(page: form.page, per: 25))
        return try await req.render("people/index", title: req.t("people.title"), IndexPage(
            rows: try await Self.rows(found.items, req: req), q: form.q ?? "",
            villages: try await req.villageOptions(selected: form.village_id),
            pager: found.pager, canWrite: user.permits(.writePeople)))
    }

    static func rows(_ people: [PersonRecord], req: Request) async throws -> [Row] {
        let villages = try await req.network.geography.lookup(people.map(\.villageID))
        let lang = req.appLocale.rawValue
        return people.map {
            Row(id: $0.id, fullName: $0.fullName, birthYear: $0.birthYear,
                village: villages[$0.villageID]?.name.named(lang) ?? "", phone: $0.phone)
        }
    }

    struct Number: Encodable {
        let organisation: String
        let number: String
    }

    struct ShowPage: Encodable {
        let person: Row
        let sex: String
        let householdCode: String?
        let contactConsent: Bool
        let language: String?
        let numbers: [Number]
        let organisations: [Choice]
        let canWrite: Bool
        let canManageUsers: Bool
        let canReadAudit: Bool
        let timeBanks: [TimeBankMembership]
        let canJoin: [Choice]
        let errors: FieldErrors
    }

    struct TimeBankMembership: Encodable {
        let bankID: UUID
        let memberID: UUID
        let bank: String
        let number: String
        let balance: String
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: req.pathID(), errors: [:])
    }

    func renderShow(_ req: Request, id: UUID, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.require(.readPeople)
        let person = try await req.network.people.get(id)
        let numbers = try await req.network.people.memberNumbers(of: id)
        let orgs = try await req.network.organisations.all()
        let orgNames = Dictionary(uniqueKeysWithValues: orgs.map { ($0.id, $0.name) })
        let memberships = try await TimeBankService(db: req.db).memberships(of: id)
        let openBanks = try await TimeBankService(db: req.db).banks(page: PageQuery(per: PageQuery.maxPer)).items
        let grants = user.grants.map(\.grant)
        let page = ShowPage(
            person: try await Self.rows([person], req: req)[0], sex: req.t("person.sex.\(person.sex.rawValue)"),
            householdCode: person.householdCode, contactConsent: person.contactConsent,
            language: person.language.flatMap(AppLocale.init(rawValue:))?.nativeName,
            numbers: numbers.map { Number(organisation: orgNames[$0.organisationID] ?? "", number: $0.number) },
            organisations: orgs.filter(\.inNetwork).map { Choice(value: $0.id.uuidString, label: $0.name, selected: false) },
            canWrite: user.permits(.writePeople), canManageUsers: user.permits(.manageUsers),
            canReadAudit: user.permits(.readAudit),
            timeBanks: memberships.map {
                TimeBankMembership(bankID: $0.bankID, memberID: $0.id, bank: orgNames[$0.bankID] ?? "", number: $0.memberNumber,
                                   balance: req.duration($0.balanceMinutes))
            },
            canJoin: openBanks.filter { bank in
                TimeBankAccess.canManage(grants, bank: bank.id) && !memberships.contains { $0.bankID == bank.id }
            }.map { Choice(value: $0.id.uuidString, label: req.t("timebanks.join", ["bank": $0.name]), selected: false) },
            errors: errors)
        // The title names no one: it shows in tabs, history and on shared screens.
        return try await req.render("people/show", title: req.t("people.one"), page, status: status)
    }

    struct PersonForm: Content {
        var full_name: String?
        var sex: String?
        var birth_year: String?
        var village_id: String?
        var phone: String?
        var household_code: String?
        var contact_consent: String?
        var language: String?
        var confirm_not_duplicate: String?
    }

    struct Duplicate: Encodable {
        let id: UUID
        let fullName: String
        let birthYear: Int
        let phone: String?
    }

    struct FormPage: Encodable {
        let action: String
        let form: PersonForm
        let sexes: [Choice]
        let languages: [Choice]
        /// The villages' `<option>`s (`villageOptions`).
        let villages: String
        let errors: FieldErrors
        let duplicates: [Duplicate]
        let isNew: Bool
    }

    @Sendable func newForm(req: Request) async throws -> Response {
        try req.require(.writePeople)
        return try await renderForm(req, form: PersonForm(sex: Sex.female.rawValue), errors: [:], editing: nil)
    }

    @Sendable func create(req: Request) async throws -> Response {
        try req.require(.writePeople)
        let form = try req.content.decode(PersonForm.self)
        do {
            let person = try await req.network.people.create(Self.draft(form, req: req),
                                                             confirmedNotDuplicate: form.confirm_not_duplicate != nil, by: req.actor)
            return req.redirect(to: "/people/\(person.id)")
        } catch let duplicate as PossibleDuplicate {
            return try await renderForm(req, form: form, errors: [:], editing: nil, duplicates: duplicate.matches, status: .conflict)
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, editing: nil, status: .unprocessableEntity)
        }
    }

    @Sendable func editForm(req: Request) async throws -> Response {
        try req.require(.writePeople)
        let p = try await req.network.people.get(req.pathID())
        let form = PersonForm(full_name: p.fullName, sex: p.sex.rawValue, birth_year: String(p.birthYear), village_id: p.villageID.uuidString,
                              phone: p.phone, household_code: p.householdCode, contact_consent: p.contactConsent ? "on" : nil,
                              language: p.language)
        return try await renderForm(req, form: form, errors: [:], editing: p.id)
    }

    @Sendable func update(req: Request) async throws -> Response {
        try req.require(.writePeople)
        let id = try req.pathID()
        _ = try await req.network.people.get(id)
        let form = try req.content.decode(PersonForm.self)
        do {
            _ = try await req.network.people.update(id, Self.draft(form, req: req), by: req.actor)
            return req.redirect(to: "/people/\(id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, editing: id, status: .unprocessableEntity)
        }
    }

    struct NumberForm: Content {
        var organisation_id: String?
        var number: String?
    }

    @Sendable func addNumber(req: Request) async throws -> Response {
        try req.require(.writePeople)
        let id = try req.pathID()
        let form = try req.content.decode(NumberForm.self)
        do {
            guard let orgID = req.uuid(form.organisation_id) else {
                throw DomainError("network.member-number.organisation-invalid", field: "organisation_id")
            }
            try await req.network.people.addMemberNumber(personID: id, organisationID: orgID, number: form.number ?? "", by: req.actor)
            return req.redirect(to: "/people/\(id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderShow(req, id: id, errors: errors, status: .unprocessableEntity)
        }
    }

    static func draft(_ form: PersonForm, req: Request) -> PersonDraft {
        PersonDraft(fullName: form.full_name ?? "", sex: form.sex.flatMap(Sex.init(rawValue:)) ?? .female,
                    birthYear: form.birth_year.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                    villageID: req.uuid(form.village_id), phone: form.phone, householdCode: form.household_code,
                    contactConsent: form.contact_consent != nil, language: form.language)
    }

    func renderForm(_ req: Request, form: PersonForm, errors: FieldErrors, editing: UUID?, duplicates: [PersonRecord] = [],
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = FormPage(
            action: editing.map { "/people/\($0)" } ?? "/people", form: form,
            sexes: Sex.allCases.map { Choice(value: $0.rawValue, label: req.t("person.sex.\($0.rawValue)"), selected: $0.rawValue == form.sex) },
            languages: AppLocale.allCases.map { Choice(value: $0.rawValue, label: $0.nativeName, selected: $0.rawValue == form.language) },
            villages: try await req.villageOptions(selected: form.village_id), errors: errors,
            duplicates: duplicates.map { Duplicate(id: $0.id, fullName: $0.fullName, birthYear: $0.birthYear, phone: $0.phone) },
            isNew: editing == nil)
        return try await req.render("people/form", title: req.t(editing == nil ? "people.new" : "people.edit"), page, status: status)
    }
}
