import AsharNetwork
import Certification
import DemoData
import FluentKit
import Foundation
import Kernel
import Testing
import TestSupport

@Suite("Certification rules")
struct CertificationRulesTests {
    static let food = UUID(), label = UUID(), dairy = UUID(), organic = UUID(), honeyStandard = UUID()
    static let rules = [
        RuleFact(regulationID: food, code: "TR CU 021/2011", kind: .technicalRegulation, category: nil, foodOnly: true, organicOnly: false,
                 evidence: .declaration, mandatory: true),
        RuleFact(regulationID: label, code: "TR CU 022/2011", kind: .technicalRegulation, category: nil, foodOnly: true, organicOnly: false,
                 evidence: .label, mandatory: true),
        RuleFact(regulationID: dairy, code: "TR CU 033/2013", kind: .technicalRegulation, category: .dairy, foodOnly: true, organicOnly: false,
                 evidence: .declaration, mandatory: true),
        RuleFact(regulationID: honeyStandard, code: "GOST 19792-2017", kind: .nationalStandard, category: .honey, foodOnly: true, organicOnly: false,
                 evidence: .certificate, mandatory: false),
        RuleFact(regulationID: organic, code: "KR organic law", kind: .law, category: nil, foodOnly: false, organicOnly: true,
                 evidence: .pgsCertificate, mandatory: true),
    ]

    @Test("What applies to a product depends on its category and whether it is sold as organic")
    func whatApplies() {
        let honey = Requirements.evaluate(category: .honey, organic: true, rules: Self.rules, documents: [], labelMissing: [.batchNumber], today: "2026-11-28")
        #expect(honey.map(\.rule.code) == ["TR CU 021/2011", "TR CU 022/2011", "KR organic law", "GOST 19792-2017"])
        #expect(honey.allSatisfy { !$0.met })
        #expect(honey[1].missingFields == [.batchNumber])
        let felt = Requirements.evaluate(category: .felt, organic: false, rules: Self.rules, documents: [], labelMissing: [], today: "2026-11-28")
        #expect(felt.isEmpty)
    }

    @Test("Only a registered document in force meets a rule; a certificate meets a rule asking for a declaration")
    func documentsMeetRules() {
        func doc(_ type: DocumentType, _ status: DocumentStatus = .registered, expires: String = "2027-06-01", regs: Set<UUID> = [Self.food, Self.dairy]) -> DocumentFact {
            DocumentFact(id: UUID(), type: type, status: status, issuedOn: "2025-06-01", expiresOn: expires, regulationIDs: regs, underTechnicalRegulation: true)
        }
        let valid = doc(.declaration)
        let met = Requirements.evaluate(category: .dairy, organic: false, rules: Self.rules, documents: [valid], labelMissing: [], today: "2026-11-28")
        #expect(met.allSatisfy { $0.met })
        #expect(met.first?.documentID == valid.id)
        for stale in [doc(.declaration, .suspended), doc(.declaration, .replaced), doc(.declaration, expires: "2026-11-27"), doc(.pgsCertificate)] {
            let result = Requirements.evaluate(category: .dairy, organic: false, rules: Self.rules, documents: [stale], labelMissing: [], today: "2026-11-28")
            #expect(result.filter { !$0.met }.map(\.rule.code) == ["TR CU 021/2011", "TR CU 033/2013"])
            #expect(!Requirements.mayCarryEAC([stale], today: "2026-11-28"))
        }
        #expect(Requirements.mayCarryEAC([doc(.certificate)], today: "2026-11-28"))
        #expect(Requirements.mayCarryEAC([doc(.declaration, expires: "2026-11-28")], today: "2026-11-28"), "valid through its last day")
    }

    @Test("Expiry windows: past, 30, 60, 90 days, and beyond")
    func expiryWindows() {
        let add = { BishkekCalendar.adding(days: $1, to: $0) }
        #expect(Requirements.expiryWindow(expiresOn: "2026-11-27", today: "2026-11-28", calendar: add) == 0)
        #expect(Requirements.expiryWindow(expiresOn: "2026-12-28", today: "2026-11-28", calendar: add) == 30)
        #expect(Requirements.expiryWindow(expiresOn: "2026-12-29", today: "2026-11-28", calendar: add) == 60)
        #expect(Requirements.expiryWindow(expiresOn: "2027-02-26", today: "2026-11-28", calendar: add) == 90)
        #expect(Requirements.expiryWindow(expiresOn: "2027-02-27", today: "2026-11-28", calendar: add) == nil)
    }

