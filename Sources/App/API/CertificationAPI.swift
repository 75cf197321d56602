import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import OpenAPIRuntime
import Producers
import Vapor

/// The Certification context: products and what applies to them, documents, batches, brands, the
/// certification path and the participatory guarantee; and the public view of a batch.
extension AsharAPI {
    func listProducts(_ input: Operations.ListProducts.Input) async throws -> Operations.ListProducts.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let list = try await ProductService(db: req.db).products(
            organisation: try input.query.groupId.map { try Self.id($0, field: "groupId") }, brand: try input.query.brandId.map { try Self.id($0, field: "brandId") },
            page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.product), total: list.total))))
    }

    func createProduct(_ input: Operations.CreateProduct.Input) async throws -> Operations.CreateProduct.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.product(try await ProductService(db: req.db).create(try Self.draft(body), by: req.actor)))))
    }

    func getProduct(_ input: Operations.GetProduct.Input) async throws -> Operations.GetProduct.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        return .ok(.init(body: .json(Self.product(try await ProductService(db: req.db).product(try Self.productID(input.path.product))))))
    }

    func updateProduct(_ input: Operations.UpdateProduct.Input) async throws -> Operations.UpdateProduct.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let product = try await ProductService(db: req.db).update(try Self.productID(input.path.product), try Self.draft(body), by: req.actor)
        return .ok(.init(body: .json(Self.product(product))))
    }

    func getProductRequirements(_ input: Operations.GetProductRequirements.Input) async throws -> Operations.GetProductRequirements.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let result = try await ProductService(db: req.db).requirements(try Self.productID(input.path.product))
        return .ok(.init(body: .json(.init(
            items: result.requirements.map { r in
                .init(regulationId: r.rule.regulationID.uuidString, code: r.rule.code, kind: .init(rawValue: r.rule.kind.rawValue)!,
                      evidence: .init(rawValue: r.rule.evidence.rawValue)!, mandatory: r.rule.mandatory, met: r.met, documentId: r.documentID?.uuidString,
                      missingFields: r.missingFields.map { .init(rawValue: $0.rawValue)! })
            },
            missing: result.missing.map(\.rule.code), eac: result.eac))))
    }

    func getLabelCheck(_ input: Operations.GetLabelCheck.Input) async throws -> Operations.GetLabelCheck.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let language = LabelLanguage(rawValue: input.query.lang?.rawValue ?? "ru") ?? .ru
        let sheet = try await ProductService(db: req.db).label(try Self.productID(input.path.product),
                                                               batch: try input.query.batch.map { try Self.id($0, field: "batch") }, language: language)
        return .ok(.init(body: .json(.init(missing: sheet.content.missing.map { .init(rawValue: $0.rawValue)! }, eac: sheet.eac,
                                           lang: .init(rawValue: language.rawValue)!, batchId: sheet.batch?.id.uuidString))))
    }

    func listBatches(_ input: Operations.ListBatches.Input) async throws -> Operations.ListBatches.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let product = try await ProductService(db: req.db).product(try Self.productID(input.path.product))
        let batches = try await BatchService(db: req.db).batches(of: product.id)
        return .ok(.init(body: .json(.init(items: batches.map { Self.batch($0, req) }, total: batches.count))))
    }

    func createBatch(_ input: Operations.CreateBatch.Input) async throws -> Operations.CreateBatch.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let batch = try await BatchService(db: req.db).create(try Self.productID(input.path.product), batchNumber: body.batchNumber,
                                                              producedOn: body.producedOn, bestBefore: body.bestBefore, by: req.actor)
        return .created(.init(body: .json(Self.batch(batch, req))))
    }

    func listSteps(_ input: Operations.ListSteps.Input) async throws -> Operations.ListSteps.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let product = try await ProductService(db: req.db).product(try Self.productID(input.path.product))
        let steps = try await PathService(db: req.db).steps(of: product.id)
        return .ok(.init(body: .json(.init(items: steps.map(Self.step), total: steps.count))))
    }

    func addStep(_ input: Operations.AddStep.Input) async throws -> Operations.AddStep.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let step = try await PathService(db: req.db).addStep(to: try Self.productID(input.path.product), StepDraft(
            kind: StepKind(rawValue: body.kind.rawValue)!, plannedOn: body.plannedOn, doneOn: body.doneOn, responsible: body.responsible ?? "",
            cost: body.cost ?? 0, note: body.note ?? ""), by: req.actor)
        return .created(.init(body: .json(Self.step(step))))
    }

    func shareStepCost(_ input: Operations.ShareStepCost.Input) async throws -> Operations.ShareStepCost.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let productID = try Self.productID(input.path.product)
        let stepID = try Self.id(input.path.step, notFound: "certification.step")
        let (step, shares) = try await CertificationCosts.share(stepID, of: productID, note: req.t("certification.shared-cost-note"), on: req.db, by: req.actor)
        return .ok(.init(body: .json(.init(step: Self.step(step), shares: shares.map { .init(memberId: $0.key.uuidString, amount: $0.value) }
            .sorted { $0.memberId < $1.memberId }))))
    }

    func listDocuments(_ input: Operations.ListDocuments.Input) async throws -> Operations.ListDocuments.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let list = try await DocumentService(db: req.db).documents(
            covering: try input.query.productId.map { [try Self.id($0, field: "productId")] }, type: input.query._type.flatMap { DocumentType(rawValue: $0.rawValue) },
            page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.document), total: list.total))))
    }

    func registerDocument(_ input: Operations.RegisterDocument.Input) async throws -> Operations.RegisterDocument.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.document(try await DocumentService(db: req.db).register(try Self.draft(body), by: req.actor)))))
    }

    func listExpiringDocuments(_ input: Operations.ListExpiringDocuments.Input) async throws -> Operations.ListExpiringDocuments.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let list = try await DocumentService(db: req.db).expiring()
        return .ok(.init(body: .json(.init(items: list.map { .init(document: Self.document($0.document), window: .init(rawValue: $0.window)!) }))))
    }

    func getDocument(_ input: Operations.GetDocument.Input) async throws -> Operations.GetDocument.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        return .ok(.init(body: .json(Self.document(try await DocumentService(db: req.db).document(try Self.documentID(input.path.document))))))
    }

    func replaceDocument(_ input: Operations.ReplaceDocument.Input) async throws -> Operations.ReplaceDocument.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let document = try await DocumentService(db: req.db).replace(try Self.documentID(input.path.document), with: try Self.draft(body), by: req.actor)
        return .created(.init(body: .json(Self.document(document))))
    }

    func setDocumentStatus(_ input: Operations.SetDocumentStatus.Input) async throws -> Operations.SetDocumentStatus.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let document = try await DocumentService(db: req.db).setStatus(try Self.documentID(input.path.document),
                                                                       DocumentStatus(rawValue: body.status.rawValue)!, by: req.actor)
        return .ok(.init(body: .json(Self.document(document))))
    }

    func attachDocumentScan(_ input: Operations.AttachDocumentScan.Input) async throws -> Operations.AttachDocumentScan.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .pdf(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let data = try await Self.collect(body, upTo: APIUploadLimits.documentScan)
        try await DocumentService(db: req.db).attachScan(try Self.documentID(input.path.document), data: data,
                                                         store: req.application.certificationFiles.scans, by: req.actor)
        return .noContent(.init())
    }

    func getDocumentScan(_ input: Operations.GetDocumentScan.Input) async throws -> Operations.GetDocumentScan.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let data = try await DocumentService(db: req.db).scan(try Self.documentID(input.path.document), store: req.application.certificationFiles.scans)
        return .ok(.init(body: .pdf(HTTPBody(data))))
    }

    func listRegulations(_ input: Operations.ListRegulations.Input) async throws -> Operations.ListRegulations.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let list = try await RegistryService(db: req.db).regulations()
        return .ok(.init(body: .json(.init(items: list.map(Self.regulation), total: list.count))))
    }

    func addRegulation(_ input: Operations.AddRegulation.Input) async throws -> Operations.AddRegulation.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let regulation = try await RegistryService(db: req.db).add(RegulationDraft(
            code: body.code, kind: RegulationKind(rawValue: body.kind.rawValue)!, titleKy: body.titleKy ?? "", titleRu: body.titleRu ?? "",
            titleEn: body.titleEn ?? "", category: body.category.flatMap { ProductCategory(rawValue: $0.rawValue) },
            evidence: Evidence(rawValue: body.evidence.rawValue)!, mandatory: body.mandatory ?? true), by: req.actor)
        return .created(.init(body: .json(Self.regulation(regulation))))
    }

    func listBrands(_ input: Operations.ListBrands.Input) async throws -> Operations.ListBrands.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let list = try await BrandService(db: req.db).brands(organisation: try input.query.groupId.map { try Self.id($0, field: "groupId") })
        return .ok(.init(body: .json(.init(items: list.map(Self.brand), total: list.count))))
    }

    func createBrand(_ input: Operations.CreateBrand.Input) async throws -> Operations.CreateBrand.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let brand = try await BrandService(db: req.db).create(try Self.id(body.groupId, field: "groupId"), name: body.name,
                                                              primaryColour: body.primaryColour, secondaryColour: body.secondaryColour, by: req.actor)
        return .created(.init(body: .json(Self.brand(brand))))
    }

    func listPeerVisits(_ input: Operations.ListPeerVisits.Input) async throws -> Operations.ListPeerVisits.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        let visits = try await PathService(db: req.db).visits(of: try Self.id(input.path.group, notFound: "certification.group"))
        return .ok(.init(body: .json(.init(items: visits.map(Self.visit), total: visits.count))))
    }

    func recordPeerVisit(_ input: Operations.RecordPeerVisit.Input) async throws -> Operations.RecordPeerVisit.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let visit = try await PathService(db: req.db).recordVisit(try Self.id(input.path.group, notFound: "certification.group"), VisitDraft(
            visitedOn: body.visitedOn, farm: body.farm, visitors: body.visitors,
            passed: (body.passed ?? []).compactMap { ChecklistItem(rawValue: $0.rawValue) }, findings: body.findings ?? ""), by: req.actor)
        return .created(.init(body: .json(Self.visit(visit))))
    }

    func decidePeerVisit(_ input: Operations.DecidePeerVisit.Input) async throws -> Operations.DecidePeerVisit.Output {
        let req = try APIRequest.allowed(CertificationAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let visit = try await PathService(db: req.db).decide(
            try Self.id(input.path.visit, notFound: "certification.visit"), decision: CouncilDecision(rawValue: body.decision.rawValue)!, on: body.decidedOn,
            sanction: body.sanction.flatMap { Sanction(rawValue: $0.rawValue) } ?? Sanction.none, note: body.note ?? "", by: req.actor)
        return .ok(.init(body: .json(Self.visit(visit))))
    }

    /// Open to anyone: what a batch's QR code shows.
    func getPublicBatch(_ input: Operations.GetPublicBatch.Input) async throws -> Operations.GetPublicBatch.Output {
        let req = try APIRequest.get()
        let seen = try await BatchService(db: req.db).publicBatch(input.path.code)
        let d = seen.product.draft
        return .ok(.init(body: .json(.init(
            code: seen.batch.code, batchNumber: seen.batch.batchNumber, producedOn: seen.batch.producedOn, bestBefore: seen.batch.bestBefore.isEmpty ? nil : seen.batch.bestBefore,
            product: .init(nameKy: d.nameKy, nameRu: d.nameRu, category: .init(rawValue: d.category.rawValue)!, organic: d.organic, brand: seen.brand?.name),
            group: .init(name: seen.groupName, village: seen.village?.name.named(req.appLocale.rawValue), district: seen.district?.name.named(req.appLocale.rawValue)),
            maker: seen.maker, documentsValid: seen.documentsValid,
            documents: seen.documents.map {
                .init(_type: .init(rawValue: $0.document.draft.type.rawValue)!, number: $0.document.draft.number,
                      registrationNumber: $0.document.draft.registrationNumber, expiresOn: $0.document.draft.expiresOn, validToday: $0.valid)
            }))))
    }

    // MARK: -

    static func productID(_ text: String) throws -> UUID { try id(text, notFound: "certification.product") }
    static func documentID(_ text: String) throws -> UUID { try id(text, notFound: "certification.document") }

    /// The body of an upload, refused whole (413) past its limit: nothing of it is stored.
    static func collect(_ body: HTTPBody, upTo limit: Int) async throws -> Data {
        do {
            return try await Data(collecting: body, upTo: limit)
        } catch {
            throw Abort(.payloadTooLarge)
        }
    }

    static func draft(_ body: Components.Schemas.ProductInput) throws -> ProductDraft {
        ProductDraft(
            organisationID: try id(body.groupId, field: "groupId"), personID: try body.personId.map { try id($0, field: "personId") },
            makerShown: body.makerShown ?? false, nameKy: body.nameKy ?? "", nameRu: body.nameRu ?? "", category: ProductCategory(rawValue: body.category.rawValue)!,
            hsCode: body.hsCode ?? "", compositionKy: body.compositionKy ?? "", compositionRu: body.compositionRu ?? "", netQuantity: body.netQuantity,
            netUnit: body.netUnit.flatMap { NetUnit(rawValue: $0.rawValue) } ?? .g, shelfLifeDays: body.shelfLifeDays, storageKy: body.storageKy ?? "",
            storageRu: body.storageRu ?? "", organic: body.organic ?? false, brandID: try body.brandId.map { try id($0, field: "brandId") })
    }

    static func product(_ r: ProductRecord) -> Components.Schemas.Product {
        let d = r.draft
        return .init(
            value1: .init(groupId: d.organisationID.uuidString, personId: d.personID?.uuidString, makerShown: d.makerShown, nameKy: d.nameKy, nameRu: d.nameRu,
                          category: .init(rawValue: d.category.rawValue)!, hsCode: d.hsCode, compositionKy: d.compositionKy, compositionRu: d.compositionRu,
                          netQuantity: d.netQuantity, netUnit: .init(rawValue: d.netUnit.rawValue), shelfLifeDays: d.shelfLifeDays, storageKy: d.storageKy,
                          storageRu: d.storageRu, organic: d.organic, brandId: d.brandID?.uuidString),
            value2: .init(id: r.id.uuidString, hasPhoto: r.photo != nil))
    }

    static func batch(_ b: BatchRecord, _ req: Request) -> Components.Schemas.Batch {
        .init(id: b.id.uuidString, code: b.code, url: req.publicURL(forBatch: b.code), batchNumber: b.batchNumber, producedOn: b.producedOn, bestBefore: b.bestBefore.isEmpty ? nil : b.bestBefore)
    }

    static func step(_ s: StepRecord) -> Components.Schemas.Step {
        let d = s.draft
        return .init(value1: .init(kind: .init(rawValue: d.kind.rawValue)!, plannedOn: d.plannedOn, doneOn: d.doneOn, responsible: d.responsible,
                                   cost: d.cost, note: d.note),
                     value2: .init(id: s.id.uuidString, shared: s.sharedAt != nil))
    }

    static func draft(_ body: Components.Schemas.DocumentInput) throws -> DocumentDraft {
        DocumentDraft(
            type: DocumentType(rawValue: body._type.rawValue)!, number: body.number, registrationNumber: body.registrationNumber ?? "",
            applicant: body.applicant ?? "", manufacturer: body.manufacturer ?? "", body: body.body ?? "", laboratory: body.laboratory ?? "",
            protocolNumber: body._protocol ?? "", issuedOn: body.issuedOn, expiresOn: body.expiresOn,
            productIDs: try body.productIds.map { try id($0, field: "productIds") }, regulationIDs: try (body.regulationIds ?? []).map { try id($0, field: "regulationIds") })
    }

    static func document(_ r: DocumentRecord) -> Components.Schemas.Document {
        let d = r.draft
        return .init(
            value1: .init(_type: .init(rawValue: d.type.rawValue)!, number: d.number, registrationNumber: d.registrationNumber, applicant: d.applicant,
                          manufacturer: d.manufacturer, body: d.body, laboratory: d.laboratory, _protocol: d.protocolNumber, issuedOn: d.issuedOn,
                          expiresOn: d.expiresOn, productIds: d.productIDs.map(\.uuidString), regulationIds: d.regulationIDs.map(\.uuidString)),
            value2: .init(id: r.id.uuidString, status: .init(rawValue: r.status.rawValue)!, validToday: r.isValid(on: BishkekCalendar.day(of: Date())),
                          replacesId: r.replacesID?.uuidString, replacedById: r.replacedByID?.uuidString, hasScan: r.hasScan))
    }

    static func regulation(_ r: RegulationRecord) -> Components.Schemas.Regulation {
        .init(id: r.id.uuidString, code: r.code, kind: .init(rawValue: r.kind.rawValue)!, titleKy: r.titleKy, titleRu: r.titleRu, titleEn: r.titleEn,
              rules: r.rules.map { .init(category: $0.category.flatMap { .init(rawValue: $0.rawValue) }, foodOnly: $0.foodOnly, organicOnly: $0.organicOnly,
                                         evidence: .init(rawValue: $0.evidence.rawValue)!, mandatory: $0.mandatory) })
    }

    static func brand(_ b: BrandRecord) -> Components.Schemas.Brand {
        .init(value1: .init(groupId: b.organisationID.uuidString, name: b.name, primaryColour: b.primaryColour, secondaryColour: b.secondaryColour),
              value2: .init(id: b.id.uuidString, hasLogo: b.logo != nil))
    }

    static func visit(_ v: VisitRecord) -> Components.Schemas.PeerVisit {
        let d = v.draft
        return .init(value1: .init(visitedOn: d.visitedOn, farm: d.farm, visitors: d.visitors, passed: d.passed.map { .init(rawValue: $0.rawValue)! },
                                   findings: d.findings),
                     value2: .init(id: v.id.uuidString, decision: .init(rawValue: v.decision.rawValue)!, decidedOn: v.decidedOn,
                                   sanction: .init(rawValue: v.sanction.rawValue)!, sanctionNote: v.sanctionNote))
    }
}
