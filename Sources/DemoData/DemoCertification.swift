import AsharNetwork
import Certification
import FluentKit
import Foundation
import Kernel

/// The pilot groups' way to certified products: Jibek's dried apricots (a declaration expiring soon),
/// walnuts sold as organic under the participatory guarantee, felt slippers still on the certification
/// path; Ak-Buudai's ayran with a declaration just expired. Dates are set from today, so the coordinator
/// always has something to see.
enum DemoCertification {
    static let logo = """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><circle cx="32" cy="32" r="30" fill="#7b2d8e"/>\
        <path d="M16 40c8-16 24-16 32 0" fill="none" stroke="#f2c14e" stroke-width="5" stroke-linecap="round"/>\
        <circle cx="32" cy="22" r="6" fill="#f2c14e"/></svg>
        """

    static func load(jibek: UUID, akBuudai: UUID, jibekMembers: [UUID], logos: FileStore?, on db: any Database, by actor: Actor) async throws {
        let today = BishkekCalendar.day(of: Date())
        func day(_ offset: Int) -> String { BishkekCalendar.adding(days: offset, to: today) }
        let brand = try await BrandService(db: db).create(jibek, name: "Жибек", primaryColour: "#7b2d8e", secondaryColour: "#f2c14e", by: actor)
        if let logos { try await BrandService(db: db).setLogo(brand.id, data: Data(logo.utf8), store: logos, by: actor) }
        let products = ProductService(db: db)
        let apricots = try await products.create(ProductDraft(
            organisationID: jibek, nameKy: "Кургатылган өрүк", nameRu: "Курага", category: .fruitVegetables, hsCode: "0813100000",
            compositionKy: "өрүк 100 %", compositionRu: "абрикос 100 %", netQuantity: 250, netUnit: .g, shelfLifeDays: 365,
            storageKy: "салкын, кургак жерде, +20 °C чейин", storageRu: "в прохладном сухом месте при температуре до +20 °C", brandID: brand.id), by: actor)
        let walnuts = try await products.create(ProductDraft(
            organisationID: jibek, personID: jibekMembers.first, makerShown: true, nameKy: "Аршалган жаңгак", nameRu: "Грецкий орех очищенный",
            category: .fruitVegetables, hsCode: "0802320000", compositionKy: "жаңгактын мағзы", compositionRu: "ядро грецкого ореха",
            netQuantity: 200, netUnit: .g, shelfLifeDays: 180, storageKy: "кургак жерде, +5…+20 °C", storageRu: "в сухом месте при +5…+20 °C",
            organic: true, brandID: brand.id), by: actor)
        let slippers = try await products.create(ProductDraft(
            organisationID: jibek, nameKy: "Кийиз тапичке", nameRu: "Войлочные тапочки", category: .felt, hsCode: "6405200000",
            compositionKy: "100 % кой жүнү", compositionRu: "100 % овечья шерсть", netQuantity: 1, netUnit: .pcs,
            storageKy: "кургак жерде", storageRu: "в сухом месте", brandID: brand.id), by: actor)
        let ayran = try await products.create(ProductDraft(
            organisationID: akBuudai, nameKy: "Айран", nameRu: "Айран", category: .dairy, hsCode: "0403909900",
            compositionKy: "уй сүтү, уютку", compositionRu: "коровье молоко, закваска", netQuantity: 500, netUnit: .ml, shelfLifeDays: 5,
            storageKy: "+2…+6 °C", storageRu: "при +2…+6 °C"), by: actor)

        let documents = DocumentService(db: db)
        _ = try await documents.register(DocumentDraft(
            type: .declaration, number: "ЕАЭС N KG417/КЦА.ОСП.023.KG.04.01.00412", registrationNumber: "KG 417/КЦА.ОСП.023-0412",
            applicant: "«Жибек» тилектеш өндүрүүчүлөр тобу", manufacturer: "«Жибек» тилектеш өндүрүүчүлөр тобу", body: "Кыргызстандарт, Ош бөлүмү",
            laboratory: "Кыргызстандарттын сыноо борбору", protocolNumber: "П-2024/1187", issuedOn: day(-320), expiresOn: day(45),
            productIDs: [apricots.id, walnuts.id]), by: actor)
        _ = try await documents.register(DocumentDraft(
            type: .pgsCertificate, number: "ОКС-Ж-2026/03", applicant: "«Жибек» тилектеш өндүрүүчүлөр тобу", body: "Папан айылынын органикалык кеңеши",
            issuedOn: day(-150), expiresOn: day(215), productIDs: [walnuts.id]), by: actor)
        _ = try await documents.register(DocumentDraft(
            type: .declaration, number: "ЕАЭС N KG417/КЦА.ОСП.023.KG.02.01.00377", registrationNumber: "KG 417/КЦА.ОСП.023-0377",
            applicant: "«Ак-Буудай» тилектеш өндүрүүчүлөр тобу", body: "Кыргызстандарт", laboratory: "Кыргызстандарттын сыноо борбору",
            protocolNumber: "П-2025/0410", issuedOn: day(-375), expiresOn: day(-10), productIDs: [ayran.id]), by: actor)

        let batches = BatchService(db: db)
        _ = try await batches.create(apricots.id, batchNumber: "Ж-\(day(-20).prefix(7))/1", producedOn: day(-20), bestBefore: nil, by: actor)
        _ = try await batches.create(walnuts.id, batchNumber: "Ж-\(day(-12).prefix(7))/2", producedOn: day(-12), bestBefore: nil, by: actor)

        let path = PathService(db: db)
        _ = try await path.addStep(to: slippers.id, StepDraft(kind: .consultation, doneOn: day(-30), responsible: "Сокулук ишкердикти колдоо борбору",
                                                                             cost: 0, note: "ТР ТС 017/2011 боюнча кеңеш"), by: actor)
        _ = try await path.addStep(to: slippers.id, StepDraft(kind: .sampling, plannedOn: day(14), responsible: "Кыргызстандарттын сыноо борбору",
                                                              cost: 350_000, note: "3 жуп үлгү"), by: actor)
        _ = try await path.addStep(to: slippers.id, StepDraft(kind: .application, plannedOn: day(40), responsible: "Группанын координатору"), by: actor)

        let approved = try await path.recordVisit(jibek, VisitDraft(visitedOn: day(-170), farm: "Жаңгак багы, Папан, №3 участок", visitors: "Ж-002, Ж-004",
                                                                    passed: ChecklistItem.allCases), by: actor)
        _ = try await path.decide(approved.id, decision: .approved, on: day(-160), sanction: .none, note: "", by: actor)
        _ = try await path.recordVisit(jibek, VisitDraft(visitedOn: day(-6), farm: "Жаңгак багы, Папан, №7 участок", visitors: "Ж-000, Ж-008",
                                                         passed: ChecklistItem.allCases.filter { $0 != .recordsKept && $0 != .bufferZone },
                                                         findings: "Журнал толтурулган эмес; коңшу талаадан буфер тилкеси жок."), by: actor)
    }
}