    @Test("The label check names every blank mandatory field, in the regulation's order")
    func labelCheck() {
        var label = LabelContent(name: "Бал", composition: "табигый бал 100 %", netQuantity: "500 g", producedOn: "2026-08-01", bestBefore: "2028-08-01",
                                 storage: "0…20 °C", producerName: "Жети-Өгүз", producerAddress: "Сарай, Кара-Суу", batchNumber: "7")
        #expect(label.missing.isEmpty)
        label.composition = "  "
        label.batchNumber = ""
        #expect(label.missing == [.composition, .batchNumber])
        label.bestBefore = ""
        #expect(label.missing == [.composition, .bestBefore, .batchNumber])
        label.isFood = false
        #expect(label.missing == [.composition, .batchNumber], "felt keeps: no best-before date on its label")
    }

    @Test("Uploads are judged by their bytes")
    func sniffing() {
        #expect(FileKind.sniff(Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0])) == .png)
        #expect(FileKind.sniff(Data([0xFF, 0xD8, 0xFF, 0xE0])) == .jpeg)
        #expect(FileKind.sniff(Data("%PDF-1.7\n".utf8)) == .pdf)
        #expect(FileKind.sniff(Data("<svg xmlns='http://www.w3.org/2000/svg'/>".utf8)) == .svg)
        #expect(FileKind.sniff(Data("GIF89a".utf8)) == nil)
        #expect(FileKind.sniff(Data("<html><svg/></html>".utf8)) == nil)
    }

    @Test("An SVG keeps its drawing and loses scripts, handlers, foreign objects, outside references and entities")
    func svgSanitised() throws {
        let hostile = """
        <?xml version="1.0"?>
        <svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10" onload="alert(1)">
          <script>alert(2)</script>
          <g fill="url(#grad)"><rect width="10" height="10" onclick="steal()" style="fill:red"/></g>
          <foreignObject><iframe src="https://evil.example"/></foreignObject>
          <image xlink:href="https://evil.example/x.png"/>
          <circle r="3" fill="url(https://evil.example/#x)"/>
          <a href="javascript:alert(3)"><text x="1" y="5">Ашар &amp; Co</text></a>
        </svg>
        """
        let clean = String(decoding: try #require(SVGSanitizer.clean(Data(hostile.utf8))), as: UTF8.self)
        #expect(clean.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">"))
        for gone in ["script", "alert", "onclick", "onload", "foreignObject", "iframe", "evil", "image", "style", "javascript", "<a"] {
            #expect(!clean.contains(gone), "\(gone) survived")
        }
        #expect(clean.contains("<g fill=\"url(#grad)\"><rect height=\"10\" width=\"10\"></rect></g>"))
        #expect(clean.contains("<circle r=\"3\"></circle>"))
        #expect(SVGSanitizer.clean(Data("<!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><svg>&x;</svg>".utf8)) == nil)
        #expect(SVGSanitizer.clean(Data("<svg><g></svg>".utf8)) == nil)
    }

    @Test("Traceability codes are eight unambiguous characters")
    func traceCodes() {
        var generator = SystemRandomNumberGenerator()
        let codes = (0..<200).map { _ in TraceCode.make(using: &generator) }
        #expect(codes.allSatisfy(TraceCode.isWellFormed))
        #expect(codes.allSatisfy { !$0.contains("0") && !$0.contains("O") && !$0.contains("I") && !$0.contains("1") })
        #expect(!TraceCode.isWellFormed("ABCD012"))
    }
}

@Suite("Products, documents and batches on a real database")
struct CertificationServiceTests {
    static func honey(_ db: any Database) async throws -> (ProductRecord, UUID) {
        let make = Factories(db: db)
        let village = try await make.village()
        let group = try await make.organisation("«Бал» өндүрүүчүлөр тобу", kind: .producerGroup, in: village)
        let product = try await ProductService(db: db).create(ProductDraft(
            organisationID: group.id, nameKy: "Тоо балы", nameRu: "Горный мёд", category: .honey, hsCode: "0409000000",
            compositionKy: "табигый бал", compositionRu: "натуральный мёд", netQuantity: 500, netUnit: .g, shelfLifeDays: 730,
            storageKy: "0…20 °C", storageRu: "при 0…20 °C"), by: .system)
        return (product, group.id)
    }

