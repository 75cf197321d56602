import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Partnerships
import Training
import Vapor

/// The Centre for Entrepreneurship Support's own work on the web: training sessions with who came
/// (from the people registry, or a headcount), and consultations with their follow-up.
struct TrainingsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("trainings", use: list)
        routes.post("trainings", use: create)
        routes.get("trainings", ":id", use: show)
        routes.post("trainings", ":id", "attendance", use: attend)
        routes.get("consultations", use: consultations)
        routes.post("consultations", use: consult)
        routes.post("consultations", ":id", "follow-up", use: followUp)
    }

    struct SessionForm: Content {
        var organisation_id: String?
        var topic: String?
        var title: String?
        var held_on: String?
        var village_id: String?
        var trainer: String?
        var partner_id: String?
        var partner_gave: String?
        var materials: String?
        var headcount: String?
    }

    struct Row: Encodable {
        let id: UUID
        let heldOn: String
        let topic: String
        let title: String
        let village: String
        let women: Int
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let pager: Pager
        let centres: [Choice]
        let topics: [Choice]
        /// The villages' `<option>`s (`villageOptions`).
        let villages: String
        let partners: [Choice]
        let contributions: [Choice]
        let values: [String: String]
        let errors: FieldErrors
        let formOpen: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: SessionForm(held_on: BishkekCalendar.day(of: Date())), errors: [:])
    }

    func renderList(_ req: Request, form: SessionForm, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let lang = req.appLocale.rawValue
        let page = try await TrainingService(db: req.db).sessions(page: PageQuery(page: req.query["page"], per: 50))
        let places = try await req.network.geography.lookup(page.items.map(\.draft.villageID))
        return try await req.render("training/sessions", title: req.t("training.sessions"), ListPage(
            rows: page.items.map {
                Row(id: $0.id, heldOn: $0.draft.heldOn, topic: req.t("training.topic.\($0.draft.topic.rawValue)"), title: $0.draft.title,
                    village: places[$0.draft.villageID]?.name.named(lang) ?? "", women: $0.women)
            },
            pager: page.pager, centres: try await req.centreChoices(selected: form.organisation_id),
            topics: req.topicChoices(selected: form.topic), villages: try await req.villageOptions(selected: form.village_id),
            partners: [Choice(value: "", label: "—", selected: form.partner_id.nonBlank == nil)] + (try await StakeholderService(db: req.db).all()).map {
                Choice(value: $0.id.uuidString, label: $0.draft.name, selected: $0.id.uuidString == form.partner_id)
            },
            contributions: PartnerContribution.allCases.map {
                Choice(value: $0.rawValue, label: req.t("training.partner-gave.\($0.rawValue)"), selected: $0.rawValue == form.partner_gave)
            },
            values: ["title": form.title ?? "", "held_on": form.held_on ?? "", "trainer": form.trainer ?? "", "materials": form.materials ?? "",
                     "headcount": form.headcount ?? ""],
            errors: errors, formOpen: !errors.isEmpty))
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let form = try req.content.decode(SessionForm.self)
        return try await req.act({
            guard let centre = req.uuid(form.organisation_id) else { throw DomainError("training.centre-invalid", field: "organisation_id") }
            guard let village = req.uuid(form.village_id) else { throw DomainError("training.village-invalid", field: "village_id") }
            let headcount = try form.headcount.nonBlank.map { text in
                guard let n = Int(text.trimmingCharacters(in: .whitespaces)) else { throw DomainError("training.headcount-invalid", field: "headcount") }
                return n
            } ?? 0
            let session = try await TrainingService(db: req.db).create(SessionDraft(
                organisationID: centre, topic: form.topic.flatMap(TrainingTopic.init(rawValue:)) ?? .startup, title: form.title ?? "",
                heldOn: form.held_on ?? "", villageID: village, trainer: form.trainer ?? "", partnerID: req.uuid(form.partner_id),
                partnerGave: form.partner_gave.flatMap(PartnerContribution.init(rawValue:)), materials: form.materials ?? "", headcount: headcount),
                by: req.actor)
            return "/trainings/\(session.id)"
        }, page: { try await renderList(req, form: form, errors: $0) })
    }

    struct Person: Encodable {
        let id: UUID
        let name: String
        let village: String
    }

    struct ShowPage: Encodable {
        let id: UUID
        let title: String
        let facts: [ProductsController.Fact]
        let materials: String
        let attendees: [Person]
        let headcount: Int
        let women: Int
        let q: String
        let found: [Person]
        let errors: FieldErrors
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try req.pathID(), errors: [:])
    }

    func renderShow(_ req: Request, id: UUID, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let lang = req.appLocale.rawValue
        let session = try await TrainingService(db: req.db).session(id)
        let d = session.draft
        let q = (req.query["q"] as String?) ?? ""
        let found = q.trimmingCharacters(in: .whitespaces).isEmpty ? [] : try await req.network.people.search(q: q, page: PageQuery(page: 1, per: 20)).items
        let people = try await req.network.people.lookup(session.attendees)
        let places = try await req.network.geography.lookup([d.villageID] + people.values.map(\.villageID) + found.map(\.villageID))
        let centre = try await req.network.organisations.get(d.organisationID)
        let partner = try await d.partnerID.asyncMap { try await StakeholderService(db: req.db).stakeholder($0) }
        func person(_ p: PersonRecord) -> Person { Person(id: p.id, name: p.fullName, village: places[p.villageID]?.name.named(lang) ?? "") }
        return try await req.render("training/session", title: d.title, ShowPage(
            id: id, title: d.title,
            facts: [
                ("training.topic", req.t("training.topic.\(d.topic.rawValue)")), ("training.held-on", d.heldOn),
                ("training.village", places[d.villageID]?.name.named(lang) ?? ""), ("training.centre", centre.name), ("training.trainer", d.trainer),
                ("training.partner", partner.map { "\($0.draft.name) · " + req.t("training.partner-gave.\((d.partnerGave ?? .premises).rawValue)") } ?? "—"),
            ].map { ProductsController.Fact(label: req.t($0.0), value: $0.1.isEmpty ? "—" : $0.1) },
            materials: d.materials, attendees: session.attendees.compactMap { people[$0] }.map(person).sorted { $0.name < $1.name },
            headcount: d.headcount, women: session.women, q: q,
            found: found.filter { !session.attendees.contains($0.id) }.map(person), errors: errors))
    }

    @Sendable func attend(req: Request) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let id = try req.pathID()
        let person = req.uuid(try? req.content.get(String.self, at: "person_id"))
        return try await req.act({
            guard let person else { throw DomainError("training.person-invalid", field: "person_id") }
            _ = try await TrainingService(db: req.db).attend(id, person: person, by: req.actor)
            return "/trainings/\(id)"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    // MARK: - Consultations

    struct ConsultationForm: Content {
        var organisation_id: String?
        var person_id: String?
        var topic: String?
        var held_on: String?
        var advisor: String?
        var summary: String?
        var follow_up_on: String?
    }

    struct ConsultationRow: Encodable {
        let id: UUID
        let heldOn: String
        let person: String
        let personID: UUID
        let topic: String
        let advisor: String
        let summary: String
        let followUpOn: String
        let followedUpOn: String
        let followUpNote: String
        let due: Bool
    }

    struct ConsultationsPage: Encodable {
        let due: [ConsultationRow]
        let rows: [ConsultationRow]
        let pager: Pager
        let centres: [Choice]
        let topics: [Choice]
        let q: String
        let found: [Person]
        let chosen: Person?
        let values: [String: String]
        let errors: FieldErrors
        let today: String
    }

    @Sendable func consultations(req: Request) async throws -> Response {
        try await renderConsultations(req, form: ConsultationForm(person_id: req.query["person"], held_on: BishkekCalendar.day(of: Date())), errors: [:])
    }

    func renderConsultations(_ req: Request, form: ConsultationForm, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let lang = req.appLocale.rawValue
        let today = BishkekCalendar.day(of: Date())
        let service = TrainingService(db: req.db)
        let page = try await service.consultations(page: PageQuery(page: req.query["page"], per: 50))
        let due = try await service.followUpsDue(today: today)
        let q = (req.query["q"] as String?) ?? ""
        let found = q.trimmingCharacters(in: .whitespaces).isEmpty ? [] : try await req.network.people.search(q: q, page: PageQuery(page: 1, per: 20)).items
        let chosenID = req.uuid(form.person_id)
        let people = try await req.network.people.lookup((page.items + due).map(\.draft.personID) + [chosenID].compactMap { $0 })
        let places = try await req.network.geography.lookup(found.map(\.villageID) + people.values.map(\.villageID))
        func person(_ p: PersonRecord) -> Person { Person(id: p.id, name: p.fullName, village: places[p.villageID]?.name.named(lang) ?? "") }
        func row(_ c: ConsultationRecord) -> ConsultationRow {
            ConsultationRow(id: c.id, heldOn: c.draft.heldOn, person: people[c.draft.personID]?.fullName ?? "", personID: c.draft.personID,
                            topic: req.t("training.topic.\(c.draft.topic.rawValue)"), advisor: c.draft.advisor, summary: c.draft.summary,
                            followUpOn: c.draft.followUpOn ?? "", followedUpOn: c.followedUpOn ?? "", followUpNote: c.followUpNote, due: c.isFollowUpDue(on: today))
        }
        return try await req.render("training/consultations", title: req.t("training.consultations"), ConsultationsPage(
            due: due.map(row), rows: page.items.map(row), pager: page.pager, centres: try await req.centreChoices(selected: form.organisation_id),
            topics: req.topicChoices(selected: form.topic), q: q, found: found.map(person), chosen: chosenID.flatMap { people[$0] }.map(person),
            values: ["held_on": form.held_on ?? "", "advisor": form.advisor ?? "", "summary": form.summary ?? "", "follow_up_on": form.follow_up_on ?? ""],
            errors: errors, today: today))
    }

    @Sendable func consult(req: Request) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let form = try req.content.decode(ConsultationForm.self)
        return try await req.act({
            guard let centre = req.uuid(form.organisation_id) else { throw DomainError("training.centre-invalid", field: "organisation_id") }
            guard let person = req.uuid(form.person_id) else { throw DomainError("training.person-invalid", field: "person_id") }
            _ = try await TrainingService(db: req.db).consult(ConsultationDraft(
                organisationID: centre, personID: person, topic: form.topic.flatMap(TrainingTopic.init(rawValue:)) ?? .startup, heldOn: form.held_on ?? "",
                advisor: form.advisor ?? "", summary: form.summary ?? "", followUpOn: form.follow_up_on.nonBlank), by: req.actor)
            return "/consultations"
        }, page: { try await renderConsultations(req, form: form, errors: $0) })
    }

    @Sendable func followUp(req: Request) async throws -> Response {
        _ = try req.grants(TrainingAccess.canManage)
        let id = try req.pathID()
        let day = (try? req.content.get(String.self, at: "followed_up_on")).nonBlank ?? BishkekCalendar.day(of: Date())
        let note = (try? req.content.get(String.self, at: "note")) ?? ""
        return try await req.act({
            _ = try await TrainingService(db: req.db).followUp(id, on: day, note: note, by: req.actor)
            return "/consultations"
        }, page: { try await renderConsultations(req, form: ConsultationForm(), errors: $0) })
    }
}

extension Request {
    /// The network's Centres for Entrepreneurship Support, as choices.
    func centreChoices(selected: String?) async throws -> [Choice] {
        try await network.organisations.list(OrganisationFilter(kind: .entrepreneurshipCentre), page: PageQuery(page: 1, per: 100)).items
            .map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == selected) }
    }

    func topicChoices(selected: String?) -> [Choice] {
        TrainingTopic.allCases.map { Choice(value: $0.rawValue, label: t("training.topic.\($0.rawValue)"), selected: $0.rawValue == selected) }
    }
}
