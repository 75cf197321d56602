import Foundation

/// A role a user holds, with the organisation it is limited to.
public struct Grant: Hashable, Sendable, Codable {
    public let role: Role
    public let organisationID: UUID?

    public init(role: Role, organisationID: UUID? = nil) {
        self.role = role
        self.organisationID = organisationID
    }
}

/// What a user may do in the Network context. Every page and API operation asks for one.
public enum Permission: String, Sendable, CaseIterable {
    case readRegistry       // geography and organisations
    case manageGeography
    case manageOrganisations
    case readPeople
    case writePeople
    case manageUsers
    case readAudit
    case readAggregates     // counts only: never a name
    case ownRecord          // a member's own view
}

public enum AccessPolicy {
    public static func permits(_ grants: [Grant], _ permission: Permission) -> Bool {
        grants.contains { allowed(for: $0.role).contains(permission) }
    }

    /// Who runs one organisation's work (a time bank, a producer group): its coordinators and network admins.
    public static func runs(_ grants: [Grant], organisation: UUID) -> Bool {
        grants.contains { $0.role == .admin || ($0.role == .coordinator && $0.organisationID == organisation) }
    }

    public static func allowed(for role: Role) -> Set<Permission> {
        switch role {
        case .admin:
            Set(Permission.allCases).subtracting([.ownRecord])
        case .coordinator, .caseworker, .supervisor:
            [.readRegistry, .readPeople, .writePeople, .readAggregates]
        case .viewer:
            [.readAggregates]
        case .member:
            [.ownRecord]
        }
    }
}
