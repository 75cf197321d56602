import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Referrals
import Vapor

/// A case worker's cases on the web: the list (her centre's and those referred to it, follow-ups due,
/// referrals waiting — by alias, risk and status: her situation only on the case page, whose every
/// reading is in the audit log), opening one, and the case page — as much as her sight allows, with its
/// consents, referrals, the services proposed for it and who read it. Every case page has the quick
/// exit; URLs carry ids and titles say "Case", never her alias or situation.
struct CasesController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("cases", use: list)
        routes.get("cases", "new", use: new)
        routes.post("cases", use: open)
        routes.get("cases", ":id", use: show)
        routes.post("cases", ":id", "notes", use: notes)
        routes.post("cases", ":id", "receive", use: receive)
        routes.post("cases", ":id", "contact", use: contact)
        routes.post("cases", ":id", "close", use: close)
        routes.post("cases", ":id", "consents", use: addConsent)
        routes.post("cases", ":id", "consents", ":consent", "withdraw", use: withdraw)
        routes.post("cases", ":id", "referrals", use: refer)
        routes.post("cases", ":id", "person", use: linkPerson)
        // Posted, not a query string: her name never sits in a case's URL or the browser's history.
        routes.post("cases", ":id", "person-search", use: searchPerson)
        routes.post("referrals", ":referral", ":action", use: act)
    }

    struct Row: Encodable {
        let id: UUID
        let alias: String
        let risk: String?
        let status: String
        let opened: String
        let holder: Bool
    }

    struct ReferralRow: Encodable {
        let id: UUID
        let caseID: UUID
        let service: String
        let status: String
        let sent: String
        let followUp: String?
        let note: String?
        let canAccept: Bool
        let canDecline: Bool
        let canFinish: Bool
        let canRevoke: Bool
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let pager: Pager
        let incoming: [ReferralRow]
        let followUps: [ReferralRow]
    }

    @Sendable func list(req: Request) async throws -> Response {
        let grants = try caseworker(req)
        let page = try await req.cases.cases(grants: grants, page: PageQuery(page: req.query["page"], per: 50))
        let referrals = ReferralService(db: req.db)
        return try await req.render("referrals/cases", title: req.t("referrals.cases"), ListPage(
            rows: page.items.map { c in
                Row(id: c.id, alias: c.alias, risk: c.riskLevel.map { req.t("referrals.risk.\($0.rawValue)") },
                    status: req.t("referrals.case-status.\(c.status.rawValue)"), opened: BishkekTime.format(c.openedAt), holder: c.sight == .holder)
            },
            pager: Pager(page: page.request.page, pageCount: page.pageCount, total: page.total),
            incoming: try await rows(try await referrals.incoming(grants: grants).filter(\.status.isLive), req, grants: grants),
            followUps: try await rows(try await referrals.followUpsDue(grants: grants), req, grants: grants)))
    }

    /// Only case workers (and case supervisors) have cases; anyone else is told so, not shown a page.
    func caseworker(_ req: Request) throws -> [Grant] {
        try req.grants(CaseAccess.isCaseworker)
    }

    func situations(_ list: [Situation]?, _ req: Request) -> String {
        guard let list else { return req.t("referrals.not-shared") }
        return list.map { req.t("referrals.situation.\($0.rawValue)") }.joined(separator: ", ")
    }

    func rows(_ referrals: [ReferralRecord], _ req: Request, grants: [Grant]) async throws -> [ReferralRow] {
        let services = Dictionary(uniqueKeysWithValues: try await DirectoryService(db: req.db).services().map { ($0.id, $0) })
        let mine = CaseAccess.caseworkerOrganisations(grants)
        return referrals.map { r in
            let service = services[r.serviceID]
            let receiver = r.toOrganisationID.map(mine.contains) ?? mine.contains(r.fromOrganisationID)
            let sender = mine.contains(r.fromOrganisationID)
            return ReferralRow(
                id: r.id, caseID: r.caseID,
                service: service.map { "\($0.draft.provider) — \(req.t("referrals.kind.\($0.draft.kind.rawValue)"))" } ?? "—",
                status: req.t("referrals.status.\(r.status.rawValue)"), sent: BishkekTime.format(r.sentAt), followUp: r.followUpOn,
                note: r.outcome.map { req.t("referrals.outcome.\($0.rawValue)") } ?? r.reason ?? r.overrideReason.map { req.t("referrals.override-note", ["reason": $0]) },
                canAccept: receiver && r.status.after(.accept) != nil, canDecline: receiver && r.status.after(.decline) != nil,
                canFinish: receiver && r.status.after(.done) != nil, canRevoke: sender && r.status.after(.revoke) != nil)
        }
    }

    // MARK: Opening

    struct NewPage: Encodable {
        let form: CaseFormView
    }

    @Sendable func new(req: Request) async throws -> Response {
        _ = try caseworker(req)
        return try await renderNew(req, CaseForm(), errors: [:])
    }

    func renderNew(_ req: Request, _ form: CaseForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try caseworker(req)
        let centres = try await req.network.organisations.lookup(CaseAccess.caseworkerOrganisations(grants)).values.sorted { $0.name < $1.name }
        return try await req.render("referrals/new-case", title: req.t("referrals.new-case"), NewPage(
            form: try await CaseFormView(req, form, errors: errors, helpCentres: centres.count > 1 ? centres : [])), status: status)
    }

    @Sendable func open(req: Request) async throws -> Response {
        let grants = try caseworker(req)
        let form = try req.content.decode(CaseForm.self)
        let centres = CaseAccess.caseworkerOrganisations(grants)
        let centre = req.uuid(form.help_centre_id) ?? (centres.count == 1 ? centres.first : nil)
        do {
            guard let centre else { throw DomainError("referrals.case.centre-required", field: "help_centre_id") }
            let opened = try await req.cases.open(form.draft(req), at: centre, grants: grants, by: req.actor)
            return req.redirect(to: "/cases/\(opened.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderNew(req, form, errors: errors, status: .unprocessableEntity)
        }
    }

    // MARK: The case page

    struct Fact: Encodable {
        let label: String
        let value: String
        let warning: Bool
    }

    struct ConsentRow: Encodable {
        let id: UUID
        let recipient: String
        let scope: String
        let purpose: String
        let given: String
        let until: String?
        let withdrawn: String?
    }

    struct Proposal: Encodable {
        let serviceID: UUID
        let service: String
        let badges: [String]
        let consents: [Choice]
    }

    struct CasePage: Encodable {
        let id: UUID
        let alias: String
        let holder: Bool
        let supervisor: Bool
        let open: Bool
        let facts: [Fact]
        let preferences: [Fact]
        let notes: String?
        let consents: [ConsentRow]
        let referrals: [ReferralRow]
        let proposals: [Proposal]
        let readings: [String]
        let canReceive: Bool
        let canContact: Bool
        let consentForm: ConsentFormView?
        let outcomes: [Choice]
        let person: PersonLink?
        let error: String?
    }

    /// Her record in the people registry: who, once linked; else the search to find her.
    struct PersonLink: Encodable {
        let linked: String?
        let q: String
        let candidates: [Choice]
        let ways: [Choice]
    }

    struct ConsentFormView: Encodable {
        let organisations: [Choice]
        let scopes: [Choice]
        let ways: [Choice]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderCase(req, id: try req.pathID(), error: nil)
    }

    func renderCase(_ req: Request, id: UUID, error: String?, personQuery: String = "") async throws -> Response {
        let grants = try caseworker(req)
        let c = try await req.cases.read(id, grants: grants, by: req.actor)
        let holder = c.sight == .holder
        let lang = req.appLocale.rawValue
        let places = try await req.network.geography.lookup([c.villageID, c.districtID].compactMap { $0 })
        var facts = [Fact(label: req.t("referrals.status"), value: req.t("referrals.case-status.\(c.status.rawValue)"), warning: false),
                     Fact(label: req.t("referrals.situations"), value: situations(c.situations, req), warning: false)]
        if let risk = c.riskLevel { facts.append(Fact(label: req.t("referrals.risk"), value: req.t("referrals.risk.\(risk.rawValue)"), warning: risk == .high)) }
        if let district = c.districtID.flatMap({ places[$0] }) { facts.append(Fact(label: req.t("referrals.district"), value: district.name.named(lang), warning: false)) }
        if let village = c.villageID.flatMap({ places[$0] }) { facts.append(Fact(label: req.t("referrals.village"), value: village.name.named(lang), warning: false)) }
        facts.append(Fact(label: req.t("referrals.opened"), value: BishkekTime.format(c.openedAt), warning: false))
        if let at = c.firstContactAt { facts.append(Fact(label: req.t("referrals.first-contact"), value: BishkekTime.format(at), warning: false)) }
        if let outcome = c.outcome { facts.append(Fact(label: req.t("referrals.outcome"), value: req.t("referrals.outcome.\(outcome.rawValue)"), warning: false)) }
        let preferences: [Fact] = c.preferences.map { p in
            [p.never.map { Fact(label: req.t("referrals.never"), value: $0, warning: true) },
             p.safeContact.map { Fact(label: req.t("referrals.safe-contact"), value: $0, warning: false) },
             p.safeTime.map { Fact(label: req.t("referrals.safe-time"), value: $0, warning: false) },
             p.providerSex.map { Fact(label: req.t("referrals.provider-sex"), value: req.t("referrals.sex.\($0)"), warning: false) },
             p.languages.isEmpty ? nil : Fact(label: req.t("referrals.languages"), value: p.languages.map { req.t("referrals.language.\($0)") }.joined(separator: ", "), warning: false),
            ].compactMap { $0 }
        } ?? []

        let referralService = ReferralService(db: req.db)
        let referrals = try await rows(try await referralService.referrals(of: c, grants: grants), req, grants: grants)
        var consents: [ConsentRecord] = []
        var proposals: [Proposal] = []
        var readings: [String] = []
        var consentForm: ConsentFormView?
        if holder {
            consents = try await req.cases.consents(of: id, grants: grants)
            readings = try await req.cases.readings(id, grants: grants).map { "\(BishkekTime.format($0.at)) — \($0.login)" }
            let organisations = try await req.network.organisations.all().filter(\.inNetwork)
            let consentNames = Dictionary(uniqueKeysWithValues: organisations.map { ($0.id, $0.name) })
            if c.status == .open {
                let today = BishkekCalendar.day(of: Date())
                proposals = try await referralService.proposals(for: c).map { service, proposal in
                    let covering = consents.filter { $0.terms.covers(recipient: service.draft.organisationID, today: today) }
                    return Proposal(
                        serviceID: service.id,
                        service: "\(service.draft.provider) — \(req.t("referrals.kind.\(service.draft.kind.rawValue)"))",
                        badges: [proposal.inDistrict ? "referrals.badge.district" : "referrals.badge.elsewhere",
                                 proposal.speaksHerLanguage ? "referrals.badge.language" : nil,
                                 service.draft.womanStaff ? "referrals.badge.woman" : nil].compactMap { $0 }.map { req.t($0) }
                            + (service.draft.hours.isEmpty ? [] : [service.draft.hours]),
                        consents: covering.map { Choice(value: $0.id.uuidString, label: "\($0.draft.purpose) (\(BishkekTime.format($0.givenAt)))", selected: false) })
                }
                consentForm = ConsentFormView(
                    organisations: organisations.sorted { $0.name < $1.name }.map { Choice(value: $0.id.uuidString, label: $0.name, selected: false) },
                    scopes: ConsentScope.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.scope.\($0.rawValue)"), selected: $0 == .situation) },
                    ways: ConsentGiven.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.given.\($0.rawValue)"), selected: $0 == .spoken) })
            }
            return try await render(req, c, facts: facts, preferences: preferences, referrals: referrals, proposals: proposals, readings: readings,
                                    personQuery: personQuery,
                                    consents: consents.map { r in
                                        ConsentRow(id: r.id, recipient: r.draft.recipientOrganisationID.flatMap { consentNames[$0] } ?? "—",
                                                   scope: ConsentScope.allCases.filter(r.draft.scope.contains).map { req.t("referrals.scope.\($0.rawValue)") }.joined(separator: ", "),
                                                   purpose: r.draft.purpose, given: "\(req.t("referrals.given.\(r.draft.givenHow.rawValue)")), \(BishkekTime.format(r.givenAt))",
                                                   until: r.draft.expiresOn, withdrawn: r.withdrawnAt.map(BishkekTime.format))
                                    }, consentForm: consentForm, grants: grants, error: error)
        }
        return try await render(req, c, facts: facts, preferences: preferences, referrals: referrals, proposals: [], readings: [], personQuery: "", consents: [],
                                consentForm: nil, grants: grants, error: error)
    }

    func render(_ req: Request, _ c: CaseRecord, facts: [Fact], preferences: [Fact], referrals: [ReferralRow], proposals: [Proposal], readings: [String],
                personQuery: String, consents: [ConsentRow], consentForm: ConsentFormView?, grants: [Grant], error: String?) async throws -> Response {
        let holder = c.sight == .holder
        let response = try await req.render("referrals/case", title: req.t("referrals.case"), CasePage(
            id: c.id, alias: c.alias, holder: holder, supervisor: CaseAccess.supervises(grants, organisation: c.organisationID), open: c.status == .open,
            facts: facts, preferences: preferences, notes: c.notes, consents: consents, referrals: referrals, proposals: proposals, readings: readings,
            canReceive: holder && c.receivedAt == nil, canContact: holder && c.firstContactAt == nil && c.status == .open,
            consentForm: consentForm,
            outcomes: Outcome.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.outcome.\($0.rawValue)"), selected: false) },
            person: holder ? try await personLink(req, c, query: personQuery) : nil,
            error: error), status: error == nil ? .ok : .unprocessableEntity)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    func personLink(_ req: Request, _ c: CaseRecord, query q: String) async throws -> PersonLink {
        let ways = ConsentGiven.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.given.\($0.rawValue)"), selected: $0 == .spoken) }
        if let person = c.personID {
            let record = try await req.network.people.get(person)
            return PersonLink(linked: "\(record.fullName), \(record.birthYear)", q: "", candidates: [], ways: ways)
        }
        let found: [PersonRecord] = q.isEmpty ? [] : try await req.network.people.search(q: q, page: PageQuery(page: 1, per: 10)).items
        let villages = try await req.network.geography.lookup(found.map(\.villageID))
        return PersonLink(linked: nil, q: q, candidates: found.map {
            Choice(value: $0.id.uuidString, label: "\($0.fullName), \($0.birthYear) · \(villages[$0.villageID]?.name.named(req.appLocale.rawValue) ?? "")", selected: false)
        }, ways: ways)
    }

    // MARK: Writes from the case page

    /// Runs a write for the case page; a rule broken shows the page again with the message at the top.
    func caseWrite(_ req: Request, _ body: (_ grants: [Grant], _ id: UUID) async throws -> Void) async throws -> Response {
        let grants = try caseworker(req)
        let id = try req.pathID()
        do {
            try await body(grants, id)
            return req.redirect(to: "/cases/\(id)")
        } catch let error as DomainError where error.kind != .notFound {
            return try await renderCase(req, id: id, error: req.t(error.key, error.arguments))
        } catch let errors as ValidationErrors {
            return try await renderCase(req, id: id, error: errors.errors.map { req.t($0.key, $0.arguments) }.joined(separator: " "))
        }
    }

    struct NotesForm: Content { var notes: String? }
    struct CloseForm: Content { var outcome: String? }

    struct ConsentForm: Content {
        var recipient_organisation_id: String?
        var scope: [String]?
        var purpose: String?
        var given_how: String?
        var expires_on: String?
    }

    struct ReferForm: Content {
        var service_id: String?
        var consent_id: String?
        var override_reason: String?
        var follow_up_on: String?
    }

    struct PersonForm: Content {
        var person_id: String?
        var consent: String?
        var given_how: String?
    }

    struct ActForm: Content {
        var reason: String?
        var outcome: String?
    }

    @Sendable func notes(req: Request) async throws -> Response {
        let form = try req.content.decode(NotesForm.self)
        return try await caseWrite(req) { grants, id in try await req.cases.updateNotes(id, notes: form.notes ?? "", grants: grants, by: req.actor) }
    }

    @Sendable func receive(req: Request) async throws -> Response {
        try await caseWrite(req) { grants, id in try await req.cases.receive(id, grants: grants, by: req.actor) }
    }

    @Sendable func contact(req: Request) async throws -> Response {
        try await caseWrite(req) { grants, id in try await req.cases.recordContact(id, grants: grants, by: req.actor) }
    }

    @Sendable func close(req: Request) async throws -> Response {
        let form = try req.content.decode(CloseForm.self)
        return try await caseWrite(req) { grants, id in
            guard let outcome = form.outcome.flatMap(Outcome.init(rawValue:)) else { throw DomainError("referrals.referral.outcome-required", field: "outcome") }
            try await req.cases.close(id, outcome: outcome, grants: grants, by: req.actor)
        }
    }

    @Sendable func addConsent(req: Request) async throws -> Response {
        let form = try req.content.decode(ConsentForm.self)
        return try await caseWrite(req) { grants, id in
            _ = try await req.cases.addConsent(to: id, ConsentDraft(
                recipientOrganisationID: req.uuid(form.recipient_organisation_id), scope: Set((form.scope ?? []).compactMap(ConsentScope.init(rawValue:))),
                purpose: form.purpose ?? "", givenHow: form.given_how.flatMap(ConsentGiven.init(rawValue:)) ?? .spoken,
                expiresOn: form.expires_on.nonBlank), grants: grants, by: req.actor)
        }
    }

    @Sendable func withdraw(req: Request) async throws -> Response {
        let consent = try req.pathID("consent")
        return try await caseWrite(req) { grants, _ in try await req.cases.withdrawConsent(consent, grants: grants, by: req.actor) }
    }

    @Sendable func refer(req: Request) async throws -> Response {
        let form = try req.content.decode(ReferForm.self)
        return try await caseWrite(req) { grants, id in
            guard let service = req.uuid(form.service_id) else { throw DomainError("referrals.referral.service-unknown", field: "service_id") }
            _ = try await ReferralService(db: req.db).refer(case: id, service: service, consent: req.uuid(form.consent_id),
                                                            overrideReason: form.override_reason, followUpOn: form.follow_up_on.nonBlank,
                                                            grants: grants, by: req.actor)
        }
    }

    struct SearchForm: Content { var q: String? }

    @Sendable func searchPerson(req: Request) async throws -> Response {
        let form = try req.content.decode(SearchForm.self)
        return try await renderCase(req, id: try req.pathID(), error: nil, personQuery: form.q?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    }

    @Sendable func linkPerson(req: Request) async throws -> Response {
        let form = try req.content.decode(PersonForm.self)
        return try await caseWrite(req) { grants, id in
            guard let person = req.uuid(form.person_id) else { throw DomainError("needs.submission.person-required", field: "person_id") }
            try await req.cases.linkPerson(id, person: person, consentGiven: form.consent == "1",
                                           how: form.given_how.flatMap(ConsentGiven.init(rawValue:)) ?? .spoken, grants: grants, by: req.actor)
        }
    }

    /// Accept, decline, done or revoke, from the case page or the list; back to the case.
    @Sendable func act(req: Request) async throws -> Response {
        let grants = try caseworker(req)
        let referralID = try req.pathID("referral")
        guard let action = req.parameters.get("action").flatMap(ReferralStatus.Action.init(rawValue:)) else { throw Abort(.notFound) }
        let form = try req.content.decode(ActForm.self)
        let service = ReferralService(db: req.db)
        do {
            let referral = try await service.act(referralID, action, reason: form.reason, outcome: form.outcome.flatMap(Outcome.init(rawValue:)),
                                                 grants: grants, by: req.actor)
            return req.redirect(to: "/cases/\(referral.caseID)")
        } catch let error as DomainError where error.kind != .notFound {
            // The referral is one she may act on (else it would be "not found"): its case is hers to see.
            guard let caseID = try await service.caseOf(referralID, grants: grants) else { throw error }
            return try await renderCase(req, id: caseID, error: req.t(error.key, error.arguments))
        }
    }
}
