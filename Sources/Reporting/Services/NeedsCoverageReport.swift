import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Needs
import Partnerships
import TimeBank

/// Needs meet services: the needs women named in the latest baseline survey, and what the network
/// delivers where they live — a partner's service under an agreement in force, an organisation of the
/// network, a time-bank category women offer in a village. Which services answer which need is the
/// coordinators' map (Partnerships). Counts only.
public struct NeedsCoverageReport: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// The latest baseline survey, its needs question's choices, and the map of needs to services.
    public struct Survey: Sendable {
        public let form: FormRecord
        public let needChoices: [String]
        public let mapping: [String: Set<ServiceReference>]

        /// The survey's district choice as the registry's district. The survey's districts are choices of
        /// its own list, labelled in several languages; they meet the registry's places by name.
        public func district(choice: String, fallback label: String, among districts: PlaceNames) -> UUID? {
            let list = form.definition.choices[form.definition.question("district")?.choiceList ?? ""] ?? []
            let labels = list.first { $0.name == choice }.map { Array($0.label.values).sorted() } ?? [label]
            return districts.id(named: labels)
        }
    }

    public func survey() async throws -> Survey? {
        guard let form = try await FormService(db: db).latest(formKey: NeedCoverage.baselineForm) else { return nil }
        let d = form.definition
        let needChoices = (d.choices[d.question(NeedCoverage.baselineNeeds)?.choiceList ?? ""] ?? []).map(\.name)
        return Survey(form: form, needChoices: needChoices, mapping: try await NeedCoverageService(db: db).mapping(formKey: NeedCoverage.baselineForm))
    }

    /// What the network delivers where, read from each context.
    public func presence() async throws -> ServicePresence {
        var presence = ServicePresence()
        for service in try await AgreementService(db: db).directory() {
            presence.partnerServices[service.service, default: []].insert(service.districtID)
        }
        presence.organisations = try await OrganisationService(db: db).districtsByKind()
        presence.offers = try await BoardService(db: db).offeredVillages()
        for village in try await GeographyService(db: db).all(level: .village) {
            if let district = village.districtID { presence.villageDistrict[village.id] = district }
        }
        return presence
    }

    /// Places found by a survey answer's name ("Кара-Суу" is "Кара-Суу району") in any of their languages,
    /// their names folded once: the dashboard looks up every district a survey names on each view.
    public struct PlaceNames: Sendable {
        let keyed: [(key: String, id: UUID)]

        public init(_ places: [PlaceRecord]) {
            keyed = places.flatMap { p in [p.name.ky, p.name.ru, p.name.en].map { (SearchKey.fold($0), p.id) } }
        }

        /// The place one of `labels` names, tried in order: a whole name, else a name it begins.
        public func id(named labels: [String]) -> UUID? {
            for key in labels.map(SearchKey.fold) {
                if let id = keyed.first(where: { $0.key == key })?.id ?? keyed.first(where: { $0.key.hasPrefix(key + " ") })?.id { return id }
            }
            return nil
        }
    }

    public struct Served: Sendable, Equatable {
        public var served = 0
        public var unserved = 0
    }

    /// Per registry district: the needs its respondents named (one per woman and need) that something in
    /// the network answers in the district, and those nothing answers.
    public func byDistrict() async throws -> [UUID: Served] {
        guard let survey = try await survey() else { return [:] }
        let tab = try await AnalysisService(db: db).crosstab(form: survey.form.id, row: NeedCoverage.baselineNeeds, column: "district",
                                                             weight: nil, language: "en", labels: [:])
        let presence = try await presence()
        let districts = PlaceNames(try await GeographyService(db: db).all(level: .district))
        var result: [UUID: Served] = [:]
        for (c, category) in tab.column.categories.enumerated() {
            guard let district = survey.district(choice: category.value, fallback: category.label, among: districts) else { continue }
            for (r, need) in tab.row.categories.enumerated() where tab.cells[r][c].count > 0 {
                let count = tab.cells[r][c].count
                if (survey.mapping[need.value] ?? []).contains(where: { presence.serves($0, district: district, village: nil) }) {
                    result[district, default: Served()].served += count
                } else {
                    result[district, default: Served()].unserved += count
                }
            }
        }
        return result
    }
}
