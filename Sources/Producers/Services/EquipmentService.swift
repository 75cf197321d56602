import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct EquipmentRecord: Sendable, Equatable {
    public struct Owner: Sendable, Equatable {
        public let memberID: UUID
        public let contribution: Int
        /// Her share of ownership in hundredths of a percent.
        public let share: Int
    }

    public let id: UUID
    public let groupID: UUID
    public let name: String
    public let roundID: UUID?
    public let fee: Int
    public let feeUnit: FeeUnit
    public let owners: [Owner]
}

public struct BookingRecord: Sendable, Equatable {
    public let id: UUID
    public let equipmentID: UUID
    public let memberID: UUID
    public let firstDay: String
    public let lastDay: String
    public let status: BookingStatus
    public let conditionOut: String?
    public let conditionBack: String?
    public let usage: Int?
    public let fee: Int?
}

/// Equipment the group owns together: who paid for it, bookings that never overlap, a fair queue for
/// busy weeks, usage fees into the maintenance fund, hand-over notes, and repairs paid from that fund.
public struct EquipmentService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Records an item and what each member paid towards it (her share of ownership follows).
    public func add(_ groupID: UUID, name: String, roundID: UUID?, fee: Int, unit: FeeUnit, contributions: [UUID: Int],
                    by actor: Actor) async throws -> EquipmentRecord {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if name.isEmpty { throw DomainError("producers.equipment-name-required", field: "name") }
        guard fee >= 0, contributions.values.allSatisfy({ $0 >= 0 }) else { throw DomainError("producers.amount-invalid", field: "fee") }
        let id = try await db.writeTransaction { tx in
            _ = try await ProducerGroupService(db: tx).group(groupID)
            if let roundID, try await PurchaseRound.find(roundID, on: tx)?.groupID != groupID { throw DomainError.notFound("producers.round") }
            let item = EquipmentItem()
            item.groupID = groupID
            item.name = name
            item.roundID = roundID
            item.fee = fee
            item.feeUnit = unit
            try await item.create(on: tx)
            for (memberID, amount) in contributions where amount > 0 {
                guard try await MemberAccountService.member(memberID, on: tx).groupID == groupID else { throw DomainError.notFound("producers.member") }
                let share = EquipmentContribution()
                share.equipmentID = item.id!
                share.memberID = memberID
                share.amount = amount
                try await share.create(on: tx)
            }
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "equipment", entityID: item.id, changes: [
                FieldChange(field: "name", from: nil, to: name), FieldChange(field: "fee", from: nil, to: "\(fee)/\(unit.rawValue)"),
            ])
            return item.id!
        }
        return try await item(id)
    }

    public func item(_ id: UUID) async throws -> EquipmentRecord {
        guard let item = try await EquipmentItem.find(id, on: db) else { throw DomainError.notFound("producers.equipment") }
        return try await records([item]).first!
    }

    public func items(_ groupID: UUID) async throws -> [EquipmentRecord] {
        try await records(try await EquipmentItem.query(on: db).filter(\.$groupID == groupID).sort(\.$name).all())
    }

    /// Books an item for a span of days; refused if it overlaps another booking that is not cancelled.
    /// A member who was waiting in the queue for it leaves the queue.
    public func book(_ equipmentID: UUID, member memberID: UUID, from firstDay: String, to lastDay: String, by actor: Actor) async throws -> BookingRecord {
        guard BishkekCalendar.start(of: firstDay) != nil else { throw DomainError("producers.day-invalid", field: "first_day") }
        guard BishkekCalendar.start(of: lastDay) != nil, lastDay >= firstDay else { throw DomainError("producers.day-invalid", field: "last_day") }
        return try await db.writeTransaction { tx in
            try await RowLock.lock(EquipmentItem.schema, id: equipmentID, on: tx)
            let item = try await Self.find(equipmentID, on: tx)
            let member = try await MemberAccountService.member(memberID, on: tx)
            guard member.groupID == item.groupID else { throw DomainError.notFound("producers.member") }
            let taken = try await EquipmentBooking.query(on: tx).filter(\.$equipmentID == equipmentID).filter(\.$status != .cancelled).all()
                .first { SharedEquipment.overlap(($0.firstDay, $0.lastDay), (firstDay, lastDay)) }
            if let taken {
                throw DomainError("producers.booking-overlap", kind: .conflict, field: "first_day",
                                  arguments: ["from": taken.firstDay, "to": taken.lastDay])
            }
            let booking = EquipmentBooking()
            booking.equipmentID = equipmentID
            booking.memberID = memberID
            booking.firstDay = firstDay
            booking.lastDay = lastDay
            booking.status = .booked
            try await booking.create(on: tx)
            try await EquipmentQueueEntry.query(on: tx).filter(\.$equipmentID == equipmentID).filter(\.$memberID == memberID)
                .set(\.$served, to: true).update()
            try await AuditLog.record(on: tx, actor: actor.acting(for: member.personID), action: "create", entity: "equipment_booking",
                                      entityID: booking.id, changes: [FieldChange(field: "days", from: nil, to: "\(firstDay)…\(lastDay)")])
            return Self.record(booking)
        }
    }

    public func bookings(_ equipmentID: UUID) async throws -> [BookingRecord] {
        try await EquipmentBooking.query(on: db).filter(\.$equipmentID == equipmentID).sort(\.$firstDay).all().map(Self.record)
    }

    /// A group's bookings that need the office on a day: items to hand over (booked, starting that day or
    /// earlier) and items due back (out, their last day that day or earlier).
    public func dueToday(_ groupID: UUID, today: String = BishkekCalendar.day(of: Date())) async throws -> (handOver: [BookingRecord], dueBack: [BookingRecord]) {
        let items = try await EquipmentItem.query(on: db).filter(\.$groupID == groupID).all().compactMap(\.id)
        guard !items.isEmpty else { return ([], []) }
        let open = try await EquipmentBooking.query(on: db).filter(\.$equipmentID ~~ items).filter(\.$status ~~ [.booked, .out]).all()
        return (open.filter { $0.status == .booked && $0.firstDay <= today }.map(Self.record),
                open.filter { $0.status == .out && $0.lastDay <= today }.map(Self.record))
    }

    public func cancel(_ bookingID: UUID, by actor: Actor) async throws -> BookingRecord {
        try await move(bookingID, from: .booked, to: .cancelled, by: actor) { _, _, _ in }
    }

    /// The item leaves with the member: the condition it is in is written down.
    public func handOver(_ bookingID: UUID, condition: String, by actor: Actor) async throws -> BookingRecord {
        let condition = try Self.note(condition)
        return try await move(bookingID, from: .booked, to: .out, by: actor) { booking, _, _ in booking.conditionOut = condition }
    }

    /// The item comes back: its condition, the use made of it, and the fee, owed by the member and paid
    /// into the maintenance fund.
    public func giveBack(_ bookingID: UUID, condition: String, usage: Int, by actor: Actor) async throws -> BookingRecord {
        let condition = try Self.note(condition)
        guard usage >= 0 else { throw DomainError("producers.quantity-invalid", field: "usage") }
        return try await move(bookingID, from: .out, to: .returned, by: actor) { booking, item, tx in
            let fee = SharedEquipment.fee(usage: usage, rate: item.fee, unit: item.feeUnit)
            booking.conditionBack = condition
            booking.usage = usage
            booking.fee = fee
            guard fee > 0 else { return }
            let member = try await MemberAccountService.member(booking.memberID, on: tx)
            try await MemberAccountService.post(on: tx, member: member, kind: .fee, amount: -fee, source: booking.id, note: item.name, by: actor)
            try await GroupFundService.post(on: tx, group: item.groupID, purse: .maintenance, kind: .fee, amount: fee, member: booking.memberID,
                                            source: booking.id, note: item.name, by: actor)
        }
    }

    /// A repair or service, paid from the maintenance fund — never more than it holds.
    public func maintain(_ equipmentID: UUID, label: String, amount: Int, by actor: Actor) async throws {
        let label = label.trimmingCharacters(in: .whitespacesAndNewlines)
        if label.isEmpty { throw DomainError("producers.cost-label-required", field: "label") }
        guard amount > 0 else { throw DomainError("producers.amount-invalid", field: "amount") }
        try await db.writeTransaction { tx in
            let item = try await Self.find(equipmentID, on: tx)
            try await GroupFundService.spend(on: tx, group: item.groupID, purse: .maintenance, kind: .maintenance, amount: amount, member: nil,
                                             source: equipmentID, note: "\(item.name): \(label)", by: actor)
        }
    }

    /// A member asks for the item in a busy week and waits her turn.
    public func wait(_ equipmentID: UUID, member memberID: UUID, by actor: Actor, now: Date = Date()) async throws {
        try await db.writeTransaction { tx in
            let item = try await Self.find(equipmentID, on: tx)
            guard try await MemberAccountService.member(memberID, on: tx).groupID == item.groupID else { throw DomainError.notFound("producers.member") }
            if try await EquipmentQueueEntry.query(on: tx).filter(\.$equipmentID == equipmentID).filter(\.$memberID == memberID)
                .filter(\.$served == false).first() != nil {
                throw DomainError("producers.already-waiting", kind: .conflict)
            }
            let entry = EquipmentQueueEntry()
            entry.equipmentID = equipmentID
            entry.memberID = memberID
            entry.askedAt = now
            entry.served = false
            try await entry.create(on: tx)
        }
    }

    /// Who is waiting, in the order they are to be served: least use this season first, then who asked first.
    public func rotation(_ equipmentID: UUID) async throws -> [(memberID: UUID, daysUsed: Int)] {
        let waiting = try await EquipmentQueueEntry.query(on: db).filter(\.$equipmentID == equipmentID).filter(\.$served == false)
            .sort(\.$askedAt).all()
        let season = String(BishkekCalendar.day(of: Date()).prefix(4))
        var used: [UUID: Int] = [:]
        for b in try await EquipmentBooking.query(on: db).filter(\.$equipmentID == equipmentID).filter(\.$status != .cancelled).all()
        where b.firstDay.hasPrefix(season) {
            used[b.memberID, default: 0] += Self.days(b.firstDay, b.lastDay)
        }
        let order = SharedEquipment.rotation(waiting.enumerated().map {
            SharedEquipment.Waiting(member: $0.offset, daysUsed: used[$0.element.memberID] ?? 0, askedAt: Int($0.element.askedAt.timeIntervalSince1970))
        })
        return order.map { (waiting[$0.member].memberID, $0.daysUsed) }
    }

    // MARK: -

    func move(_ bookingID: UUID, from: BookingStatus, to next: BookingStatus, by actor: Actor,
              _ change: @escaping @Sendable (EquipmentBooking, EquipmentItem, any Database) async throws -> Void) async throws -> BookingRecord {
        try await db.writeTransaction { tx in
            guard let booking = try await EquipmentBooking.find(bookingID, on: tx) else { throw DomainError.notFound("producers.booking") }
            guard booking.status == from else { throw DomainError("producers.booking-wrong-step", kind: .conflict) }
            let item = try await Self.find(booking.equipmentID, on: tx)
            booking.status = next
            try await change(booking, item, tx)
            try await booking.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "equipment_booking", entityID: bookingID, changes: [
                FieldChange(field: "status", from: from.rawValue, to: next.rawValue),
            ])
            return Self.record(booking)
        }
    }

    func records(_ items: [EquipmentItem]) async throws -> [EquipmentRecord] {
        let shares = Dictionary(grouping: try await EquipmentContribution.query(on: db).filter(\.$equipmentID ~~ items.compactMap(\.id)).all(),
                                by: \.equipmentID)
        return items.map { item in
            let paid = (shares[item.id!] ?? []).sorted { $0.memberID.uuidString < $1.memberID.uuidString }
            let owned = SharedEquipment.ownership(contributions: paid.map(\.amount))
            return EquipmentRecord(id: item.id!, groupID: item.groupID, name: item.name, roundID: item.roundID, fee: item.fee, feeUnit: item.feeUnit,
                                   owners: zip(paid, owned).map { EquipmentRecord.Owner(memberID: $0.memberID, contribution: $0.amount, share: $1) })
        }
    }

    static func find(_ id: UUID, on db: any Database) async throws -> EquipmentItem {
        guard let item = try await EquipmentItem.find(id, on: db) else { throw DomainError.notFound("producers.equipment") }
        return item
    }

    static func note(_ text: String) throws -> String {
        let text = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { throw DomainError("producers.condition-required", field: "condition") }
        return text
    }

    static func days(_ first: String, _ last: String) -> Int {
        guard let a = BishkekCalendar.start(of: first), let b = BishkekCalendar.start(of: last) else { return 0 }
        return (BishkekCalendar.calendar.dateComponents([.day], from: a, to: b).day ?? 0) + 1
    }

    static func record(_ b: EquipmentBooking) -> BookingRecord {
        BookingRecord(id: b.id!, equipmentID: b.equipmentID, memberID: b.memberID, firstDay: b.firstDay, lastDay: b.lastDay, status: b.status,
                      conditionOut: b.conditionOut, conditionBack: b.conditionBack, usage: b.usage, fee: b.fee)
    }
}
