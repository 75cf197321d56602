import AsharNetwork

/// Who may do what with surveys: forms are designed by network admins and coordinators; staff read them.
/// Submissions (answers about women's households) will follow the people registry's rules.
public enum NeedsAccess {
    public static func canManageForms(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator }
    }

    public static func canReadForms(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role != .member }
    }
}
