import Foundation

/// What a specialised service does.
public enum HelpServiceKind: String, Codable, Sendable, CaseIterable {
    case psychosocial, legalAid = "legal_aid", medical, crisisShelter = "crisis_shelter", policeLiaison = "police_liaison"
    case livelihoods, microfinance, childcare
}

/// What a woman asks for help with. Codes, never free text: they are what reports count.
public enum Situation: String, Codable, Sendable, CaseIterable {
    case domesticViolence = "domestic_violence", psychological, legal, health, economic, shelter, childcare

    /// The services that answer it, in the order a case worker would usually try them.
    public var answeredBy: [HelpServiceKind] {
        switch self {
        case .domesticViolence: [.psychosocial, .crisisShelter, .legalAid, .policeLiaison]
        case .psychological: [.psychosocial]
        case .legal: [.legalAid]
        case .health: [.medical]
        case .economic: [.livelihoods, .microfinance]
        case .shelter: [.crisisShelter]
        case .childcare: [.childcare]
        }
    }
}

public enum RiskLevel: String, Codable, Sendable, CaseIterable {
    case low, medium, high
}

public enum CaseStatus: String, Codable, Sendable, CaseIterable {
    case open, closed
}

/// How it ended, for a referral done and for a case closed: codes the reports count.
public enum Outcome: String, Codable, Sendable, CaseIterable {
    case helped, partlyHelped = "partly_helped", notHelped = "not_helped", lostContact = "lost_contact"
}

/// What a consent lets the receiving organisation see.
public enum ConsentScope: String, Codable, Sendable, CaseIterable {
    case situation, preferences, notes, identity
}

public enum ConsentGiven: String, Codable, Sendable, CaseIterable {
    case spoken, written, interpreter
}

/// Sent → accepted or declined → done; revoked by the sender while it is sent or accepted.
public enum ReferralStatus: String, Codable, Sendable, CaseIterable {
    case sent, accepted, declined, done, revoked

    public enum Action: String, Sendable, CaseIterable {
        case accept, decline, done, revoke

        /// Who may take it: the receiving organisation, or the one that sent it.
        public var byReceiver: Bool { self != .revoke }
    }

    /// The status after `action`, or nil when it does not apply now.
    public func after(_ action: Action) -> ReferralStatus? {
        switch (self, action) {
        case (.sent, .accept): .accepted
        case (.sent, .decline): .declined
        case (.accepted, .done): .done
        case (.sent, .revoke), (.accepted, .revoke): .revoked
        default: nil
        }
    }

    /// Still moving: the receiver is, or may soon be, working with her.
    public var isLive: Bool { self == .sent || self == .accepted }
}

/// What the woman asked for about who helps her and how to reach her. All of it is sealed at rest.
public struct Preferences: Codable, Sendable, Equatable {
    /// `female`, `male` or nil (no preference).
    public var providerSex: String?
    /// ky, ru, en…: the languages she wants to be helped in.
    public var languages: [String]
    public var safeContact: String?
    public var safeTime: String?
    /// What must never happen ("never call the home number").
    public var never: String?

    public init(providerSex: String? = nil, languages: [String] = [], safeContact: String? = nil, safeTime: String? = nil, never: String? = nil) {
        self.providerSex = providerSex
        self.languages = languages
        self.safeContact = safeContact
        self.safeTime = safeTime
        self.never = never
    }
}

/// One consent as the rules read it.
public struct ConsentTerms: Sendable, Equatable {
    public let recipientOrganisationID: UUID?
    public let scope: Set<ConsentScope>
    public let expiresOn: String?
    public let withdrawn: Bool

    public init(recipientOrganisationID: UUID?, scope: Set<ConsentScope>, expiresOn: String?, withdrawn: Bool) {
        self.recipientOrganisationID = recipientOrganisationID
        self.scope = scope
        self.expiresOn = expiresOn
        self.withdrawn = withdrawn
    }

    /// Whether it lets a referral go to `organisation` today: the same recipient, not withdrawn, not
    /// past its end, and at least her situation may be shared (a referral says why she is sent).
    public func covers(recipient organisation: UUID?, today: String) -> Bool {
        !withdrawn && recipientOrganisationID == organisation && scope.contains(.situation) && (expiresOn.map { $0 >= today } ?? true)
    }
}

/// A service as the matching reads it.
public struct ServiceFacts: Sendable {
    public let id: UUID
    public let kind: HelpServiceKind
    public let districtIDs: Set<UUID>
    public let languages: Set<String>
    public let womanStaff: Bool
    public let active: Bool

    public init(id: UUID, kind: HelpServiceKind, districtIDs: Set<UUID>, languages: Set<String>, womanStaff: Bool, active: Bool) {
        (self.id, self.kind, self.districtIDs, self.languages, self.womanStaff, self.active) = (id, kind, districtIDs, languages, womanStaff, active)
    }
}

/// The services Ashar proposes for a case: those that answer one of her situations, best first — in
/// her district, in a language she asked for, with a woman on staff when she asked for one. A service
/// elsewhere is still listed (she may travel), below those nearby.
public enum Matching {
    public struct Proposal: Sendable, Equatable {
        public let serviceID: UUID
        public let inDistrict: Bool
        public let speaksHerLanguage: Bool
        public let meetsSexPreference: Bool
        public var score: Int { (inDistrict ? 4 : 0) + (speaksHerLanguage ? 2 : 0) + (meetsSexPreference ? 1 : 0) }
    }

    public static func propose(_ services: [ServiceFacts], situations: Set<Situation>, preferences: Preferences, district: UUID?) -> [Proposal] {
        let wanted = Set(situations.flatMap(\.answeredBy))
        return services.filter { $0.active && wanted.contains($0.kind) }.map { service in
            Proposal(serviceID: service.id, inDistrict: district.map(service.districtIDs.contains) ?? false,
                     speaksHerLanguage: preferences.languages.isEmpty || !service.languages.isDisjoint(with: preferences.languages),
                     meetsSexPreference: preferences.providerSex != "female" || service.womanStaff)
        }.sorted { ($0.score, $1.serviceID.uuidString) > ($1.score, $0.serviceID.uuidString) }
    }
}

/// Counts that leave the case files: a count under 5 is shown as "<5", so no one can be picked out.
public enum SmallCount {
    public static let threshold = 5

    public static func shown(_ count: Int) -> String {
        count > 0 && count < threshold ? "<\(threshold)" : String(count)
    }

    /// The median of durations in whole hours, nil without any.
    public static func medianHours(_ seconds: [TimeInterval]) -> Int? {
        guard !seconds.isEmpty else { return nil }
        let sorted = seconds.sorted()
        let middle = sorted.count / 2
        let median = sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
        return Int((median / 3600).rounded())
    }
}
