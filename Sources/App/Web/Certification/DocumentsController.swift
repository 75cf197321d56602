import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Conformity documents on the web: those expiring (30/60/90 days) and the list, registering one with
/// its scanned copy, and one document with its history: a change is a new registration, never an edit.
struct DocumentsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("documents", use: list)
        routes.on(.POST, "documents", body: .collect(maxSize: "11mb"), use: create)
        routes.get("documents", ":id", use: show)
        routes.on(.POST, "documents", ":id", "replace", body: .collect(maxSize: "11mb"), use: replace)
        routes.post("documents", ":id", "status", use: setStatus)
        routes.on(.POST, "documents", ":id", "scan", body: .collect(maxSize: "11mb"), use: uploadScan)
        routes.get("documents", ":id", "scan.pdf", use: scan)
    }

    struct DocumentForm: Content {
        var type: String?
        var number: String?
        var registration_number: String?
        var applicant: String?
        var manufacturer: String?
        var body: String?
        var laboratory: String?
        var protocol_number: String?
        var issued_on: String?
        var expires_on: String?
        var product_ids: [String]?
        var regulation_ids: [String]?
        var scan: File?

        init(_ d: DocumentDraft? = nil, products: [UUID] = [], type: DocumentType? = nil) {
            self.type = (d?.type ?? type)?.rawValue
            (number, registration_number, applicant, manufacturer) = (d?.number, d?.registrationNumber, d?.applicant, d?.manufacturer)
            (body, laboratory, protocol_number, issued_on, expires_on) = (d?.body, d?.laboratory, d?.protocolNumber, d?.issuedOn, d?.expiresOn)
            product_ids = (d?.productIDs ?? products).map(\.uuidString)
            regulation_ids = d?.regulationIDs.map(\.uuidString)
        }

        var values: [String: String] {
            ["number": number ?? "", "registration_number": registration_number ?? "", "applicant": applicant ?? "", "manufacturer": manufacturer ?? "",
             "body": body ?? "", "laboratory": laboratory ?? "", "protocol_number": protocol_number ?? "", "issued_on": issued_on ?? "",
             "expires_on": expires_on ?? ""]
        }

        func draft(_ req: Request) -> DocumentDraft {
            DocumentDraft(
                type: type.flatMap(DocumentType.init(rawValue:)) ?? .declaration, number: number ?? "", registrationNumber: registration_number ?? "",
                applicant: applicant ?? "", manufacturer: manufacturer ?? "", body: body ?? "", laboratory: laboratory ?? "",
                protocolNumber: protocol_number ?? "", issuedOn: issued_on ?? "", expiresOn: expires_on ?? "",
                productIDs: (product_ids ?? []).compactMap { req.uuid($0) }, regulationIDs: (regulation_ids ?? []).compactMap { req.uuid($0) })
        }

        /// The scanned copy, when one was chosen.
        var scanData: Data? {
            guard let scan, scan.data.readableBytes > 0 else { return nil }
            return Data(scan.data.readableBytesView)
        }
    }

    /// The choices the document form offers.
    struct FormChoices: Encodable {
        let types: [Choice]
        let products: [Choice]
        let regulations: [Choice]

        static func make(_ req: Request, form: DocumentForm) async throws -> FormChoices {
            let products = try await ProductService(db: req.db).products(page: PageQuery(page: 1, per: 200)).items
            let groups = try await req.network.organisations.lookup(products.map(\.draft.organisationID))
            return FormChoices(
                types: DocumentType.allCases.map { Choice(value: $0.rawValue, label: req.t("certification.document-type.\($0.rawValue)"), selected: $0.rawValue == form.type) },
                products: products.map {
                    Choice(value: $0.id.uuidString, label: "\(req.productName($0)) — \(groups[$0.draft.organisationID]?.name ?? "")",
                           selected: form.product_ids?.contains($0.id.uuidString) ?? false)
                },
                regulations: try await RegistryService(db: req.db).regulations().map {
                    Choice(value: $0.id.uuidString, label: "\($0.code) — \($0.title(req.appLocale.rawValue))", selected: form.regulation_ids?.contains($0.id.uuidString) ?? false)
                })
        }
    }

    struct Row: Encodable {
        let id: UUID
        let title: String
        let registration: String
        let products: String
        let issuedOn: String
        let expiresOn: String
        let status: String
        let valid: Bool
    }

    struct Window: Encodable {
        let title: String
        let rows: [Row]
    }

    struct ListPage: Encodable {
        let windows: [Window]
        let rows: [Row]
        let pager: Pager
        let values: [String: String]
        let choices: FormChoices
        let errors: FieldErrors
        let formOpen: Bool
    }

    static func rows(_ req: Request, _ documents: [DocumentRecord]) async throws -> [Row] {
        let products = try await ProductService(db: req.db).lookup(documents.flatMap(\.draft.productIDs))
        let today = BishkekCalendar.day(of: Date())
        return documents.map { d in
            Row(id: d.id, title: req.documentTitle(d), registration: d.draft.registrationNumber,
                products: d.draft.productIDs.compactMap { products[$0].map(req.productName) }.joined(separator: ", "),
                issuedOn: d.draft.issuedOn, expiresOn: d.draft.expiresOn, status: req.documentStatus(d, today: today), valid: d.isValid(on: today))
        }
    }

    @Sendable func list(req: Request) async throws -> Response {
        let type = (req.query["type"] as String?).flatMap(DocumentType.init(rawValue:))
        var form = DocumentForm(products: [req.uuid(req.query["product"])].compactMap { $0 }, type: type)
        if let group = req.uuid(req.query["group"]) {
            form.product_ids = try await ProductService(db: req.db).products(organisation: group, page: PageQuery(page: 1, per: 200)).items.map(\.id.uuidString)
        }
        return try await renderList(req, form: form, errors: [:], open: (req.query["product"] as String?) != nil || (req.query["group"] as String?) != nil)
    }

    func renderList(_ req: Request, form: DocumentForm, errors: FieldErrors, open: Bool = false) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let service = DocumentService(db: req.db)
        let expiring = try await service.expiring()
        let page = try await service.documents(page: PageQuery(page: req.query["page"], per: 50))
        let expiringRows = try await Self.rows(req, expiring.map(\.document))
        let windows = [0, 30, 60, 90].compactMap { window -> Window? in
            let rows = zip(expiring, expiringRows).filter { $0.0.window == window }.map(\.1)
            return rows.isEmpty ? nil : Window(title: req.t("certification.window.\(window)"), rows: rows)
        }
        return try await req.render("certification/documents", title: req.t("certification.documents"), ListPage(
            windows: windows, rows: try await Self.rows(req, page.items), pager: page.pager, values: form.values,
            choices: try await FormChoices.make(req, form: form), errors: errors, formOpen: open || !errors.isEmpty))
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let form = try req.content.decode(DocumentForm.self)
        return try await req.act({
            let files = req.application.certificationFiles.scans
            // The scan is checked before anything is registered, so a wrong file changes nothing.
            if let data = form.scanData { try DocumentService.checkScan(data) }
            let document = try await DocumentService(db: req.db).register(form.draft(req), by: req.actor)
            if let data = form.scanData { try await DocumentService(db: req.db).attachScan(document.id, data: data, store: files, by: req.actor) }
            return "/documents/\(document.id)"
        }, page: { try await renderList(req, form: form, errors: $0) })
    }

    // MARK: - One document

    struct Link: Encodable {
        let href: String
        let label: String
    }

    struct ShowPage: Encodable {
        let id: UUID
        let title: String
        let status: String
        let current: Bool
        let suspended: Bool
        let valid: Bool
        let facts: [ProductsController.Fact]
        let products: [Link]
        let regulations: [String]
        let replaces: Link?
        let replacedBy: Link?
        let hasScan: Bool
        let values: [String: String]
        let choices: FormChoices
        let errors: FieldErrors
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try req.pathID(), errors: [:])
    }

    func renderShow(_ req: Request, id: UUID, form: DocumentForm? = nil, errors: FieldErrors) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let service = DocumentService(db: req.db)
        let document = try await service.document(id)
        let d = document.draft
        let products = try await ProductService(db: req.db).lookup(d.productIDs)
        let regulations = try await RegistryService(db: req.db).regulations().filter { d.regulationIDs.contains($0.id) }
        var related: [DocumentRecord] = []
        for linked in [document.replacesID, document.replacedByID].compactMap({ $0 }) { related.append(try await service.document(linked)) }
        func link(_ id: UUID?) -> Link? {
            id.flatMap { id in related.first { $0.id == id } }.map { Link(href: "/documents/\($0.id)", label: req.documentTitle($0)) }
        }
        let replaceForm = form ?? DocumentForm(d)
        return try await req.render("certification/document", title: req.documentTitle(document), ShowPage(
            id: id, title: req.documentTitle(document), status: req.documentStatus(document, today: BishkekCalendar.day(of: Date())),
            current: document.status == .registered || document.status == .suspended, suspended: document.status == .suspended,
            valid: document.isValid(on: BishkekCalendar.day(of: Date())),
            facts: [
                ("certification.registration-number", d.registrationNumber), ("certification.applicant", d.applicant),
                ("certification.manufacturer", d.manufacturer), ("certification.body", d.body), ("certification.laboratory", d.laboratory),
                ("certification.protocol", d.protocolNumber), ("certification.issued-on", d.issuedOn), ("certification.expires-on", d.expiresOn),
            ].map { ProductsController.Fact(label: req.t($0.0), value: $0.1.isEmpty ? "—" : $0.1) },
            products: d.productIDs.compactMap { products[$0] }.map { Link(href: "/products/\($0.id)", label: req.productName($0)) },
            regulations: regulations.map { "\($0.code) — \($0.title(req.appLocale.rawValue))" },
            replaces: link(document.replacesID), replacedBy: link(document.replacedByID), hasScan: document.hasScan,
            values: replaceForm.values, choices: try await FormChoices.make(req, form: replaceForm), errors: errors))
    }

    @Sendable func replace(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(DocumentForm.self)
        return try await req.act({
            if let data = form.scanData { try DocumentService.checkScan(data) }
            let document = try await DocumentService(db: req.db).replace(id, with: form.draft(req), by: req.actor)
            if let data = form.scanData {
                try await DocumentService(db: req.db).attachScan(document.id, data: data, store: req.application.certificationFiles.scans, by: req.actor)
            }
            return "/documents/\(document.id)"
        }, page: { try await renderShow(req, id: id, form: form, errors: $0) })
    }

    @Sendable func setStatus(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let status = (try? req.content.get(String.self, at: "status")).flatMap(DocumentStatus.init(rawValue:))
        return try await req.act({
            guard let status else { throw DomainError("certification.document.status-not-allowed", kind: .conflict, field: "status") }
            _ = try await DocumentService(db: req.db).setStatus(id, status, by: req.actor)
            return "/documents/\(id)"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    struct ScanUpload: Content {
        var scan: File?
    }

    @Sendable func uploadScan(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let upload = try req.content.decode(ScanUpload.self)
        return try await req.act({
            guard let file = upload.scan, file.data.readableBytes > 0 else { throw DomainError("certification.upload.not-pdf", field: "scan") }
            try await DocumentService(db: req.db).attachScan(id, data: Data(file.data.readableBytesView), store: req.application.certificationFiles.scans,
                                                             by: req.actor)
            return "/documents/\(id)"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    @Sendable func scan(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let data = try await DocumentService(db: req.db).scan(try req.pathID(), store: req.application.certificationFiles.scans)
        let response = ProductsController.file(data, type: .pdf)
        response.headers.contentDisposition = .init(.inline, filename: "document.pdf")
        return response
    }
}
