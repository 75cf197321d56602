import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Partnerships
import Referrals
import Reporting
import Synchronization
import Training
import Vapor

/// Who offers what where: every organisation of the network and every partner under an agreement in
/// force, with its services, by district and village, searchable in Kyrgyz, Russian or English whatever
/// the page's language. Open to anyone: organisations and services only, never a person. Staff who read
/// the registry see each organisation's address, phone and contact besides, and individual partners.
/// The public never sees which village a help centre is in: a crisis centre's place is kept from those
/// a woman may be hiding from.
struct NetworkDirectoryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("directory", use: page)
    }

    struct Entry: Encodable {
        let name: String
        let kind: String
        let place: String
        let offers: String
        let contact: String?
    }

    struct DirectoryPage: Encodable {
        let q: String
        let districts: [Choice]
        let district: String
        let rows: [Entry]
        let found: String
        let pager: Pager
        let isStaff: Bool
    }

    @Sendable func page(req: Request) async throws -> Response {
        let isStaff = req.currentUser.map { AccessPolicy.permits($0.grants.map(\.grant), .readRegistry) } ?? false
        let q = ((req.query["q"] as String?) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        let district = req.uuid(req.query["district"])
        let lang = req.appLocale.rawValue
        let directory = try await DirectorySearch.load(req, isStaff: isStaff)
        let matching = directory.matching(q, district: district)
        let paging = PageQuery(page: req.query["page"], per: 50)
        let shown = matching.dropFirst(paging.offset).prefix(paging.per)
        let organisations = isStaff ? try await req.network.organisations.lookup(shown.compactMap(\.organisationID)) : [:]
        let rows = shown.map { entry in
            let place = ([directory.village(entry)].compactMap { $0 } + entry.districtIDs.sorted { $0.uuidString < $1.uuidString })
                .compactMap { directory.places[$0]?.name.named(lang) }.joined(separator: ", ")
            let contact = entry.organisationID.flatMap { organisations[$0] }.map { o in
                [o.address, o.phone, o.email, o.contactPerson].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " · ")
            }
            return Entry(name: entry.name, kind: DirectorySearch.kindLabel(entry, req.catalogue), place: place,
                         offers: entry.offers.map { DirectorySearch.label($0, req.appLocale) }.joined(separator: ", "),
                         contact: contact?.isEmpty == false ? contact : nil)
        }
        let districtChoices = Set(directory.entries.flatMap(\.districtIDs)).compactMap { directory.places[$0] }.sorted { $0.name.named(lang) < $1.name.named(lang) }
        return try await req.render("reporting/directory", title: req.t("directory.title"), DirectoryPage(
            q: q,
            districts: [Choice(value: "", label: req.t("directory.all-districts"), selected: district == nil)]
                + districtChoices.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id == district) },
            district: district?.uuidString ?? "", rows: Array(rows),
            found: req.catalogue.plural("directory.found", count: matching.count),
            pager: Pager(page: paging.page, pageCount: max(1, (matching.count + paging.per - 1) / paging.per), total: matching.count),
            isStaff: isStaff))
    }
}

/// The directory as one reader may see it (the public: no individual partner, no help centre's village),
/// and its search: every word of the query found in the organisation's name, kind, services or places,
/// in any of the three languages. The web page and the API read it alike.
struct DirectorySearch: Sendable {
    let entries: [DirectoryEntry]
    let places: [UUID: PlaceRecord]
    let isStaff: Bool
    /// What each entry is found by: its name, kind, services and places in the three languages, folded,
    /// each word after a space.
    let texts: [String]

    init(entries: [DirectoryEntry], places: [UUID: PlaceRecord], isStaff: Bool) {
        self.entries = entries
        self.places = places
        self.isStaff = isStaff
        texts = entries.map { entry in
            let shownPlaces = (Array(entry.districtIDs) + [Self.village(entry, isStaff: isStaff)].compactMap { $0 }).compactMap { places[$0] }
            let names = [entry.name] + shownPlaces.flatMap { [$0.name.ky, $0.name.ru, $0.name.en] } + AppLocale.allCases.flatMap { locale in
                [Self.kindLabel(entry, Translations.bundled[locale])] + entry.offers.map { Self.label($0, locale) }
            }
            return " " + SearchKey.fold(names.joined(separator: " "))
        }
    }

    /// The directory as last read for the public and for staff, with the version it was read at: reading,
    /// naming and folding a country's 2,200 organisations took most of each view's 40 ms.
    private static let kept = Mutex<[Bool: (version: String, search: DirectorySearch)]>([:])

    static func load(_ req: Request, isStaff: Bool) async throws -> DirectorySearch {
        let directory = NetworkDirectory(db: req.db)
        let version = try await directory.version()
        if let version, let kept = kept.withLock({ $0[isStaff] }), kept.version == version { return kept.search }
        let entries = try await directory.entries().filter { isStaff || !$0.isPerson }
        let places = try await req.network.geography.lookup(Set(entries.flatMap(\.districtIDs) + entries.compactMap(\.villageID)))
        let search = DirectorySearch(entries: entries, places: places, isStaff: isStaff)
        if let version { kept.withLock { $0[isStaff] = (version, search) } }
        return search
    }

    /// The village shown for an entry: a crisis centre's place is kept from those a woman may be hiding from.
    func village(_ entry: DirectoryEntry) -> UUID? { Self.village(entry, isStaff: isStaff) }

    static func village(_ entry: DirectoryEntry, isStaff: Bool) -> UUID? { isStaff || entry.kind != .helpCentre ? entry.villageID : nil }

    func matching(_ q: String, district: UUID?) -> [DirectoryEntry] {
        let words = SearchKey.fold(q).split(separator: " ").map { " " + $0 }
        return zip(entries, texts).filter { entry, text in
            guard district == nil || entry.districtIDs.contains(district!) else { return false }
            // Every word of the query begins a word of the entry's text.
            return words.allSatisfy(text.contains)
        }.map(\.0)
    }

    /// An offer's name in one language.
    static func label(_ offer: DirectoryOffer, _ locale: AppLocale) -> String {
        let catalogue = Translations.bundled[locale]
        switch offer {
        case .category(let name): return name.named(locale.rawValue)
        case .product(let ky, let ru): return locale == .ky ? (ky.isEmpty ? ru : ky) : (ru.isEmpty ? ky : ru)
        case .help(let kind): return catalogue.text("referrals.kind.\(kind.rawValue)")
        case .partner(let kind): return catalogue.text("partnerships.service.\(kind.rawValue)")
        case .training(let topic): return catalogue.text("training.topic.\(topic.rawValue)")
        }
    }

    static func kindLabel(_ entry: DirectoryEntry, _ catalogue: Catalogue) -> String {
        entry.kind.map { catalogue.text("organisation.kind.\($0.rawValue)") } ?? catalogue.text("directory.partner")
    }
}
