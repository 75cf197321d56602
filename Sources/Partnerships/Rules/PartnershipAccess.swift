import AsharNetwork

/// The stakeholder map and the agreements are the network coordinators' work; staff read them (the
/// directory of services is what referrals use); donors see the counts on the dashboard, not these.
public enum PartnershipAccess {
    public static func canManage(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator }
    }

    public static func canRead(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator || $0.role == .caseworker || $0.role == .supervisor }
    }
}
