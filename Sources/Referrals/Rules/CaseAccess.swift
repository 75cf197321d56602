import AsharNetwork
import Foundation

/// Need to know. A case is seen whole only by the case workers of the help centre that holds it; the
/// case workers of an organisation it was referred to see what the woman's consent lets them see; a
/// time bank's or producer group's staff who asked for help see only that the request was received;
/// everyone else — network admins included — sees counts, and a case they may not see does not exist.
public enum CaseAccess {
    /// The organisations whose case worker (or case supervisor) the user is.
    public static func caseworkerOrganisations(_ grants: [Grant]) -> Set<UUID> {
        Set(grants.filter { $0.role == .caseworker || $0.role == .supervisor }.compactMap(\.organisationID))
    }

    public static func supervises(_ grants: [Grant], organisation: UUID) -> Bool {
        grants.contains { $0.role == .supervisor && $0.organisationID == organisation }
    }

    /// The organisations whose staff may ask a help centre for help for a woman: their coordinators.
    public static func requestingOrganisations(_ grants: [Grant]) -> Set<UUID> {
        Set(grants.filter { $0.role == .coordinator }.compactMap(\.organisationID))
    }

    public static func isCaseworker(_ grants: [Grant]) -> Bool { !caseworkerOrganisations(grants).isEmpty }

    /// Counts by situation, district, service and status: anyone who reads the network's aggregates.
    public static func canReadReport(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role != .member }
    }

    /// The directory of services is read by all staff (it is what referrals and help requests use) and
    /// kept by network admins, coordinators and case supervisors.
    public static func canReadDirectory(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role != .member && $0.role != .viewer }
    }

    public static func canManageDirectory(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator || $0.role == .supervisor }
    }
}

/// How much of one case a user sees.
public enum CaseSight: Sendable, Equatable {
    /// A case worker of the holding help centre: everything.
    case holder
    /// A case worker of an organisation it was referred to: what the consents behind those referrals cover.
    case receiver(Set<ConsentScope>)

    public func shows(_ scope: ConsentScope) -> Bool {
        switch self {
        case .holder: true
        case .receiver(let scopes): scopes.contains(scope)
        }
    }
}
