import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Partnerships
import Vapor

/// Framework agreements on the web: what needs the coordinator (obligations past due, agreements
/// ending or due for review), the list, a new agreement, and one agreement with its obligations, the
/// services its partners deliver by district, and its scanned copy.
struct AgreementsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("agreements", use: list)
        routes.post("agreements", use: create)
        routes.get("agreements", ":id", use: show)
        routes.post("agreements", ":id", "obligations", use: addObligation)
        routes.post("agreements", ":id", "obligations", ":obligation", use: recordObligation)
        routes.post("agreements", ":id", "services", use: addService)
        routes.on(.POST, "agreements", ":id", "scan", body: .collect(maxSize: "11mb"), use: uploadScan)
        routes.get("agreements", ":id", "scan.pdf", use: scan)
    }

    struct Row: Encodable {
        let id: UUID
        let title: String
        let status: String
        let statusKey: String
        let parties: String
        let validity: String
        let open: Int
    }

    struct AttentionRow: Encodable {
        let agreementID: UUID
        let title: String
        let text: String
    }

    struct NewForm: Content {
        var title: String?
        var cooperation: [String]?
        var rules: String?
        var status: String?
        var signed_on: String?
        var valid_from: String?
        var valid_until: String?
        var review_on: String?
        var parties: [String]?
    }

    struct ListPage: Encodable {
        let overdue: [AttentionRow]
        let ending: [AttentionRow]
        let reviewDue: [AttentionRow]
        let rows: [Row]
        let canManage: Bool
        let values: [String: String]
        let cooperation: [Choice]
        let statuses: [Choice]
        let stakeholders: [Choice]
        let errors: FieldErrors
        let formOpen: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: NewForm(), errors: [:])
    }

    func renderList(_ req: Request, form: NewForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(PartnershipAccess.canRead)
        let service = AgreementService(db: req.db)
        let stakeholders = try await StakeholderService(db: req.db).all()
        let names = Dictionary(uniqueKeysWithValues: stakeholders.map { ($0.id, $0.draft.name) })
        let attention = try await service.attention()
        let agreements = try await service.agreements(page: PageQuery(page: req.query["page"], per: 200))
        let today = BishkekCalendar.day(of: Date())
        return try await req.render("partnerships/agreements", title: req.t("partnerships.agreements"), ListPage(
            overdue: attention.overdue.map {
                AttentionRow(agreementID: $0.agreement.id, title: $0.agreement.draft.title,
                             text: "\($0.obligation.what) — \(names[$0.obligation.stakeholderID] ?? "") · " + req.t("partnerships.due", ["date": $0.obligation.dueOn ?? ""]))
            },
            ending: attention.ending.map { AttentionRow(agreementID: $0.id, title: $0.draft.title, text: req.t("partnerships.ends", ["date": $0.draft.validUntil ?? ""])) },
            reviewDue: attention.reviewDue.map { AttentionRow(agreementID: $0.id, title: $0.draft.title, text: req.t("partnerships.review", ["date": $0.draft.reviewOn ?? ""])) },
            rows: agreements.items.map { a in
                Row(id: a.id, title: a.draft.title, status: req.t("partnerships.status.\(a.status.rawValue)"), statusKey: a.status.rawValue,
                    parties: a.draft.parties.compactMap { names[$0.stakeholderID] }.joined(separator: ", "),
                    validity: [a.draft.validFrom, a.draft.validUntil].map { $0 ?? "…" }.joined(separator: " – "),
                    open: a.obligations.filter { AgreementAttention.isOverdue(due: $0.dueOn, status: $0.status, today: today) }.count)
            },
            canManage: PartnershipAccess.canManage(grants),
            values: ["title": form.title ?? "", "rules": form.rules ?? "", "signed_on": form.signed_on ?? "", "valid_from": form.valid_from ?? "",
                     "valid_until": form.valid_until ?? "", "review_on": form.review_on ?? ""],
            cooperation: Cooperation.allCases.map { Choice(value: $0.rawValue, label: req.t("partnerships.cooperation.\($0.rawValue)"), selected: form.cooperation?.contains($0.rawValue) ?? false) },
            statuses: AgreementStatus.allCases.filter { $0 != .expired }.map {
                Choice(value: $0.rawValue, label: req.t("partnerships.status.\($0.rawValue)"), selected: $0.rawValue == (form.status ?? "draft"))
            },
            stakeholders: stakeholders.map { Choice(value: $0.id.uuidString, label: $0.draft.name, selected: form.parties?.contains($0.id.uuidString) ?? false) },
            errors: errors, formOpen: !errors.isEmpty), status: status)
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let form = try req.content.decode(NewForm.self)
        do {
            let agreement = try await AgreementService(db: req.db).create(AgreementDraft(
                title: form.title ?? "", cooperation: (form.cooperation ?? []).compactMap(Cooperation.init(rawValue:)), rules: form.rules ?? "",
                status: form.status.flatMap(AgreementStatus.init(rawValue:)) ?? .draft, signedOn: form.signed_on.nonBlank, validFrom: form.valid_from.nonBlank,
                validUntil: form.valid_until.nonBlank, reviewOn: form.review_on.nonBlank,
                parties: (form.parties ?? []).compactMap { req.uuid($0) }.map { PartyDraft(stakeholderID: $0, signedOn: form.signed_on.nonBlank) }), by: req.actor)
            return req.redirect(to: "/agreements/\(agreement.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderList(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    struct ObligationRow: Encodable {
        let id: UUID
        let what: String
        let party: String
        let due: String
        let recurrence: String
        let status: String
        let overdue: Bool
        let evidence: String
        let open: Bool
    }

    struct ServiceRow: Encodable {
        let party: String
        let service: String
        let district: String
    }

    struct ShowPage: Encodable {
        let id: UUID
        let title: String
        let status: String
        let cooperation: String
        let rules: String
        let dates: [String]
        let parties: [Choice]
        let obligations: [ObligationRow]
        let services: [ServiceRow]
        let scan: String?
        let canManage: Bool
        let recurrences: [Choice]
        let serviceKinds: [Choice]
        let districts: [Choice]
        let errors: [String]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try req.pathID())
    }

    func renderShow(_ req: Request, id: UUID, errors: FieldErrors = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(PartnershipAccess.canRead)
        let a = try await AgreementService(db: req.db).agreement(id)
        let names = Dictionary(uniqueKeysWithValues: try await StakeholderService(db: req.db).all().map { ($0.id, $0.draft.name) })
        let lang = req.appLocale.rawValue
        let districts = try await req.network.geography.all(level: .district)
        let districtNames = Dictionary(uniqueKeysWithValues: districts.map { ($0.id, $0.name.named(lang)) })
        let today = BishkekCalendar.day(of: Date())
        let d = a.draft
        let dates: [(String, String?)] = [("partnerships.signed-on", d.signedOn), ("partnerships.valid-from", d.validFrom),
                                          ("partnerships.valid-until", d.validUntil), ("partnerships.review-on", d.reviewOn)]
        return try await req.render("partnerships/agreement", title: req.t("partnerships.agreements"), ShowPage(
            id: a.id, title: d.title, status: req.t("partnerships.status.\(a.status.rawValue)"),
            cooperation: d.cooperation.map { req.t("partnerships.cooperation.\($0.rawValue)") }.joined(separator: ", "), rules: d.rules,
            dates: dates.compactMap { key, value in value.map { req.t(key) + ": " + $0 } },
            parties: d.parties.map { Choice(value: $0.stakeholderID.uuidString, label: names[$0.stakeholderID] ?? "", selected: false) },
            obligations: a.obligations.map { o in
                ObligationRow(id: o.id, what: o.what, party: names[o.stakeholderID] ?? "", due: o.dueOn ?? "",
                              recurrence: req.t("partnerships.recurrence.\(o.recurrence.rawValue)"), status: req.t("partnerships.obligation.\(o.status.rawValue)"),
                              overdue: AgreementAttention.isOverdue(due: o.dueOn, status: o.status, today: today), evidence: o.evidence, open: o.status == .open)
            },
            services: a.services.map { ServiceRow(party: names[$0.stakeholderID] ?? "", service: req.t("partnerships.service.\($0.service.rawValue)"),
                                                  district: districtNames[$0.districtID] ?? "") },
            scan: a.scanName, canManage: PartnershipAccess.canManage(grants),
            recurrences: Recurrence.allCases.map { Choice(value: $0.rawValue, label: req.t("partnerships.recurrence.\($0.rawValue)"), selected: $0 == .once) },
            serviceKinds: ServiceKind.allCases.map { Choice(value: $0.rawValue, label: req.t("partnerships.service.\($0.rawValue)"), selected: false) },
            districts: districts.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: false) },
            errors: errors.keys.sorted().compactMap { errors[$0] }), status: status)
    }

    struct ObligationForm: Content {
        var stakeholder_id: String?
        var what: String?
        var due_on: String?
        var recurrence: String?
    }

    @Sendable func addObligation(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(ObligationForm.self)
        return try await attempt(req, id) {
            guard let party = req.uuid(form.stakeholder_id) else { throw DomainError("partnerships.agreement.not-a-party", field: "stakeholder_id") }
            _ = try await AgreementService(db: req.db).addObligation(to: id, ObligationDraft(
                stakeholderID: party, what: form.what ?? "", dueOn: form.due_on.nonBlank,
                recurrence: form.recurrence.flatMap(Recurrence.init(rawValue:)) ?? .once), by: req.actor)
        }
    }

    struct RecordForm: Content {
        var status: String?
        var evidence: String?
    }

    @Sendable func recordObligation(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let id = try req.pathID()
        let obligation = try req.pathID("obligation")
        let form = try req.content.decode(RecordForm.self)
        return try await attempt(req, id) {
            guard try await AgreementService(db: req.db).agreement(id).obligations.contains(where: { $0.id == obligation }) else { throw Abort(.notFound) }
            _ = try await AgreementService(db: req.db).recordObligation(obligation, status: form.status.flatMap(ObligationStatus.init(rawValue:)) ?? .done,
                                                                       evidence: form.evidence ?? "", on: BishkekCalendar.day(of: Date()), by: req.actor)
        }
    }

    struct ServiceForm: Content {
        var stakeholder_id: String?
        var service: String?
        var district_id: String?
    }

    @Sendable func addService(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(ServiceForm.self)
        return try await attempt(req, id) {
            guard let service = form.service.flatMap(ServiceKind.init(rawValue:)) else { throw DomainError("partnerships.service.required", field: "service") }
            guard let party = req.uuid(form.stakeholder_id) else { throw DomainError("partnerships.agreement.not-a-party", field: "stakeholder_id") }
            guard let district = req.uuid(form.district_id) else { throw DomainError("partnerships.district-unknown", field: "district_id") }
            _ = try await AgreementService(db: req.db).addService(to: id, stakeholder: party, service: service, district: district, by: req.actor)
        }
    }

    struct ScanUpload: Content {
        var scan: File?
    }

    @Sendable func uploadScan(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let id = try req.pathID()
        let upload = try req.content.decode(ScanUpload.self)
        return try await attempt(req, id) {
            guard let file = upload.scan, file.data.readableBytes > 0 else { throw DomainError("partnerships.scan.not-pdf", field: "scan") }
            try await AgreementService(db: req.db).attachScan(id, data: Data(file.data.readableBytesView), filename: file.filename,
                                                              directory: req.application.agreementScans, by: req.actor)
        }
    }

    @Sendable func scan(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canRead)
        let scan = try await AgreementService(db: req.db).scan(try req.pathID(), directory: req.application.agreementScans)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "application", subType: "pdf")
        headers.contentDisposition = .init(.inline, filename: "agreement.pdf")
        return Response(status: .ok, headers: headers, body: .init(data: scan.data))
    }

    /// Runs a change to the agreement, then shows it again: with the change, or with its errors.
    func attempt(_ req: Request, _ id: UUID, _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
            return req.redirect(to: "/agreements/\(id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderShow(req, id: id, errors: errors, status: .unprocessableEntity)
        }
    }
}
