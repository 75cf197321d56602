import AsharNetwork
import FluentKit
import Foundation

/// A time bank's settings. Its id is the id of the network organisation (kind time bank) it belongs to.
public final class TimeBankSettings: Model, @unchecked Sendable {
    public static let schema = "timebanks"

    @ID(custom: "id", generatedBy: .user) public var id: UUID?
    /// Members may go this far below zero (minutes, ≤ 0).
    @Field(key: "lower_limit_minutes") public var lowerLimitMinutes: Int
    @OptionalField(key: "upper_limit_minutes") public var upperLimitMinutes: Int?
    @OptionalField(key: "welcome_credit_minutes") public var welcomeCreditMinutes: Int?
    /// How far the bank's position with any one other bank may go either way (minutes); nil: no limit.
    @OptionalField(key: "clearing_limit_minutes") public var clearingLimitMinutes: Int?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A person's membership of one bank. Her member number is kept in the Network's member numbers.
public final class TimeBankMember: Model, @unchecked Sendable {
    public static let schema = "timebank_members"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bank_id") public var bankID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "member_number") public var memberNumber: String
    @Field(key: "joined_on") public var joinedOn: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

public enum AccountKind: String, Codable, Sendable {
    case member
    /// The bank's own account: welcome credits, community work.
    case bank
    /// The bank's position with one other bank, for exchanges between their members.
    case clearing
}

/// Where time credits are held. The balance is a cache of the account's entries, kept in the same
/// transaction as each entry; `entryCount` orders the entries for running balances.
public final class TimeAccount: Model, @unchecked Sendable {
    public static let schema = "timebank_accounts"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bank_id") public var bankID: UUID
    @Enum(key: "kind") public var kind: AccountKind
    @OptionalField(key: "member_id") public var memberID: UUID?
    /// For a clearing account: the other bank.
    @OptionalField(key: "counterpart_bank_id") public var counterpartBankID: UUID?
    @Field(key: "balance_minutes") public var balanceMinutes: Int
    @Field(key: "entry_count") public var entryCount: Int
    /// Nil: no limit (the bank's own account).
    @OptionalField(key: "lower_limit_minutes") public var lowerLimitMinutes: Int?
    @OptionalField(key: "upper_limit_minutes") public var upperLimitMinutes: Int?

    public init() {}

    /// A new member's account: empty, with the bank's limits.
    public convenience init(member memberID: UUID, bankID: UUID, lower: Int, upper: Int?) {
        self.init()
        self.bankID = bankID
        kind = .member
        self.memberID = memberID
        balanceMinutes = 0
        entryCount = 0
        lowerLimitMinutes = lower
        upperLimitMinutes = upper
    }
}

/// One exchange as booked. Never edited or deleted: a correction is a reversal pointing at it.
public final class TimeTransfer: Model, @unchecked Sendable {
    public static let schema = "timebank_transfers"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bank_id") public var bankID: UUID
    @OptionalField(key: "category_id") public var categoryID: UUID?
    @Field(key: "minutes") public var minutes: Int
    /// The calendar day the service was given (YYYY-MM-DD), not the moment of recording.
    @Field(key: "service_date") public var serviceDate: String
    @OptionalField(key: "note") public var note: String?
    @OptionalField(key: "slip_number") public var slipNumber: String?
    @OptionalField(key: "reverses_id") public var reversesID: UUID?
    @OptionalField(key: "override_reason") public var overrideReason: String?
    @Field(key: "recorded_at") public var recordedAt: Date
    @OptionalField(key: "recorded_by_id") public var recordedByID: UUID?
    @Field(key: "recorded_by_login") public var recordedByLogin: String
    @OptionalField(key: "on_behalf_of_id") public var onBehalfOfID: UUID?
    /// Nil for an exchange (and for reversals); otherwise why credit moved without one.
    @OptionalEnum(key: "purpose") public var purpose: TransferPurpose?

