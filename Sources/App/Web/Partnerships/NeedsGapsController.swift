import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import Partnerships
import Vapor

/// Needs meet services: for each district, the needs women named in the baseline survey, and whether
/// any partner delivers a service that answers each there (from the agreements in force). Read across
/// two contexts, so it lives in the web layer, as a report would; counts only.
struct NeedsGapsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("needs-gaps", use: page)
    }

    /// Which services answer which need of the baseline survey's `need` list. Water has no service in
    /// the network's vocabulary: a gap wherever it is named, for the local government to hear.
    static let answeredBy: [String: [ServiceKind]] = [
        "income": [.training, .credit, .markets], "water": [], "childcare": [.childcare], "health": [.health, .psychological],
        "inputs": [.credit, .equipment], "market": [.markets, .certification], "safety": [.legal, .psychological, .crisisShelter],
    ]
    static let baseline = "ashar_baseline_needs"

    struct NeedRow: Encodable {
        let need: String
        let share: String
        let services: String
        let served: String
        let gap: Bool
    }

    struct DistrictBlock: Encodable {
        let name: String
        let respondents: String
        let needs: [NeedRow]
        let gaps: Int
    }

    struct Page: Encodable {
        let districts: [DistrictBlock]
        let formID: UUID?
    }

    @Sendable func page(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canRead)
        let lang = req.appLocale.rawValue
        guard let form = try await FormService(db: req.db).latest(formKey: Self.baseline) else {
            return try await req.render("partnerships/gaps", title: req.t("gaps.title"), Page(districts: [], formID: nil))
        }
        let tab = try await AnalysisService(db: req.db).crosstab(form: form.id, row: "needs", column: "district", weight: nil, language: lang,
                                                                labels: req.analysisLabels)
        let places = try await req.network.geography.all(level: .district)
        // The survey's districts are choices of its own list; they meet the registry's districts by name
        // ("Кара-Суу" is "Кара-Суу району").
        let placeNames = places.flatMap { p in [p.name.ky, p.name.ru, p.name.en].map { (SearchKey.fold($0), p.id) } }
        func place(named label: String) -> UUID? {
            let key = SearchKey.fold(label)
            return placeNames.first { $0.0 == key }?.1 ?? placeNames.first { $0.0.hasPrefix(key + " ") }?.1
        }
        let directory = try await AgreementService(db: req.db).directory()
        let choices = form.definition.choices[form.definition.question("district")?.choiceList ?? ""] ?? []
        let blocks: [DistrictBlock] = tab.column.categories.enumerated().compactMap { c, category in
            let respondents = tab.columnRespondents[c]
            guard respondents > 0 else { return nil }
            let labels = choices.first { $0.name == category.value }.map { Array($0.label.values) } ?? [category.label]
            let place = labels.lazy.compactMap(place(named:)).first
            let delivered = Set(directory.filter { $0.districtID == place }.map(\.service))
            let rows = tab.row.categories.enumerated().compactMap { r, need -> NeedRow? in
                let cell = tab.cells[r][c]
                guard cell.count > 0 else { return nil }
                let answering = Self.answeredBy[need.value] ?? []
                let served = answering.filter(delivered.contains)
                return NeedRow(need: need.label, share: String(format: "%.0f %%", cell.share.percent),
                               services: answering.map { req.t("partnerships.service.\($0.rawValue)") }.joined(separator: ", "),
                               served: served.map { req.t("partnerships.service.\($0.rawValue)") }.joined(separator: ", "), gap: served.isEmpty)
            }
            return DistrictBlock(name: category.label, respondents: req.catalogue.plural("analysis.respondents", count: respondents), needs: rows, gaps: rows.filter(\.gap).count)
        }
        return try await req.render("partnerships/gaps", title: req.t("gaps.title"), Page(districts: blocks, formID: form.id))
    }
}
