import AsharNetwork
import Certification
import FluentKit
import Foundation
import Kernel
import Partnerships
import Referrals
import TimeBank
import Training

/// Something an organisation of the network offers women, named in the reader's language by the web layer.
public enum DirectoryOffer: Hashable, Sendable {
    /// A kind of service the time bank's members offer each other.
    case category(LocalizedName)
    /// A producer group's product, named in Kyrgyz and Russian.
    case product(ky: String, ru: String)
    /// A help centre's or a specialist's service for women who ask for help.
    case help(HelpServiceKind)
    /// A service a partner agreed to deliver under an agreement in force.
    case partner(ServiceKind)
    /// A topic the Centre gave trainings or consultations on in the last year.
    case training(TrainingTopic)
}

/// One organisation of the network, or one partner outside it, with what it offers and where.
public struct DirectoryEntry: Sendable, Equatable {
    public let organisationID: UUID?
    public let name: String
    /// Nil for a partner from an agreement that is not an organisation of the network.
    public let kind: OrganisationKind?
    public let districtIDs: Set<UUID>
    public let villageID: UUID?
    /// An individual partner (an expert under an agreement): never in the public directory.
    public let isPerson: Bool
    public let offers: [DirectoryOffer]
}

/// Who offers what where, read from every context: the network's organisations with their services —
/// time-bank categories on offer, producer groups' products, help services, the Centre's training
/// topics — and the partners' services under agreements in force. Organisations and services only.
public struct NetworkDirectory: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// The tables `entries` reads: a write to any of them changes the directory's stamp.
    static let sources = [
        "organisations", "places", "timebank_listings", "timebank_categories", "certification_products", "referrals_services",
        "training_sessions", "training_consultations", "partnerships_stakeholders", "partnerships_agreements",
        "partnerships_agreement_parties", "partnerships_obligations", "partnerships_services",
    ]
    static let stampName = "directory"

    /// Changes whenever `entries(today:)` may: on a write to any of its tables, and with the day (what is
    /// in force and what was given in the last year). Nil where nothing keeps the stamp.
    public func version(today: String = BishkekCalendar.day(of: Date())) async throws -> String? {
        try await ChangeStamps.current(Self.stampName, on: db).map { $0 + " " + today }
    }

    public func entries(today: String = BishkekCalendar.day(of: Date())) async throws -> [DirectoryEntry] {
        var offers: [UUID: [DirectoryOffer]] = [:]

        let offered = try await BoardService(db: db).offeredCategories()
        let categories = try await CategoryService(db: db).lookup(Set(offered.values.joined()))
        for (bank, offeredThere) in offered {
            offers[bank, default: []] += offeredThere.compactMap { categories[$0] }.sorted { $0.name.en < $1.name.en }.map { .category($0.name) }
        }
        for product in try await ProductService(db: db).products(page: PageQuery(page: 1, per: 100_000)).items {
            offers[product.draft.organisationID, default: []].append(.product(ky: product.draft.nameKy, ru: product.draft.nameRu))
        }
        for service in try await DirectoryService(db: db).services(activeOnly: true) {
            if let organisation = service.draft.organisationID { offers[organisation, default: []].append(.help(service.draft.kind)) }
        }
        let yearAgo = BishkekCalendar.adding(days: -365, to: today)
        var topics: [UUID: Set<TrainingTopic>] = [:]
        for session in try await TrainingService(db: db).sessions(from: yearAgo, to: today) { topics[session.draft.organisationID, default: []].insert(session.draft.topic) }
        for consultation in try await TrainingService(db: db).consultations(from: yearAgo, to: today) {
            topics[consultation.draft.organisationID, default: []].insert(consultation.draft.topic)
        }
        for (centre, given) in topics { offers[centre, default: []] += TrainingTopic.allCases.filter(given.contains).map { .training($0) } }

        // Partners' services: on the partner's own organisation when it is one of the network's, else on an entry of its own.
        let stakeholders = Dictionary(uniqueKeysWithValues: try await StakeholderService(db: db).all().map { ($0.id, $0) })
        var partners: [UUID: (districts: Set<UUID>, services: [ServiceKind])] = [:]
        for service in try await AgreementService(db: db).directory(today: today) {
            partners[service.stakeholderID, default: ([], [])].districts.insert(service.districtID)
            partners[service.stakeholderID, default: ([], [])].services.append(service.service)
        }
        let organisations = try await OrganisationService(db: db).all().filter(\.inNetwork)
        let known = Set(organisations.map(\.id))
        var entries: [DirectoryEntry] = []
        for (id, partner) in partners {
            guard let stakeholder = stakeholders[id] else { continue }
            let services = ServiceKind.allCases.filter(partner.services.contains).map { DirectoryOffer.partner($0) }
            if let organisation = stakeholder.draft.organisationID, known.contains(organisation) {
                offers[organisation, default: []] += services
            } else {
                entries.append(DirectoryEntry(organisationID: nil, name: stakeholder.draft.name, kind: nil, districtIDs: partner.districts,
                                              villageID: nil, isPerson: stakeholder.draft.isPerson, offers: services))
            }
        }
        for organisation in organisations {
            var seen = Set<DirectoryOffer>()
            entries.append(DirectoryEntry(organisationID: organisation.id, name: organisation.name, kind: organisation.kind, districtIDs: [organisation.districtID],
                                          villageID: organisation.villageID, isPerson: false,
                                          offers: (offers[organisation.id] ?? []).filter { seen.insert($0).inserted }))
        }
        return entries.sorted { ($0.name, $0.organisationID?.uuidString ?? "") < ($1.name, $1.organisationID?.uuidString ?? "") }
    }
}
