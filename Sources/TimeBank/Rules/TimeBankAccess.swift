import AsharNetwork
import Foundation

/// Who may do what in a time bank: its coordinators and network admins run it; a member reads her own.
public enum TimeBankAccess {
    public static func canManage(_ grants: [Grant], bank: UUID) -> Bool {
        AccessPolicy.runs(grants, organisation: bank)
    }

    /// Who decides on a member's own record of an exchange in this bank: its staff for the bank, a
    /// member for herself; nil for anyone else.
    public static func claimDecider(_ grants: [Grant], personID: UUID?, bank: UUID) -> ClaimDecider? {
        if canManage(grants, bank: bank) { return .staff }
        return personID.map { .person($0) }
    }

    /// Overriding a credit limit needs a network admin and a written reason.
    public static func canOverrideLimits(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin }
    }
}
