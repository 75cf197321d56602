import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// The page a batch's QR code opens, for anyone without a login: the product, the group that made it
/// and its village, the batch, and whether its documents are valid today. A woman is named only with
/// her consent.
struct PublicBatchController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("p", ":code", use: show)
    }

    struct DocumentLine: Encodable {
        let title: String
        let registration: String
        let expiresOn: String
        let valid: Bool
    }

    struct PublicPage: Encodable {
        let name: String
        let otherName: String
        let category: String
        let organic: Bool
        let brand: String?
        let brandLogo: UUID?
        let group: String
        let place: String
        let maker: String?
        let batchNumber: String
        let producedOn: String
        let bestBefore: String
        let code: String
        let documentsValid: Bool
        let verdict: String
        let documents: [DocumentLine]
    }

    @Sendable func show(req: Request) async throws -> Response {
        let seen = try await BatchService(db: req.db).publicBatch(req.parameters.get("code") ?? "")
        let lang = req.appLocale.rawValue
        let name = req.productName(seen.product)
        return try await req.render("certification/public-batch", title: name, PublicPage(
            name: name, otherName: lang == "ky" ? seen.product.draft.nameRu : seen.product.draft.nameKy,
            category: req.t("certification.category.\(seen.product.draft.category.rawValue)"), organic: seen.product.draft.organic,
            brand: seen.brand?.name, brandLogo: seen.brand?.logo == nil ? nil : seen.brand?.id, group: seen.groupName,
            place: [seen.village, seen.district].compactMap { $0?.name.named(lang) }.joined(separator: ", "), maker: seen.maker,
            batchNumber: seen.batch.batchNumber, producedOn: seen.batch.producedOn, bestBefore: seen.batch.bestBefore, code: seen.batch.code,
            documentsValid: seen.documentsValid,
            verdict: req.t(seen.documentsValid ? "certification.public.valid" : "certification.public.not-valid", ["date": BishkekCalendar.day(of: Date())]),
            documents: seen.documents.map {
                DocumentLine(title: req.documentTitle($0.document), registration: $0.document.draft.registrationNumber,
                             expiresOn: $0.document.draft.expiresOn, valid: $0.valid)
            }))
    }
}
