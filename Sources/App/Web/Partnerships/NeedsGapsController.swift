import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import Partnerships
import Reporting
import TimeBank
import Vapor

/// Needs meet services: for each district and each of its villages, the needs women named in the
/// baseline survey, and whether anything in the network answers each there — a partner's service under
/// an agreement in force, an organisation of the network, a time-bank category women offer in that
/// village. Which services answer which need is the coordinators' map, edited on its own page. Read
/// across contexts, so it lives in the web layer, as a report would; counts only.
struct NeedsGapsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("needs-gaps", use: page)
        routes.get("needs-gaps", "services", use: mapping)
        routes.post("needs-gaps", "services", use: saveMapping)
    }

    struct NeedRow: Encodable {
        let need: String
        let share: String
        let services: String
        let served: String
        let gap: Bool
    }

    struct VillageRow: Encodable {
        let name: String
        let respondents: Int
        let small: Bool
        let gaps: String
    }

    struct DistrictBlock: Encodable {
        let name: String
        let respondents: String
        let needs: [NeedRow]
        let gaps: Int
        let villages: [VillageRow]
    }

    struct Page: Encodable {
        let districts: [DistrictBlock]
        let formID: UUID?
        let canManage: Bool
    }

    @Sendable func page(req: Request) async throws -> Response {
        let grants = try req.grants(PartnershipAccess.canRead)
        let canManage = PartnershipAccess.canManage(grants)
        let coverage = NeedsCoverageReport(db: req.db)
        guard let survey = try await coverage.survey() else {
            return try await req.render("partnerships/gaps", title: req.t("gaps.title"), Page(districts: [], formID: nil, canManage: canManage))
        }
        let lang = req.appLocale.rawValue
        let analysis = AnalysisService(db: req.db)
        func crosstab(_ row: String, _ column: String) async throws -> CrossTab {
            try await analysis.crosstab(form: survey.form.id, row: row, column: column, weight: nil, language: lang, labels: req.analysisLabels)
        }
        let byDistrict = try await crosstab(NeedCoverage.baselineNeeds, "district")
        let byVillage = try await crosstab(NeedCoverage.baselineNeeds, "village")
        let villageDistricts = try await crosstab("village", "district")
        let presence = try await coverage.presence()
        let names = try await referenceNames(req)
        let districtNames = NeedsCoverageReport.PlaceNames(try await req.network.geography.all(level: .district))
        let villages = try await req.network.geography.all(level: .village)
        func answers(_ need: String) -> [ServiceReference] {
            (survey.mapping[need] ?? []).sorted { (names[$0] ?? "") < (names[$1] ?? "") }
        }
        // Each village's district: the one most of its respondents named.
        let homeDistrict: [String: Int] = Dictionary(uniqueKeysWithValues: villageDistricts.row.categories.indices.compactMap { v in
            let counts = villageDistricts.cells[v].map(\.count)
            guard let most = counts.max(), most > 0, let c = counts.firstIndex(of: most) else { return nil }
            return (villageDistricts.row.categories[v].value, c)
        })

        let blocks: [DistrictBlock] = byDistrict.column.categories.enumerated().compactMap { c, category in
            let respondents = byDistrict.columnRespondents[c]
            guard respondents > 0 else { return nil }
            let district = survey.district(choice: category.value, fallback: category.label, among: districtNames)
            func served(_ need: String, village: UUID?) -> [ServiceReference] {
                guard let district else { return [] }
                return answers(need).filter { presence.serves($0, district: district, village: village) }
            }
            let needs = byDistrict.row.categories.enumerated().compactMap { r, need -> NeedRow? in
                let cell = byDistrict.cells[r][c]
                guard cell.count > 0 else { return nil }
                let serving = served(need.value, village: nil)
                return NeedRow(need: need.label, share: String(format: "%.0f %%", cell.share.percent),
                               services: answers(need.value).isEmpty ? "—" : answers(need.value).compactMap { names[$0] }.joined(separator: ", "),
                               served: serving.compactMap { names[$0] }.joined(separator: ", "), gap: serving.isEmpty)
            }
            let ownVillages = NeedsCoverageReport.PlaceNames(villages.filter { $0.districtID == district })
            let villageRows = byVillage.column.categories.enumerated().compactMap { v, village -> VillageRow? in
                guard homeDistrict[village.value] == c, byVillage.columnRespondents[v] > 0 else { return nil }
                let registered = ownVillages.id(named: [village.label])
                let unserved = byVillage.row.categories.enumerated().filter { r, need in
                    byVillage.cells[r][v].count > 0 && served(need.value, village: registered).isEmpty
                }.map { r, need in "\(need.label) (\(byVillage.cells[r][v].count))" }
                let count = byVillage.columnRespondents[v]
                return VillageRow(name: village.label, respondents: count, small: count < smallCell,
                                  gaps: unserved.isEmpty ? req.t("gaps.village-none") : unserved.joined(separator: ", "))
            }
            return DistrictBlock(name: category.label, respondents: req.catalogue.plural("analysis.respondents", count: respondents),
                                 needs: needs, gaps: needs.filter(\.gap).count, villages: villageRows)
        }
        return try await req.render("partnerships/gaps", title: req.t("gaps.title"), Page(districts: blocks, formID: survey.form.id, canManage: canManage))
    }

    /// Everything a need can be answered by, with its name in the reader's language, in the order the
    /// map page lists them: partners' services, the network's organisations, time-bank categories.
    func references(_ req: Request) async throws -> [(group: String, reference: ServiceReference, name: String)] {
        let lang = req.appLocale.rawValue
        return ServiceKind.allCases.map { ("gaps.group.services", .service($0), req.t("partnerships.service.\($0.rawValue)")) }
            + ServiceReference.organisationKinds.map { ("gaps.group.organisations", .organisation($0), req.t("organisation.kind.\($0.rawValue)")) }
            + (try await CategoryService(db: req.db).available(to: nil)).map {
                ("gaps.group.categories", .category($0.id), req.t("gaps.category", ["name": $0.name.named(lang)]))
            }
    }

    func referenceNames(_ req: Request) async throws -> [ServiceReference: String] {
        Dictionary(try await references(req).map { ($0.reference, $0.name) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: - The map of needs to services

    struct MappingForm: Content {
        var need: String?
        var refs: [String]?
    }

    struct ReferenceGroup: Encodable {
        let title: String
        let options: [Choice]
    }

    struct NeedMapping: Encodable {
        let value: String
        let label: String
        let groups: [ReferenceGroup]
    }

    struct MappingPage: Encodable {
        let needs: [NeedMapping]
        let saved: String?
        let error: String?
    }

    @Sendable func mapping(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        return try await renderMapping(req, saved: req.query["saved"], failed: nil)
    }

    func renderMapping(_ req: Request, saved: String?, failed: (need: String, refs: Set<String>, message: String)?) async throws -> Response {
        guard let survey = try await NeedsCoverageReport(db: req.db).survey() else { throw Abort(.notFound) }
        let d = survey.form.definition, lang = req.appLocale.rawValue
        let needList = d.choices[d.question(NeedCoverage.baselineNeeds)?.choiceList ?? ""] ?? []
        let references = try await references(req)
        let groupTitles = ["gaps.group.services", "gaps.group.organisations", "gaps.group.categories"]
        let needs = needList.map { need in
            let chosen = failed?.need == need.name ? failed!.refs : Set((survey.mapping[need.name] ?? []).map(\.code))
            return NeedMapping(value: need.name, label: d.label(of: need, lang), groups: groupTitles.map { group in
                ReferenceGroup(title: req.t(group), options: references.filter { $0.group == group }.map {
                    Choice(value: $0.reference.code, label: $0.name, selected: chosen.contains($0.reference.code))
                })
            })
        }
        let savedLabel = saved.flatMap { name in needList.first { $0.name == name } }.map { req.t("gaps.map.saved", ["need": d.label(of: $0, lang)]) }
        return try await req.render("partnerships/need-services", title: req.t("gaps.map.title"), MappingPage(needs: needs, saved: savedLabel, error: failed?.message),
                                    status: failed == nil ? .ok : .unprocessableEntity)
    }

    @Sendable func saveMapping(req: Request) async throws -> Response {
        _ = try req.grants(PartnershipAccess.canManage)
        let form = try req.content.decode(MappingForm.self)
        guard let survey = try await NeedsCoverageReport(db: req.db).survey() else { throw Abort(.notFound) }
        let need = form.need ?? ""
        let codes = Set(form.refs ?? [])
        // Only what the page offered: a made-up code or a category that is gone changes nothing.
        let offered = Set(try await references(req).map(\.reference.code))
        guard survey.needChoices.contains(need) else {
            return try await renderMapping(req, saved: nil, failed: (need, codes, req.t("error.partnerships.need.unknown")))
        }
        guard codes.isSubset(of: offered) else {
            return try await renderMapping(req, saved: nil, failed: (need, codes, req.t("error.partnerships.need.reference-unknown")))
        }
        try await NeedCoverageService(db: req.db).setAnswers(formKey: NeedCoverage.baselineForm, need: need,
                                                            to: Set(codes.compactMap(ServiceReference.init(code:))), by: req.actor)
        return req.redirect(to: "/needs-gaps/services?saved=\(need)#need-\(need)")
    }
}
