import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// Joining a time bank: the bank's public form, which a woman (or a neighbour for her) fills in on a
/// phone, and the office's list of applications to accept or decline. Accepting registers her in the
/// people registry, unless the office recognises her there already.
struct ApplicationsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let bank = routes.grouped("timebanks", ":bank")
        bank.get("apply", use: form)
        bank.post("apply", use: apply)
        bank.get("applications", use: list)
        bank.post("applications", ":application", "accept", use: accept)
        bank.post("applications", ":application", "decline", use: decline)
    }

    struct ApplyForm: Content {
        var full_name: String?
        var village_id: String?
        var birth_year: String?
        var phone: String?
        var offers: String?
        var consent: String?
    }

    struct ApplyPage: Encodable {
        let bankID: UUID
        let bankName: String
        /// The villages' `<option>`s (`villageOptions`).
        let villages: String
        let form: ApplyForm
        let errors: FieldErrors
        let sent: Bool
    }

    @Sendable func form(req: Request) async throws -> Response {
        try await renderForm(req, form: ApplyForm(), errors: [:])
    }

    @Sendable func apply(req: Request) async throws -> Response {
        let bankID = try req.pathID("bank")
        let form = try req.content.decode(ApplyForm.self)
        do {
            let draft = PersonDraft(fullName: form.full_name ?? "", sex: .female, birthYear: form.birth_year.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) },
                                    villageID: req.uuid(form.village_id), phone: form.phone.nonBlank)
            _ = try await ApplicationService(db: req.db).apply(bankID, draft, offers: form.offers, consent: form.consent != nil)
            return try await renderForm(req, form: ApplyForm(), errors: [:], sent: true)
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderForm(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    func renderForm(_ req: Request, form: ApplyForm, errors: FieldErrors, sent: Bool = false,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let bank = try await TimeBankService(db: req.db).bank(try req.pathID("bank"))
        return try await req.render("timebanks/apply", title: req.t("apply.title"), ApplyPage(
            bankID: bank.id, bankName: bank.name, villages: try await req.villageOptions(selected: form.village_id), form: form,
            errors: errors, sent: sent), status: status)
    }

    // MARK: The office

    struct Row: Encodable {
        let id: UUID
        let fullName: String
        let village: String
        let birthYear: Int
        let phone: String?
        let offers: String?
        let date: String
        /// People of the registry she may be, when accepting her met a likely duplicate.
        let matches: [Match]
    }

    struct Match: Encodable {
        let id: UUID
        let fullName: String
        let birthYear: Int
        let phone: String?
    }

    struct ListPage: Encodable {
        let bankID: UUID
        let bankName: String
        let rows: [Row]
        let formAddress: String
    }

    @Sendable func list(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        return try await renderList(req, bank: bank, matches: [:])
    }

    func renderList(_ req: Request, bank: BankRecord, matches: [UUID: [PersonRecord]], status: HTTPResponseStatus = .ok) async throws -> Response {
        let applications = try await ApplicationService(db: req.db).pending(bank.id)
        let villages = try await req.network.geography.lookup(applications.map(\.villageID))
        let lang = req.appLocale.rawValue
        return try await req.render("timebanks/applications", title: req.t("applications.title"), ListPage(
            bankID: bank.id, bankName: bank.name,
            rows: applications.map { a in
                Row(id: a.id, fullName: a.fullName, village: villages[a.villageID]?.name.named(lang) ?? "", birthYear: a.birthYear,
                    phone: a.phone.map { PhoneNumber.display(PhoneNumber.normalise($0) ?? $0) }, offers: a.offers,
                    date: BishkekTime.format(a.createdAt),
                    matches: (matches[a.id] ?? []).map { Match(id: $0.id, fullName: $0.fullName, birthYear: $0.birthYear, phone: $0.phone) })
            },
            formAddress: "/timebanks/\(bank.id)/apply"), status: status)
    }

    @Sendable func accept(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let id = try req.pathID("application")
        do {
            _ = try await ApplicationService(db: req.db).accept(
                bank.id, id, person: req.uuid(try? req.content.get(String.self, at: "person_id")),
                newPerson: (try? req.content.get(String.self, at: "new_person")) != nil, by: req.actor)
            return req.redirect(to: "/timebanks/\(bank.id)/applications")
        } catch let duplicate as PossibleDuplicate {
            return try await renderList(req, bank: bank, matches: [id: duplicate.matches], status: .conflict)
        }
    }

    @Sendable func decline(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        try await ApplicationService(db: req.db).decline(bank.id, try req.pathID("application"), by: req.actor)
        return req.redirect(to: "/timebanks/\(bank.id)/applications")
    }
}
