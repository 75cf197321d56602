import FluentKit
import Foundation

public enum Sex: String, Codable, Sendable, CaseIterable {
    case female, male
}

/// One entry of the network's people registry: every context links to people by this id.
public final class Person: Model, @unchecked Sendable {
    public static let schema = "people"

    @ID(key: .id) public var id: UUID?
    @Field(key: "full_name") public var fullName: String
    @Field(key: "search_key") public var searchKey: String
    @Enum(key: "sex") public var sex: Sex
    @Field(key: "birth_year") public var birthYear: Int
    @Field(key: "village_id") public var villageID: UUID
    @OptionalField(key: "phone") public var phone: String?
    @OptionalField(key: "phone_digits") public var phoneDigits: String?
    @OptionalField(key: "household_code") public var householdCode: String?
    @Field(key: "contact_consent") public var contactConsent: Bool
    /// The language of her messages: "ky", "ru" or "en" (`PersonDraft.languages`); nil: not asked.
    @OptionalField(key: "language") public var language: String?
    @OptionalField(key: "path_consent_at") public var pathConsentAt: Date?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

/// A person's member number in one organisation (time bank, producer group, …).
public final class MemberNumber: Model, @unchecked Sendable {
    public static let schema = "member_numbers"

    @ID(key: .id) public var id: UUID?
    @Field(key: "person_id") public var personID: UUID
    @Field(key: "organisation_id") public var organisationID: UUID
    @Field(key: "number") public var number: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}