    public init() {}
}

/// Credit that moved without an exchange of services: reports leave it out of the hours exchanged.
public enum TransferPurpose: String, Codable, Sendable {
    /// The bank's gift to a new member.
    case welcome
    /// A balance carried over from a paper register or another system.
    case opening
}

/// One side of a transfer on one account. A transfer's entries sum to zero.
public final class TimeEntry: Model, @unchecked Sendable {
    public static let schema = "timebank_entries"

    @ID(key: .id) public var id: UUID?
    @Field(key: "transfer_id") public var transferID: UUID
    @Field(key: "account_id") public var accountID: UUID
    @Field(key: "minutes") public var minutes: Int
    @Field(key: "balance_after") public var balanceAfter: Int
    /// The entry's place in its account: 1, 2, 3, …
    @Field(key: "sequence") public var sequence: Int
    @Field(key: "recorded_at") public var recordedAt: Date

    public init() {}
}

/// A kind of service: weddings and celebrations, fruit processing, harvest help, …
public final class ServiceCategory: Model, @unchecked Sendable {
    public static let schema = "timebank_categories"

    @ID(key: .id) public var id: UUID?
    @OptionalField(key: "code") public var code: String?
    @Field(key: "name_ky") public var nameKy: String
    @Field(key: "name_ru") public var nameRu: String
    @Field(key: "name_en") public var nameEn: String
    /// Nil for the network's categories; a bank's own otherwise.
    @OptionalField(key: "bank_id") public var bankID: UUID?

    public init() {}
}

public enum ListingKind: String, Codable, Sendable, CaseIterable {
    case offer, request
}

/// What a member offers to do, or asks for, on the bank's board.
public final class Listing: Model, @unchecked Sendable {
    public static let schema = "timebank_listings"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bank_id") public var bankID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Enum(key: "kind") public var kind: ListingKind
    @OptionalField(key: "category_id") public var categoryID: UUID?
    @Field(key: "village_id") public var villageID: UUID
    @Field(key: "description") public var description: String
    @Field(key: "search_key") public var searchKey: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "closed_at") public var closedAt: Date?

    public init() {}
}

public enum ClaimStatus: String, Codable, Sendable, CaseIterable {
    case pending, confirmed, declined
}

/// An exchange a member recorded herself. It moves no credit until the other party, or the bank's
/// staff, confirms it; then it is booked as a transfer like any other.
public final class ExchangeClaim: Model, @unchecked Sendable {
    public static let schema = "timebank_claims"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bank_id") public var bankID: UUID
    @Field(key: "provider_id") public var providerID: UUID
    @Field(key: "recipient_id") public var recipientID: UUID
    /// Which of the two recorded it: the other one confirms.
    @Field(key: "claimant_id") public var claimantID: UUID
    @Field(key: "minutes") public var minutes: Int
    @OptionalField(key: "category_id") public var categoryID: UUID?
    @Field(key: "service_date") public var serviceDate: String
    @OptionalField(key: "note") public var note: String?
    @Enum(key: "status") public var status: ClaimStatus
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "decided_by_login") public var decidedByLogin: String?
    @OptionalField(key: "decline_reason") public var declineReason: String?
    @OptionalField(key: "transfer_id") public var transferID: UUID?

    public init() {}
}

public enum ApplicationStatus: String, Codable, Sendable {
    case pending, accepted, declined
}

/// A woman asking to join a time bank, from the bank's public form. She is not in the registry until
/// the office accepts her (and checks she is not there already).
public final class MembershipApplication: Model, @unchecked Sendable {
    public static let schema = "timebank_applications"

    @ID(key: .id) public var id: UUID?
    @Field(key: "bank_id") public var bankID: UUID
    @Field(key: "full_name") public var fullName: String
    @Field(key: "village_id") public var villageID: UUID
    @Field(key: "birth_year") public var birthYear: Int
    @OptionalField(key: "phone") public var phone: String?
    /// What she can offer, in her words.
    @OptionalField(key: "offers") public var offers: String?
    @Enum(key: "status") public var status: ApplicationStatus
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @OptionalField(key: "decided_at") public var decidedAt: Date?
    @OptionalField(key: "decided_by_login") public var decidedByLogin: String?
    @OptionalField(key: "member_id") public var memberID: UUID?

    public init() {}
}
