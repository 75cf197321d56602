import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Vapor

/// Products on the web: the list with what each still lacks, a new product, and one product with the
/// rules that apply, its documents, batches, labels, photo and certification path.
struct ProductsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("products", use: list)
        routes.post("products", use: create)
        routes.get("products", ":id", use: show)
        routes.post("products", ":id", use: update)
        routes.on(.POST, "products", ":id", "photo", body: .collect(maxSize: "3mb"), use: uploadPhoto)
        routes.get("products", ":id", "photo", use: photo)
        routes.post("products", ":id", "batches", use: addBatch)
        routes.post("products", ":id", "steps", use: addStep)
        routes.post("products", ":id", "steps", ":step", "done", use: completeStep)
        routes.post("products", ":id", "steps", ":step", "share", use: shareStep)
    }

    /// The product form's fields, as typed.
    struct ProductForm: Content {
        var organisation_id: String?
        var person_id: String?
        var maker_shown: String?
        var name_ky: String?
        var name_ru: String?
        var category: String?
        var hs_code: String?
        var composition_ky: String?
        var composition_ru: String?
        var net_quantity: String?
        var net_unit: String?
        var shelf_life_days: String?
        var storage_ky: String?
        var storage_ru: String?
        var organic: String?
        var brand_id: String?

        init(_ d: ProductDraft? = nil) {
            guard let d else { return }
            organisation_id = d.organisationID.uuidString
            person_id = d.personID?.uuidString
            maker_shown = d.makerShown ? "on" : nil
            (name_ky, name_ru, category, hs_code) = (d.nameKy, d.nameRu, d.category.rawValue, d.hsCode)
            (composition_ky, composition_ru, net_unit) = (d.compositionKy, d.compositionRu, d.netUnit.rawValue)
            net_quantity = d.netQuantity.map(String.init)
            shelf_life_days = d.shelfLifeDays.map(String.init)
            (storage_ky, storage_ru) = (d.storageKy, d.storageRu)
            organic = d.organic ? "on" : nil
            brand_id = d.brandID?.uuidString
        }

        var values: [String: String] {
            ["name_ky": name_ky ?? "", "name_ru": name_ru ?? "", "hs_code": hs_code ?? "", "composition_ky": composition_ky ?? "",
             "composition_ru": composition_ru ?? "", "net_quantity": net_quantity ?? "", "shelf_life_days": shelf_life_days ?? "",
             "storage_ky": storage_ky ?? "", "storage_ru": storage_ru ?? ""]
        }

        /// The draft, or the fields that are not numbers where numbers belong.
        func draft(_ req: Request) throws -> ProductDraft {
            var errors: [DomainError] = []
            func number(_ text: String?, _ field: String) -> Int? {
                guard let text = text.nonBlank else { return nil }
                guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                    errors.append(DomainError("certification.number-invalid", field: field, arguments: ["value": text]))
                    return nil
                }
                return value
            }
            let quantity = number(net_quantity, "net_quantity")
            let shelfLife = number(shelf_life_days, "shelf_life_days")
            guard let group = req.uuid(organisation_id) else {
                errors.append(DomainError("certification.product.group-invalid", field: "organisation_id"))
                throw ValidationErrors(errors)
            }
            try ValidationErrors.throwIfAny(errors)
            return ProductDraft(
                organisationID: group, personID: req.uuid(person_id), makerShown: maker_shown != nil, nameKy: name_ky ?? "", nameRu: name_ru ?? "",
                category: category.flatMap(ProductCategory.init(rawValue:)) ?? .other, hsCode: hs_code ?? "", compositionKy: composition_ky ?? "",
                compositionRu: composition_ru ?? "", netQuantity: quantity, netUnit: net_unit.flatMap(NetUnit.init(rawValue:)) ?? .g,
                shelfLifeDays: shelfLife, storageKy: storage_ky ?? "", storageRu: storage_ru ?? "", organic: organic != nil, brandID: req.uuid(brand_id))
        }
    }

    /// The choices the product form offers.
    struct FormChoices: Encodable {
        let groups: [Choice]
        let categories: [Choice]
        let units: [Choice]
        let brands: [Choice]
        let makers: [Choice]
        let organic: Bool
        let makerShown: Bool

        static func make(_ req: Request, form: ProductForm, makers: [Choice] = []) async throws -> FormChoices {
            let group = req.uuid(form.organisation_id)
            let brands = try await BrandService(db: req.db).brands(organisation: group)
            return FormChoices(
                groups: try await req.producerGroupChoices(selected: group), categories: req.categoryChoices(selected: form.category),
                units: NetUnit.allCases.map { Choice(value: $0.rawValue, label: req.t("certification.unit.\($0.rawValue)"), selected: $0.rawValue == (form.net_unit ?? "g")) },
                brands: brands.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == form.brand_id) },
                makers: makers, organic: form.organic != nil, makerShown: form.maker_shown != nil)
        }
    }

    struct Row: Encodable {
        let id: UUID
        let name: String
        let otherName: String
        let group: String
        let category: String
        let missing: [String]
        let eac: Bool
        let organic: Bool
    }

    struct ListPage: Encodable {
        let rows: [Row]
        let pager: Pager
        let groupFilter: [Choice]
        let values: [String: String]
        let choices: FormChoices
        let errors: FieldErrors
        let formOpen: Bool
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, form: ProductForm(), errors: [:])
    }

    func renderList(_ req: Request, form: ProductForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let group = req.uuid(req.query["group"])
        let products = ProductService(db: req.db)
        let page = try await products.products(organisation: group, page: PageQuery(page: req.query["page"], per: 50))
        let requirements = try await products.requirements(of: page.items.map(\.id))
        let groups = try await req.network.organisations.lookup(page.items.map(\.draft.organisationID))
        return try await req.render("certification/products", title: req.t("certification.products"), ListPage(
            rows: page.items.map { p in
                let r = requirements[p.id]
                return Row(id: p.id, name: req.productName(p), otherName: req.appLocale.rawValue == "ky" ? p.draft.nameRu : p.draft.nameKy,
                           group: groups[p.draft.organisationID]?.name ?? "", category: req.t("certification.category.\(p.draft.category.rawValue)"),
                           missing: r?.missing.map(\.rule.code) ?? [], eac: r?.eac ?? false, organic: p.draft.organic)
            },
            pager: page.pager, groupFilter: try await req.producerGroupChoices(selected: group), values: form.values,
            choices: try await FormChoices.make(req, form: form), errors: errors, formOpen: !errors.isEmpty), status: status)
    }

    @Sendable func create(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let form = try req.content.decode(ProductForm.self)
        return try await req.act({
            "/products/\(try await ProductService(db: req.db).create(try form.draft(req), by: req.actor).id)"
        }, page: { try await renderList(req, form: form, errors: $0) })
    }

    // MARK: - One product

    struct RequirementRow: Encodable {
        let code: String
        let title: String
        let evidence: String
        let mandatory: Bool
        let met: Bool
        let documentID: UUID?
        let documentTitle: String
        let missingFields: [String]
    }

    struct DocumentRow: Encodable {
        let id: UUID
        let title: String
        let registration: String
        let expiresOn: String
        let status: String
        let valid: Bool
    }

    struct BatchRow: Encodable {
        let id: UUID
        let number: String
        let producedOn: String
        let bestBefore: String
        let code: String
    }

    struct StepRow: Encodable {
        let id: UUID
        let kind: String
        let plannedOn: String
        let doneOn: String
        let responsible: String
        let cost: String
        let note: String
        let shared: Bool
        let canShare: Bool
    }

    struct LabelCheckRow: Encodable {
        let lang: String
        let language: String
        let missing: [String]
    }

    struct ShowPage: Encodable {
        let id: UUID
        let name: String
        let facts: [Fact]
        let hasPhoto: Bool
        let requirements: [RequirementRow]
        let missingCount: Int
        let eac: Bool
        let documents: [DocumentRow]
        let batches: [BatchRow]
        let labelChecks: [LabelCheckRow]
        let steps: [StepRow]
        let totalCost: String
        let stepKinds: [Choice]
        let values: [String: String]
        let choices: FormChoices
        let batchValues: [String: String]
        let errors: FieldErrors
        let notice: String?
    }

    struct Fact: Encodable {
        let label: String
        let value: String
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, id: try req.pathID(), errors: [:])
    }

    func renderShow(_ req: Request, id: UUID, form: ProductForm? = nil, batchValues: [String: String] = [:], errors: FieldErrors,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let lang = req.appLocale.rawValue
        let products = ProductService(db: req.db)
        let product = try await products.product(id)
        let d = product.draft
        let requirements = try await products.requirements(id)
        let regulations = Dictionary(uniqueKeysWithValues: try await RegistryService(db: req.db).regulations().map { ($0.id, $0) })
        let documents = try await DocumentService(db: req.db).documents(covering: [id], page: PageQuery(page: 1, per: 100)).items
        let batches = try await BatchService(db: req.db).batches(of: id)
        let steps = try await PathService(db: req.db).steps(of: id)
        let group = try await req.network.organisations.get(d.organisationID)
        let brand = try await d.brandID.asyncMap { try await BrandService(db: req.db).brand($0) }
        let members = try await ProducerGroupService(db: req.db).members(d.organisationID, page: PageQuery(page: 1, per: 1_000)).items
        let people = try await req.network.people.lookup(members.map(\.personID) + [d.personID].compactMap { $0 })
        let makers = [Choice(value: "", label: "—", selected: d.personID == nil)] + members.compactMap { m in
            people[m.personID].map { Choice(value: $0.id.uuidString, label: $0.fullName, selected: $0.id == (form.flatMap { req.uuid($0.person_id) } ?? d.personID)) }
        }.sorted { $0.label < $1.label }
        let today = BishkekCalendar.day(of: Date())
        var checks: [LabelCheckRow] = []
        for language in LabelLanguage.allCases {
            let sheet = try await products.label(id, language: language)
            checks.append(LabelCheckRow(lang: language.rawValue, language: AppLocale(rawValue: language.rawValue)?.nativeName ?? language.rawValue,
                                        missing: sheet.content.missing.map { req.t("certification.field.\($0.rawValue)") }))
        }
        let editForm = form ?? ProductForm(d)
        let notice = (req.query["shared"] as String?) != nil ? req.t("certification.cost-shared") : nil
        return try await req.render("certification/product", title: req.productName(product), ShowPage(
            id: id, name: req.productName(product),
            facts: [
                Fact(label: req.t("certification.group"), value: group.name),
                Fact(label: req.t("certification.maker"), value: d.personID.flatMap { people[$0]?.fullName }.map {
                    $0 + " · " + req.t(d.makerShown ? "certification.maker-shown" : "certification.maker-hidden")
                } ?? "—"),
                Fact(label: req.t("certification.name-ky"), value: d.nameKy), Fact(label: req.t("certification.name-ru"), value: d.nameRu),
                Fact(label: req.t("certification.category"), value: req.t("certification.category.\(d.category.rawValue)")),
                Fact(label: req.t("certification.hs-code"), value: d.hsCode.isEmpty ? "—" : d.hsCode),
                Fact(label: req.t("certification.composition-ky"), value: d.compositionKy), Fact(label: req.t("certification.composition-ru"), value: d.compositionRu),
                Fact(label: req.t("certification.net-quantity"), value: req.netQuantity(d)),
                Fact(label: req.t("certification.shelf-life"), value: d.shelfLifeDays.map { req.catalogue.plural("certification.days", count: $0) } ?? "—"),
                Fact(label: req.t("certification.storage-ky"), value: d.storageKy), Fact(label: req.t("certification.storage-ru"), value: d.storageRu),
                Fact(label: req.t("certification.organic"), value: req.t(d.organic ? "yes" : "no")),
                Fact(label: req.t("certification.brand"), value: brand?.name ?? "—"),
            ],
            hasPhoto: product.photo != nil,
            requirements: requirements.requirements.map { r in
                let document = r.documentID.flatMap { id in documents.first { $0.id == id } }
                return RequirementRow(
                    code: r.rule.code, title: regulations[r.rule.regulationID]?.title(lang) ?? "",
                    evidence: req.t("certification.evidence.\(r.rule.evidence.rawValue)"), mandatory: r.rule.mandatory, met: r.met,
                    documentID: document?.id, documentTitle: document.map(req.documentTitle) ?? "",
                    missingFields: r.missingFields.map { req.t("certification.field.\($0.rawValue)") })
            },
            missingCount: requirements.missing.count, eac: requirements.eac,
            documents: documents.map {
                DocumentRow(id: $0.id, title: req.documentTitle($0), registration: $0.draft.registrationNumber, expiresOn: $0.draft.expiresOn,
                            status: req.documentStatus($0, today: today), valid: $0.isValid(on: today))
            },
            batches: batches.map { BatchRow(id: $0.id, number: $0.batchNumber, producedOn: $0.producedOn, bestBefore: $0.bestBefore, code: $0.code) },
            labelChecks: checks,
            steps: steps.map { s in
                StepRow(id: s.id, kind: req.t("certification.step.\(s.draft.kind.rawValue)"), plannedOn: s.draft.plannedOn ?? "", doneOn: s.draft.doneOn ?? "",
                        responsible: s.draft.responsible, cost: Som.format(s.draft.cost), note: s.draft.note, shared: s.sharedAt != nil,
                        canShare: s.sharedAt == nil && s.draft.cost > 0 && !members.isEmpty)
            },
            totalCost: Som.format(steps.reduce(0) { $0 + $1.draft.cost }),
            stepKinds: StepKind.allCases.map { Choice(value: $0.rawValue, label: req.t("certification.step.\($0.rawValue)"), selected: false) },
            values: editForm.values, choices: try await FormChoices.make(req, form: editForm, makers: makers),
            batchValues: batchValues, errors: errors, notice: notice), status: status)
    }

    @Sendable func update(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(ProductForm.self)
        return try await req.act({
            _ = try await ProductService(db: req.db).update(id, try form.draft(req), by: req.actor)
            return "/products/\(id)"
        }, page: { try await renderShow(req, id: id, form: form, errors: $0) })
    }

    struct PhotoUpload: Content {
        var photo: File?
    }

    @Sendable func uploadPhoto(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let upload = try req.content.decode(PhotoUpload.self)
        return try await req.act({
            guard let file = upload.photo, file.data.readableBytes > 0 else { throw DomainError("certification.upload.not-image", field: "photo") }
            try await ProductService(db: req.db).attachPhoto(id, data: Data(file.data.readableBytesView), store: req.application.certificationFiles.photos,
                                                             by: req.actor)
            return "/products/\(id)"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    @Sendable func photo(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let photo = try await ProductService(db: req.db).photo(try req.pathID(), store: req.application.certificationFiles.photos)
        return Self.file(photo.data, type: photo.kind == .png ? FileKind.png : .jpeg)
    }

    /// A stored file as a response, typed from what it was judged to be when it was kept.
    static func file(_ data: Data, type: FileKind) -> Response {
        var headers = HTTPHeaders()
        headers.replaceOrAdd(name: .contentType, value: type.contentType)
        headers.replaceOrAdd(name: .cacheControl, value: "private, max-age=300")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }

    struct BatchForm: Content {
        var batch_number: String?
        var produced_on: String?
        var best_before: String?
    }

    @Sendable func addBatch(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(BatchForm.self)
        return try await req.act({
            _ = try await BatchService(db: req.db).create(id, batchNumber: form.batch_number ?? "", producedOn: form.produced_on ?? "",
                                                          bestBefore: form.best_before.nonBlank, by: req.actor)
            return "/products/\(id)#batches"
        }, page: {
            try await renderShow(req, id: id, batchValues: ["batch_number": form.batch_number ?? "", "produced_on": form.produced_on ?? "",
                                                            "best_before": form.best_before ?? ""], errors: $0)
        })
    }

    struct StepForm: Content {
        var kind: String?
        var planned_on: String?
        var done_on: String?
        var responsible: String?
        var cost: String?
        var note: String?
    }

    @Sendable func addStep(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let form = try req.content.decode(StepForm.self)
        return try await req.act({
            let cost = form.cost.nonBlank == nil ? 0 : try req.som(form.cost, field: "cost")
            _ = try await PathService(db: req.db).addStep(to: id, StepDraft(
                kind: form.kind.flatMap(StepKind.init(rawValue:)) ?? .other, plannedOn: form.planned_on.nonBlank, doneOn: form.done_on.nonBlank,
                responsible: form.responsible ?? "", cost: cost, note: form.note ?? ""), by: req.actor)
            return "/products/\(id)#path"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    @Sendable func completeStep(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let stepID = try req.pathID("step")
        let day = (try? req.content.get(String.self, at: "done_on")).nonBlank ?? BishkekCalendar.day(of: Date())
        return try await req.act({
            guard try await PathService(db: req.db).step(stepID).productID == id else { throw DomainError.notFound("certification.step") }
            _ = try await PathService(db: req.db).complete(stepID, on: day, by: req.actor)
            return "/products/\(id)#path"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }

    @Sendable func shareStep(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let stepID = try req.pathID("step")
        return try await req.act({
            _ = try await CertificationCosts.share(stepID, of: id, note: req.t("certification.shared-cost-note"), on: req.db, by: req.actor)
            return "/products/\(id)?shared=1#path"
        }, page: { try await renderShow(req, id: id, errors: $0) })
    }
}
