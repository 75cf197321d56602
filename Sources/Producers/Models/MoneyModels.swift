import AsharNetwork
import FluentKit
import Foundation

/// Why money moved on a member's account with her group.
public enum AccountEntryKind: String, Codable, Sendable, CaseIterable {
    /// Her bill from a settled purchase round (she owes it).
    case bill
    /// Cash she paid the group.
    case payment
    /// Her share of a pooled sale, passed on to her.
    case payout
    /// Cash the group handed her.
    case cashOut = "cash-out"
    /// A fee for using the group's equipment.
    case fee
    /// Her share of a cost the group carries together (a product's testing and registration).
    case sharedCost = "shared-cost"
}

/// One line of a member's money account with her group. Append-only: a mistake is put right by a
/// further line. Positive: the group owes her more; negative: she owes the group more.
public final class AccountEntry: Model, @unchecked Sendable {
    public static let schema = "producer_account_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Enum(key: "kind") public var kind: AccountEntryKind
    @Field(key: "amount") public var amount: Int
    /// The round, pool or booking the line comes from.
    @OptionalField(key: "source_id") public var sourceID: UUID?
    @Field(key: "note") public var note: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// The group's two purses: the risk fund (levies, dues, claims) and the equipment's maintenance fund.
public enum FundPurse: String, Codable, Sendable, CaseIterable {
    case risk
    case maintenance
}

public enum FundEntryKind: String, Codable, Sendable, CaseIterable {
    case levy
    case dues
    case claim
    case fee
    case maintenance
}

/// Money into or out of one of the group's purses. Append-only.
public final class FundEntry: Model, @unchecked Sendable {
    public static let schema = "producer_fund_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Enum(key: "purse") public var purse: FundPurse
    @Enum(key: "kind") public var kind: FundEntryKind
    @Field(key: "amount") public var amount: Int
    @OptionalField(key: "member_id") public var memberID: UUID?
    @OptionalField(key: "source_id") public var sourceID: UUID?
    @Field(key: "note") public var note: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

public enum ClaimStatus: String, Codable, Sendable, CaseIterable {
    case open
    case approved
    case rejected
    case paid
}

/// A member's claim on the risk fund (a lost harvest, a dead cow), decided by the members' vote.
public final class FundClaim: Model, @unchecked Sendable {
    public static let schema = "producer_fund_claims"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "reason") public var reason: String
    @Field(key: "amount") public var amount: Int
    @Enum(key: "status") public var status: ClaimStatus
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// One member's recorded vote on a claim.
public final class FundVote: Model, @unchecked Sendable {
    public static let schema = "producer_fund_votes"

    @ID(key: .id) public var id: UUID?
    @Field(key: "claim_id") public var claimID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "approve") public var approve: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}
