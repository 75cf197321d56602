import FluentKit
import Foundation

/// The kinds of organisation in and around a regional service network.
public enum OrganisationKind: String, Codable, Sendable, CaseIterable {
    case entrepreneurshipCentre = "entrepreneurship_centre"
    case timeBank = "time_bank"
    case producerGroup = "producer_group"
    case helpCentre = "help_centre"
    case localGovernment = "local_government"
    case stateAgency = "state_agency"
    case ngo
    case business
    case financial
    case communityGroup = "community_group"
}

public final class Organisation: Model, @unchecked Sendable {
    public static let schema = "organisations"

    @ID(key: .id) public var id: UUID?
    @Field(key: "name") public var name: String
    @Field(key: "search_key") public var searchKey: String
    @Enum(key: "kind") public var kind: OrganisationKind
    @Field(key: "district_id") public var districtID: UUID
    @OptionalField(key: "village_id") public var villageID: UUID?
    @OptionalField(key: "address") public var address: String?
    @OptionalField(key: "phone") public var phone: String?
    @OptionalField(key: "email") public var email: String?
    @OptionalField(key: "contact_person") public var contactPerson: String?
    @Field(key: "in_network") public var inNetwork: Bool
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}
