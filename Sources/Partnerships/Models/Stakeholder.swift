import AsharNetwork
import FluentKit
import Foundation

/// An actor on the stakeholder map: an organisation or a person, its role, how much it can sway the
/// network's work (influence) and how much it cares (interest), what it could do and give, and how the
/// network means to work with it. Inputs are kept as a space-separated list of `Input` names.
final class Stakeholder: Model, @unchecked Sendable {
    static let schema = "partnerships_stakeholders"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "is_person") var isPerson: Bool
    @Enum(key: "sector") var sector: Sector
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @OptionalField(key: "district_id") var districtID: UUID?
    @Field(key: "role") var role: String
    @Field(key: "influence") var influence: Int
    @Field(key: "interest") var interest: Int
    @Field(key: "activities") var activities: String
    @Field(key: "inputs") var inputs: String
    @Field(key: "strategy") var strategy: String
    @Field(key: "contact") var contact: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}
