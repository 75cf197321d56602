import AsharNetwork

/// Who may do what with surveys: forms and imports are managed by network admins and coordinators;
/// staff (and enumerators among them) fill forms in; the submissions themselves are read by admins and
/// coordinators; everyone but members, donors among them, reads forms and the analysis (counts only).
public enum NeedsAccess {
    public static func canManageForms(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator }
    }

    public static func canReadForms(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role != .member }
    }

    public static func canCollect(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator || $0.role == .caseworker || $0.role == .supervisor }
    }

    public static func canReadSubmissions(_ grants: [Grant]) -> Bool { canManageForms(grants) }
}
