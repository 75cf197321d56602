import AsharNetwork
import FluentKit
import Foundation

public enum CounterpartyKind: String, Codable, Sendable, CaseIterable {
    case supplier
    case buyer
}

/// A supplier the group buys from or a buyer it sells to. The firm itself, with its address, phone and
/// contact person, is an organisation of the network's registry, shared by every group that deals with it.
public final class Counterparty: Model, @unchecked Sendable {
    public static let schema = "producer_counterparties"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Field(key: "organisation_id") public var organisationID: UUID
    @Enum(key: "kind") public var kind: CounterpartyKind
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// An article in a supplier's price list (the supplier is an organisation of the registry), with its price tiers (JSON) and the days it is valid.
public final class CatalogueArticle: Model, @unchecked Sendable {
    public static let schema = "producer_catalogue"

    @ID(key: .id) public var id: UUID?
    @Field(key: "supplier_id") public var supplierID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "unit") public var unit: String
    @Field(key: "package_size") public var packageSize: Int
    @Field(key: "tiers") public var tiers: String
    /// Bishkek calendar days, "yyyy-MM-dd"; nil: open-ended.
    @OptionalField(key: "valid_from") public var validFrom: String?
    @OptionalField(key: "valid_to") public var validTo: String?

    public init() {}
}
