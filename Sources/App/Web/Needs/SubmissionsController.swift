import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import Vapor

/// A form's submissions for the coordinators who read them: the list (newest first, with where and
/// when, never a name), one submission's answers, and linking it to the woman who answered it in the
/// people registry — only with her consent, said how she gave it. URLs carry ids only.
struct SubmissionsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("forms", ":form", "submissions", use: list)
        routes.get("forms", ":form", "submissions", ":id", use: show)
        routes.post("forms", ":form", "submissions", ":id", "respondent", use: link)
        // Posted, not a query string: a woman's name never sits in a URL beside her answers.
        routes.post("forms", ":form", "submissions", ":id", "person-search", use: search)
    }

    struct Row: Encodable {
        let id: UUID
        let submitted: String
        let source: String
        let district: String
        let village: String
        let recordedBy: String
        let linked: Bool
    }

    struct ListPage: Encodable {
        let formID: UUID
        let title: String
        let count: String
        let rows: [Row]
        let pager: Pager
    }

    @Sendable func list(req: Request) async throws -> Response {
        _ = try req.grants(NeedsAccess.canReadSubmissions)
        let form = try await FormService(db: req.db).form(try req.pathID("form"))
        let d = form.definition, lang = req.appLocale.rawValue
        let page = try await SubmissionService(db: req.db).submissions(form: form.id, page: PageQuery(page: req.query["page"], per: 50))
        let rows = page.items.map { s in
            Row(id: s.id, submitted: s.submittedAt.map(BishkekTime.format) ?? "—", source: req.t("survey.source.\(s.source.rawValue)"),
                district: display("district", s, d, lang), village: display("village", s, d, lang), recordedBy: s.recordedBy, linked: s.personID != nil)
        }
        return try await req.render("forms/submissions", title: req.t("survey.submissions"), ListPage(
            formID: form.id, title: FormDefinition.text(d.title, lang, default: d.defaultLanguage) ?? d.formID,
            count: req.catalogue.plural("survey.submission-count", count: page.total), rows: rows,
            pager: Pager(page: page.request.page, pageCount: page.pageCount, total: page.total)))
    }

    /// An answer as people read it: a choice by its label, several joined.
    func display(_ name: String, _ s: SubmissionRecord, _ d: FormDefinition, _ lang: String) -> String {
        guard let raw = s.answers.values[name], !raw.isEmpty else { return "" }
        return display(raw, of: d.question(name), d, lang)
    }

    func display(_ raw: String, of question: FormDefinition.Question?, _ d: FormDefinition, _ lang: String) -> String {
        guard let question, let list = question.choiceList, let choices = d.choices[list] else { return raw }
        let values = question.kind == .selectMultiple ? raw.split(separator: " ").map(String.init) : [raw]
        return values.map { v in choices.first { $0.name == v }.map { d.label(of: $0, lang) } ?? v }.joined(separator: ", ")
    }

    struct Answer: Encodable {
        let question: String
        let value: String
    }

    struct Entry: Encodable {
        let title: String
        let answers: [Answer]
    }

    struct Candidate: Encodable {
        let id: UUID
        let name: String
        let born: Int
        let village: String
    }

    struct ShowPage: Encodable {
        let formID: UUID
        let id: UUID
        let title: String
        let submitted: String
        let source: String
        let answers: [Answer]
        let entries: [Entry]
        let linkedTo: String?
        let consent: String?
        let canLink: Bool
        let q: String
        let candidates: [Candidate]
        let methods: [Choice]
        let error: String?
    }

    struct LinkForm: Content {
        var person_id: String?
        var consent: String?
        var consent_method: String?
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, error: nil)
    }

    struct SearchForm: Content { var q: String? }

    @Sendable func search(req: Request) async throws -> Response {
        let form = try req.content.decode(SearchForm.self)
        return try await renderShow(req, error: nil, query: form.q?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
    }

    func renderShow(_ req: Request, error: String?, form linkForm: LinkForm? = nil, query q: String = "") async throws -> Response {
        let grants = try req.grants(NeedsAccess.canReadSubmissions)
        let (form, s) = try await submission(req)
        let d = form.definition, lang = req.appLocale.rawValue
        func answers(_ values: [String: String], in path: String?) -> [Answer] {
            d.questions.filter { ($0.kind.isAsked || $0.kind == .calculate) && d.repeatName(of: $0) == path }.compactMap { q in
                guard let raw = values[q.name], !raw.isEmpty else { return nil }
                return Answer(question: q.kind == .calculate ? q.name : d.label(of: q, lang), value: display(raw, of: q, d, lang))
            }
        }
        let entries = s.answers.repeats.sorted { $0.key < $1.key }.flatMap { name, instances in
            instances.enumerated().map { index, values in
                Entry(title: "\(d.question(name).map { d.label(of: $0, lang) } ?? name) \(index + 1)", answers: answers(values, in: name))
            }
        }
        let canLink = NeedsAccess.canManageForms(grants) && s.personID == nil
        var candidates: [Candidate] = []
        if canLink, !q.isEmpty {
            let found: [PersonRecord] = try await req.network.people.search(q: q, page: PageQuery(page: 1, per: 10)).items
            let villages = try await req.network.geography.lookup(found.map(\.villageID))
            candidates = found.map { Candidate(id: $0.id, name: $0.fullName, born: $0.birthYear, village: villages[$0.villageID]?.name.named(lang) ?? "") }
        }
        let linkedTo = s.personID == nil ? nil : try await req.network.people.get(s.personID!).fullName
        let method = linkForm?.consent_method ?? ConsentMethod.spoken.rawValue
        return try await req.render("forms/submission", title: req.t("survey.submission"), ShowPage(
            formID: form.id, id: s.id, title: FormDefinition.text(d.title, lang, default: d.defaultLanguage) ?? d.formID,
            submitted: s.submittedAt.map(BishkekTime.format) ?? "—", source: req.t("survey.source.\(s.source.rawValue)"),
            answers: answers(s.answers.values, in: nil), entries: entries, linkedTo: linkedTo,
            consent: s.consent.map { req.t("survey.consent.recorded", ["method": req.t("survey.consent.\($0.method.rawValue)"), "at": BishkekTime.format($0.recordedAt)]) },
            canLink: canLink, q: q, candidates: candidates,
            methods: ConsentMethod.allCases.map { Choice(value: $0.rawValue, label: req.t("survey.consent.\($0.rawValue)"), selected: $0.rawValue == method) },
            error: error), status: error == nil ? .ok : .unprocessableEntity)
    }

    /// The submission of the path, checked to belong to the path's form.
    func submission(_ req: Request) async throws -> (FormRecord, SubmissionRecord) {
        let form = try await FormService(db: req.db).form(try req.pathID("form"))
        let s = try await SubmissionService(db: req.db).submission(try req.pathID())
        guard s.formID == form.id else { throw DomainError.notFound("needs.submission") }
        return (form, s)
    }

    @Sendable func link(req: Request) async throws -> Response {
        _ = try req.grants(NeedsAccess.canManageForms)
        let (form, s) = try await submission(req)
        let input = try req.content.decode(LinkForm.self)
        do {
            guard let person = req.uuid(input.person_id) else { throw DomainError("needs.submission.person-required", field: "person_id") }
            guard let method = input.consent_method.flatMap(ConsentMethod.init(rawValue:)) else {
                throw DomainError("needs.submission.consent-method-required", field: "consent_method")
            }
            try await SubmissionService(db: req.db).linkRespondent(s.id, person: person, consentGiven: input.consent == "1", method: method, by: req.actor)
            return req.redirect(to: "/forms/\(form.id)/submissions/\(s.id)")
        } catch let error as DomainError where error.kind != .notFound || error.code == "network.person.not-found" {
            return try await renderShow(req, error: req.t(error.key, error.arguments), form: input)
        }
    }
}
