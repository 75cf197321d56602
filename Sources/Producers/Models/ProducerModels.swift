import AsharNetwork
import FluentKit
import Foundation

/// A producer group's settings. Its id is the id of the network organisation (kind producer group).
public final class ProducerGroup: Model, @unchecked Sendable {
    public static let schema = "producer_groups"

    @ID(custom: "id", generatedBy: .user) public var id: UUID?
    /// How the members decide claims on the group fund.
    @Enum(key: "fund_rule") public var fundRule: FundRule
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

public enum ProducerRole: String, Codable, Sendable, CaseIterable {
    case coordinator
    case treasurer
    case member
}

/// A woman's membership of a group: her role and what she produces.
public final class ProducerMember: Model, @unchecked Sendable {
    public static let schema = "producer_members"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Field(key: "person_id") public var personID: UUID
    @Enum(key: "role") public var role: ProducerRole
    @Field(key: "produces") public var produces: String
    @Field(key: "joined_on") public var joinedOn: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

public enum RoundStatus: String, Codable, Sendable, CaseIterable {
    /// Being prepared: articles may be added, members cannot order yet.
    case draft
    case open
    case closed
    case ordered
    case received
    case settled
}

/// A joint purchase: prepared as a draft, open for members' orders until the deadline; then closed,
/// ordered from the supplier, received and settled.
public final class PurchaseRound: Model, @unchecked Sendable {
    public static let schema = "producer_rounds"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @OptionalField(key: "supplier_id") public var supplierID: UUID?
    @Field(key: "deadline") public var deadline: Date
    @Enum(key: "allocation") public var allocation: AllocationRule
    @Enum(key: "status") public var status: RoundStatus
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// An article offered in a round: its unit, package size and price tiers (JSON), and once recorded,
/// what really arrived.
public final class RoundArticleRow: Model, @unchecked Sendable {
    public static let schema = "producer_round_articles"

    @ID(key: .id) public var id: UUID?
    @Field(key: "round_id") public var roundID: UUID
    @Field(key: "name") public var name: String
    @Field(key: "unit") public var unit: String
    @Field(key: "package_size") public var packageSize: Int
    @Field(key: "tiers") public var tiers: String
    @OptionalField(key: "received_quantity") public var receivedQuantity: Int?
    @Field(key: "position") public var position: Int

    public init() {}
}

/// One member's order of one article in a round.
public final class RoundOrder: Model, @unchecked Sendable {
    public static let schema = "producer_orders"

    @ID(key: .id) public var id: UUID?
    @Field(key: "round_id") public var roundID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "article_id") public var articleID: UUID
    @Field(key: "quantity") public var quantity: Int
    @Field(key: "tolerance") public var tolerance: Int
    /// When she first ordered this article: "first come" fills earlier orders first.
    @Field(key: "ordered_at") public var orderedAt: Date

    public init() {}
}

/// A cost the round's members share: transport, fees.
public final class RoundCost: Model, @unchecked Sendable {
    public static let schema = "producer_round_costs"

    @ID(key: .id) public var id: UUID?
    @Field(key: "round_id") public var roundID: UUID
    @Field(key: "label") public var label: String
    @Field(key: "amount") public var amount: Int
    @Enum(key: "split_by") public var splitBy: CostBasis
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A pooled sale: one product, one buyer, a price per grade; members' deliveries are graded in.
public final class SalePool: Model, @unchecked Sendable {
    public static let schema = "producer_pools"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Field(key: "product") public var product: String
    @Field(key: "buyer") public var buyer: String
    /// JSON: grade → tyiyn per unit.
    @Field(key: "grade_prices") public var gradePrices: String
    @Field(key: "levy_basis_points") public var levyBasisPoints: Int
    @Enum(key: "rejects") public var rejects: RejectRule
    /// What the buyer agreed to take, in the product's unit; nil when the contract does not say.
    @OptionalField(key: "contract_quantity") public var contractQuantity: Int?
    /// Delivery terms: where, when, packed how.
    @Field(key: "terms") public var terms: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A member's delivery into a pool, weighed or counted and graded (no grade: rejected).
public final class PoolIntake: Model, @unchecked Sendable {
    public static let schema = "producer_intakes"

    @ID(key: .id) public var id: UUID?
    @Field(key: "pool_id") public var poolID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "quantity") public var quantity: Int
    @OptionalField(key: "grade") public var grade: String?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// Money in or out of a pool: the buyer's payments, and the costs the pool bears.
public final class PoolMoney: Model, @unchecked Sendable {
    public static let schema = "producer_pool_money"

    @ID(key: .id) public var id: UUID?
    @Field(key: "pool_id") public var poolID: UUID
    /// "payment" from the buyer, or "cost".
    @Field(key: "kind") public var kind: String
    @Field(key: "label") public var label: String
    @Field(key: "amount") public var amount: Int
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}
