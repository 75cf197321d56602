/// How the members decide a claim on the group fund. Counted against all the group's members, not
/// only those who voted: a claim nobody turned up to discuss is not approved.
public enum FundRule: String, Sendable, Codable, CaseIterable {
    /// More than half of the members.
    case simpleMajority = "simple-majority"
    /// At least two thirds of the members.
    case twoThirds = "two-thirds"

    /// How many approving votes carry a claim in a group of `members`.
    public func votesNeeded(members: Int) -> Int {
        switch self {
        case .simpleMajority: members / 2 + 1
        case .twoThirds: (2 * members + 2) / 3
        }
    }
}

public enum ClaimDecision: String, Sendable, Equatable {
    case pending
    case approved
    case rejected
}

public enum FundVoting {
    /// Approved once enough members approve; rejected once so many refuse that the rest cannot carry it.
    public static func decide(approvals: Int, refusals: Int, members: Int, rule: FundRule) -> ClaimDecision {
        precondition(approvals >= 0 && refusals >= 0 && approvals + refusals <= members)
        let needed = rule.votesNeeded(members: members)
        if approvals >= needed { return .approved }
        if members - refusals < needed { return .rejected }
        return .pending
    }
}
