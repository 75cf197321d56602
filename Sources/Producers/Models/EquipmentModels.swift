import AsharNetwork
import FluentKit
import Foundation

/// What a usage fee is counted in.
public enum FeeUnit: String, Codable, Sendable, CaseIterable {
    case hour
    case day
    case hectare
}

/// Something the group owns together: a drier, a walk-behind tractor, a milk separator.
public final class EquipmentItem: Model, @unchecked Sendable {
    public static let schema = "producer_equipment"

    @ID(key: .id) public var id: UUID?
    @Field(key: "group_id") public var groupID: UUID
    @Field(key: "name") public var name: String
    /// The purchase round that bought it, if it was bought in one.
    @OptionalField(key: "round_id") public var roundID: UUID?
    @Field(key: "fee") public var fee: Int
    @Enum(key: "fee_unit") public var feeUnit: FeeUnit
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// What one member paid towards an item: her share of ownership is in proportion to it.
public final class EquipmentContribution: Model, @unchecked Sendable {
    public static let schema = "producer_equipment_contributions"

    @ID(key: .id) public var id: UUID?
    @Field(key: "equipment_id") public var equipmentID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "amount") public var amount: Int

    public init() {}
}

public enum BookingStatus: String, Codable, Sendable, CaseIterable {
    case booked
    case out
    case returned
    case cancelled
}

/// A member's booking of an item for a span of days, with the hand-over notes and the use she paid for.
public final class EquipmentBooking: Model, @unchecked Sendable {
    public static let schema = "producer_equipment_bookings"

    @ID(key: .id) public var id: UUID?
    @Field(key: "equipment_id") public var equipmentID: UUID
    @Field(key: "member_id") public var memberID: UUID
    /// Bishkek calendar days, "yyyy-MM-dd", both included.
    @Field(key: "first_day") public var firstDay: String
    @Field(key: "last_day") public var lastDay: String
    @Enum(key: "status") public var status: BookingStatus
    @OptionalField(key: "condition_out") public var conditionOut: String?
    @OptionalField(key: "condition_back") public var conditionBack: String?
    @OptionalField(key: "usage") public var usage: Int?
    @OptionalField(key: "fee") public var fee: Int?
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?

    public init() {}
}

/// A member waiting for an item in a busy week: the rotation decides who is served first.
public final class EquipmentQueueEntry: Model, @unchecked Sendable {
    public static let schema = "producer_equipment_queue"

    @ID(key: .id) public var id: UUID?
    @Field(key: "equipment_id") public var equipmentID: UUID
    @Field(key: "member_id") public var memberID: UUID
    @Field(key: "asked_at") public var askedAt: Date
    @Field(key: "served") public var served: Bool

    public init() {}
}
