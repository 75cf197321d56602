import AsharNetwork
import Foundation

/// Something in the network that can answer a need: a service partners agreed to deliver, an
/// organisation of a kind (a producer group answers "inputs" with its joint purchases), or a time-bank
/// category women offer each other. Stored as text: `service:legal`, `organisation:help_centre`,
/// `category:<id>`.
public enum ServiceReference: Hashable, Sendable {
    case service(ServiceKind)
    case organisation(OrganisationKind)
    case category(UUID)

    public init?(code: String) {
        let parts = code.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return nil }
        switch parts[0] {
        case "service": guard let kind = ServiceKind(rawValue: parts[1]) else { return nil }; self = .service(kind)
        case "organisation": guard let kind = OrganisationKind(rawValue: parts[1]) else { return nil }; self = .organisation(kind)
        case "category": guard let id = UUID(uuidString: parts[1]) else { return nil }; self = .category(id)
        default: return nil
        }
    }

    public var code: String {
        switch self {
        case .service(let kind): "service:\(kind.rawValue)"
        case .organisation(let kind): "organisation:\(kind.rawValue)"
        case .category(let id): "category:\(id.uuidString.lowercased())"
        }
    }

    /// The organisations of the network that serve women directly, and so can answer a need.
    public static let organisationKinds: [OrganisationKind] = [.entrepreneurshipCentre, .timeBank, .producerGroup, .helpCentre]
}

/// Which needs of the baseline survey each service answers, as Ashar ships it; coordinators change it.
/// Water has no answer in the network's own vocabulary: a gap wherever it is named, for the local
/// government to hear.
public enum NeedCoverage {
    public static let baselineForm = "ashar_baseline_needs"
    public static let baselineNeeds = "needs"

    public static let defaults: [String: [ServiceReference]] = [
        "income": [.service(.training), .service(.credit), .service(.markets), .organisation(.entrepreneurshipCentre)],
        "water": [],
        "childcare": [.service(.childcare)],
        "health": [.service(.health), .service(.psychological)],
        "inputs": [.service(.credit), .service(.equipment), .organisation(.producerGroup)],
        "market": [.service(.markets), .service(.certification), .organisation(.producerGroup)],
        "safety": [.service(.legal), .service(.psychological), .service(.crisisShelter), .organisation(.helpCentre)],
    ]
}

/// Where the network answers what, and the rule that says whether a need is served in a district or
/// in one of its villages. Partners' services and organisations serve their whole district; a time-bank
/// category serves the villages where a woman offers it.
public struct ServicePresence: Sendable {
    /// Districts each partner service is delivered in (agreements in force).
    public var partnerServices: [ServiceKind: Set<UUID>] = [:]
    /// Districts with an organisation of each kind.
    public var organisations: [OrganisationKind: Set<UUID>] = [:]
    /// Villages where a category is offered on a time bank's board.
    public var offers: [UUID: Set<UUID>] = [:]
    /// Each village's district.
    public var villageDistrict: [UUID: UUID] = [:]

    public init() {}

    /// `village` nil: anywhere in the district (a village the registry does not know is judged so).
    public func serves(_ reference: ServiceReference, district: UUID, village: UUID?) -> Bool {
        switch reference {
        case .service(let kind): partnerServices[kind]?.contains(district) ?? false
        case .organisation(let kind): organisations[kind]?.contains(district) ?? false
        case .category(let id):
            if let village { offers[id]?.contains(village) ?? false } else { offers[id]?.contains { villageDistrict[$0] == district } ?? false }
        }
    }
}
