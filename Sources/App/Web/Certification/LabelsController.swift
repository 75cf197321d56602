import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Packaging labels to print: one A4 sheet of labels of a batch, in Kyrgyz or Russian, with every
/// field TR CU 022/2011 requires, the batch's QR code, and the EAC mark only while a valid
/// declaration covers the product. The check of missing fields comes first, above the sheet.
struct LabelsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("products", ":id", "labels", use: sheet)
    }

    /// Label sizes in millimetres and how many fit an A4 sheet (186 × 273 mm inside the margins).
    enum Size: String, CaseIterable {
        case small, medium, large

        var perSheet: Int {
            switch self {
            case .small: 18   // 58 × 40 mm, 3 × 6
            case .medium: 8   // 90 × 62 mm, 2 × 4
            case .large: 2    // 186 × 130 mm, 1 × 2
            }
        }
    }

    struct Line: Encodable {
        let caption: String
        let value: String
        let missing: Bool
    }

    struct SheetPage: Encodable {
        let productID: UUID
        let productName: String
        let lang: String
        let size: String
        let labels: [Int]
        let name: String
        let lines: [Line]
        let missing: [String]
        let eac: Bool
        let qr: String?
        let url: String?
        let brand: String?
        let brandColour: String?
        let brandLogo: UUID?
        let languages: [Choice]
        let sizes: [Choice]
        let batches: [Choice]
        let batchID: String
    }

    @Sendable func sheet(req: Request) async throws -> Response {
        _ = try req.grants(CertificationAccess.canManage)
        let id = try req.pathID()
        let language = LabelLanguage(rawValue: req.query["lang"] ?? "") ?? (req.appLocale.rawValue == "ky" ? .ky : .ru)
        let size = Size(rawValue: req.query["size"] ?? "") ?? .medium
        let products = ProductService(db: req.db)
        let product = try await products.product(id)
        let batches = try await BatchService(db: req.db).batches(of: id)
        let label = try await products.label(id, batch: req.uuid(req.query["batch"]), language: language)
        let brand = try await product.draft.brandID.asyncMap { try await BrandService(db: req.db).brand($0) }
        // Captions speak the label's language, whatever the page's.
        let captions = Translations.bundled[AppLocale(rawValue: language.rawValue) ?? .ru]
        let content = label.content
        let lines = LabelField.allCases.filter { $0 != .name }.map { field -> Line in
            let value = field == .netQuantity
                ? product.draft.netQuantity.map { "\($0) " + captions.text("certification.unit.\(product.draft.netUnit.rawValue)") } ?? ""
                : content.value(field)
            return Line(caption: captions.text("certification.field.\(field.rawValue)"), value: value, missing: value.isEmpty)
        }
        let url = label.batch.map { req.publicURL(forBatch: $0.code) }
        return try await req.render("certification/labels", title: req.t("certification.labels"), SheetPage(
            productID: id, productName: req.productName(product), lang: language.rawValue, size: size.rawValue, labels: Array(0..<size.perSheet),
            name: content.name, lines: lines, missing: content.missing.map { req.t("certification.field.\($0.rawValue)") }, eac: label.eac,
            qr: try url.map { try QRCode($0).svg(moduleSize: 3) }, url: url, brand: brand?.name, brandColour: brand?.primaryColour,
            brandLogo: brand?.logo == nil ? nil : brand?.id,
            languages: LabelLanguage.allCases.map { Choice(value: $0.rawValue, label: AppLocale(rawValue: $0.rawValue)?.nativeName ?? $0.rawValue, selected: $0 == language) },
            sizes: Size.allCases.map { Choice(value: $0.rawValue, label: req.catalogue.plural("certification.size.\($0.rawValue)", count: $0.perSheet), selected: $0 == size) },
            batches: batches.map { Choice(value: $0.id.uuidString, label: "\($0.batchNumber) · \($0.producedOn)", selected: $0.id == label.batch?.id) },
            batchID: label.batch?.id.uuidString ?? ""))
    }
}