    @Test("A product is refused without a name, with a bad HS code, or owned by something not a producer group")
    func productChecks() async throws {
        try await TestDatabase.withDatabase { db in
            let (product, _) = try await Self.honey(db)
            var bad = product.draft
            (bad.nameKy, bad.nameRu, bad.hsCode, bad.netQuantity) = ("", " ", "04A9", 0)
            let refused = try await #require(throws: ValidationErrors.self) { try await ProductService(db: db).create(bad, by: .system) }
            #expect(Set(refused.errors.compactMap(\.field)) == ["name_ru", "hs_code", "net_quantity"])
            let bank = try await Factories(db: db).organisation("Убактылуу банк", kind: .timeBank, in: try await Factories(db: db).village(named: "Арал"))
            var wrongOwner = product.draft
            wrongOwner.organisationID = bank.id
            await #expect(throws: DomainError("certification.product.group-invalid", field: "organisation_id")) {
                try await ProductService(db: db).create(wrongOwner, by: .system)
            }
        }
    }

    @Test("Requirements: missing until a declaration is registered; the label needs a batch; EAC only while valid")
    func requirementsFollowDocuments() async throws {
        try await TestDatabase.withDatabase { db in
            let (product, _) = try await Self.honey(db)
            let products = ProductService(db: db)
            let before = try await products.requirements(product.id, today: "2026-11-28")
            #expect(before.missing.map(\.rule.code) == ["TR CU 021/2011", "TR CU 022/2011"])
            #expect(before.requirements.first { $0.rule.evidence == .label }?.missingFields == [.producedOn, .bestBefore, .batchNumber])
            #expect(!before.eac)

            let batch = try await BatchService(db: db).create(product.id, batchNumber: "2026-08/1", producedOn: "2026-08-01", bestBefore: nil, by: .system)
            #expect(batch.bestBefore == "2028-07-31", "from the shelf life of 730 days")
            let declaration = try await DocumentService(db: db).register(DocumentDraft(
                type: .declaration, number: "ЕАЭС N RU Д-KG.АБ12.В.00123/26", registrationNumber: "KG 417/КЦА.ОСП.023.TR-021",
                issuedOn: "2026-01-15", expiresOn: "2027-01-14", productIDs: [product.id]), by: .system)
            #expect(declaration.draft.regulationIDs.count == 1, "the rule a declaration meets for honey: TR CU 021/2011")
            let after = try await products.requirements(product.id, today: "2026-11-28")
            #expect(after.missing.isEmpty)
            #expect(after.eac)
            #expect(try await products.label(product.id, language: .ru, today: "2026-11-28").content.missing.isEmpty)
            #expect(try await !products.requirements(product.id, today: "2027-01-15").eac, "expired the day after")

            let suspended = try await DocumentService(db: db).setStatus(declaration.id, .suspended, by: .system)
            #expect(suspended.status == .suspended)
            #expect(try await !products.requirements(product.id, today: "2026-11-28").eac)
        }
    }

    @Test("A registered document is never edited: a change is a new registration linked to the old one")
    func replacement() async throws {
        try await TestDatabase.withDatabase { db in
            let (product, _) = try await Self.honey(db)
            let documents = DocumentService(db: db)
            let first = try await documents.register(DocumentDraft(type: .declaration, number: "D-1", issuedOn: "2025-01-10", expiresOn: "2026-12-20",
                                                                   productIDs: [product.id]), by: .system)
            let second = try await documents.replace(first.id, with: DocumentDraft(type: .declaration, number: "D-2", issuedOn: "2026-11-01",
                                                                                   expiresOn: "2029-10-31", productIDs: [product.id]), by: .system)
            #expect(second.replacesID == first.id)
            let old = try await documents.document(first.id)
            #expect(old.status == .replaced && old.replacedByID == second.id && old.draft.number == "D-1")
            await #expect(throws: DomainError("certification.document.not-current", kind: .conflict, arguments: ["status": "replaced"])) {
                try await documents.replace(first.id, with: DocumentDraft(type: .declaration, number: "D-3", issuedOn: "2026-11-01",
                                                                           expiresOn: "2029-10-31", productIDs: [product.id]), by: .system)
            }
            await #expect(throws: DomainError("certification.document.status-not-allowed", kind: .conflict, field: "status",
                                              arguments: ["from": "replaced", "to": "registered"])) {
                try await documents.setStatus(first.id, .registered, by: .system)
            }
            // The expiring list: the replaced one no longer counts.
            #expect(try await documents.expiring(today: "2026-11-28").isEmpty)
            let soon = try await documents.register(DocumentDraft(type: .certificate, number: "C-1", issuedOn: "2024-01-10", expiresOn: "2027-01-20",
                                                                  productIDs: [product.id]), by: .system)
            let expiring = try await documents.expiring(today: "2026-11-28")
            #expect(expiring.map(\.document) == [soon] && expiring.map(\.window) == [60])
            let refused = try await #require(throws: ValidationErrors.self) {
                try await documents.register(DocumentDraft(type: .declaration, number: "", issuedOn: "2026-02-30", expiresOn: "2026-01-01", productIDs: []), by: .system)
            }
            #expect(Set(refused.errors.compactMap(\.field)) == ["number", "issued_on", "product_ids"])
        }
    }

    @Test("A batch gets a unique code; its public view hides the maker unless she agreed")
    func publicBatch() async throws {
        try await TestDatabase.withDatabase { db in
            let (product, _) = try await Self.honey(db)
            let maker = try await Factories(db: db).person("Айгүл Токтосунова", in: try await Factories(db: db).village(named: "Жийде"))
            var draft = product.draft
            draft.personID = maker.id
            _ = try await ProductService(db: db).update(product.id, draft, by: .system)
            let batches = BatchService(db: db)
            let batch = try await batches.create(product.id, batchNumber: "7", producedOn: "2026-09-01", bestBefore: "2027-09-01", by: .system)
            await #expect(throws: DomainError("certification.batch.number-taken", kind: .conflict, field: "batch_number")) {
                try await batches.create(product.id, batchNumber: "7", producedOn: "2026-09-02", bestBefore: nil, by: .system)
            }
            // Found by schemathesis: a batch "made" in the year 8115 was taken.
            await #expect(throws: DomainError("certification.batch.produced-in-future", field: "produced_on")) {
                try await batches.create(product.id, batchNumber: "8", producedOn: "8115-08-06", bestBefore: nil, by: .system)
            }
            let seen = try await batches.publicBatch(batch.code.lowercased(), today: "2026-11-28")
            #expect(seen.batch == batch && seen.groupName == "«Бал» өндүрүүчүлөр тобу" && seen.maker == nil && !seen.documentsValid)
            draft.makerShown = true
            _ = try await ProductService(db: db).update(product.id, draft, by: .system)
            #expect(try await batches.publicBatch(batch.code, today: "2026-11-28").maker == "Айгүл Токтосунова")
            await #expect(throws: DomainError.notFound("certification.batch")) { try await batches.publicBatch("../../etc", today: "2026-11-28") }
        }
    }

    @Test("Peer visits and the council's decision; no sanction with an approval")
    func guarantee() async throws {
        try await TestDatabase.withDatabase { db in
            let (_, group) = try await Self.honey(db)
            let path = PathService(db: db)
            let visit = try await path.recordVisit(group, VisitDraft(visitedOn: "2026-06-10", farm: "Участок №4", visitors: "Гүлнара, Бактыгүл",
                                                                     passed: [.noSyntheticFertiliser, .recordsKept]), by: .system)
            #expect(visit.decision == .pending && visit.failed.count == ChecklistItem.allCases.count - 2)
            await #expect(throws: DomainError("certification.visit.sanction-on-approval", field: "sanction")) {
                try await path.decide(visit.id, decision: .approved, on: "2026-06-20", sanction: .warning, note: "", by: .system)
            }
            let decided = try await path.decide(visit.id, decision: .conditions, on: "2026-06-20", sanction: .warning, note: "Журнал толтуруу", by: .system)
            #expect(decided.sanction == .warning && decided.decidedOn == "2026-06-20")
            #expect(try await path.visits(of: group) == [decided])
        }
    }
}
