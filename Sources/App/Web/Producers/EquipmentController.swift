import AsharNetwork
import Fluent
import Foundation
import Kernel
import Producers
import Vapor

/// Shared equipment on the web: a group's items and who owns what share, and for one item its booking
/// calendar, the queue for busy weeks, hand-over and return with their notes and fee, and repairs.
struct EquipmentController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("producer-groups", ":group", "equipment", use: list)
        routes.post("producer-groups", ":group", "equipment", use: add)
        let item = routes.grouped("equipment", ":equipment")
        item.get(use: show)
        item.post("bookings", use: book)
        item.post("queue", use: wait)
        item.post("maintenance", use: maintain)
        item.post("bookings", ":booking", ":step", use: step)
    }

    struct ItemRow: Encodable {
        let id: UUID
        let name: String
        let fee: String
        let owners: String
    }

    struct ListPage: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let items: [ItemRow]
        let members: [Choice]
        let units: [Choice]
        let rounds: [Choice]
        let errors: FieldErrors
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req, errors: [:])
    }

    func renderList(_ req: Request, errors: FieldErrors) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let items = try await EquipmentService(db: req.db).items(scope.group.id)
        return try await req.render("producers/equipment-list", title: req.t("equipment.title"), ListPage(
            tabs: GroupTabs(req, scope, current: "/equipment"), groupID: scope.group.id,
            items: items.map { item in
                ItemRow(id: item.id, name: item.name, fee: Self.fee(req, item),
                        owners: item.owners.map { "\(scope.name($0.memberID)) \(SalePoolsController.percent($0.share))" }.joined(separator: ", "))
            },
            members: scope.members(), units: FeeUnit.allCases.map { Choice(value: $0.rawValue, label: req.t("equipment.per.\($0.rawValue)"), selected: $0 == .day) },
            rounds: try await PurchaseRoundService(db: req.db).rounds(of: scope.group.id).map {
                Choice(value: $0.id.uuidString, label: req.t("equipment.round", ["deadline": BishkekTime.format($0.deadline)]), selected: false)
            }, errors: errors))
    }

    static func fee(_ req: Request, _ item: EquipmentRecord) -> String {
        "\(Som.format(item.fee)) \(req.t("equipment.per.\(item.feeUnit.rawValue)"))"
    }

    @Sendable func add(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let fields = try req.content.decode([String: String].self)
        return try await req.act({
            var contributions: [UUID: Int] = [:]
            for (id, _) in scope.names {
                if let text = fields["paid_\(id)"].nonBlank { contributions[id] = try req.som(text, field: "contributions") }
            }
            let item = try await EquipmentService(db: req.db).add(
                scope.group.id, name: fields["name"] ?? "", roundID: req.uuid(fields["round_id"]), fee: try req.som(fields["fee"], field: "fee"),
                unit: fields["unit"].flatMap(FeeUnit.init(rawValue:)) ?? .day, contributions: contributions, by: req.actor)
            return "/equipment/\(item.id)"
        }, page: { try await renderList(req, errors: $0) })
    }

    // MARK: One item

    struct OwnerRow: Encodable {
        let member: String
        let paid: String
        let share: String
    }

    struct BookingRow: Encodable {
        let id: UUID
        let days: String
        let member: String
        let status: String
        let notes: String
        let fee: String
        let booked: Bool
        let out: Bool
    }

    struct ItemPage: Encodable {
        let tabs: GroupTabs
        let id: UUID
        let name: String
        let fee: String
        let usageUnit: String
        let owners: [OwnerRow]
        let bookings: [BookingRow]
        let queue: [String]
        let members: [Choice]
        let today: String
        let errors: FieldErrors
        let messages: [String]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await render(req, errors: [:])
    }

    func render(_ req: Request, errors: FieldErrors) async throws -> Response {
        let (item, scope) = try await managed(req)
        let service = EquipmentService(db: req.db)
        let page = ItemPage(
            tabs: GroupTabs(req, scope, current: "/equipment"), id: item.id, name: item.name, fee: Self.fee(req, item),
            usageUnit: req.t("equipment.usage.\(item.feeUnit.rawValue)"),
            owners: item.owners.map { OwnerRow(member: scope.name($0.memberID), paid: Som.format($0.contribution), share: SalePoolsController.percent($0.share)) },
            bookings: try await service.bookings(item.id).map { b in
                BookingRow(id: b.id, days: b.firstDay == b.lastDay ? b.firstDay : "\(b.firstDay) – \(b.lastDay)", member: scope.name(b.memberID),
                           status: req.t("equipment.status.\(b.status.rawValue)"),
                           notes: [b.conditionOut.map { req.t("equipment.out-note", ["note": $0]) }, b.conditionBack.map { req.t("equipment.back-note", ["note": $0]) }]
                               .compactMap { $0 }.joined(separator: " · "),
                           fee: b.fee.map(Som.format) ?? "", booked: b.status == .booked, out: b.status == .out)
            },
            queue: try await service.rotation(item.id).map { req.t("equipment.waiting", ["member": scope.name($0.memberID), "days": String($0.daysUsed)]) },
            members: scope.members(), today: BishkekCalendar.day(of: Date()), errors: errors, messages: errors.sorted { $0.key < $1.key }.map(\.value))
        return try await req.render("producers/equipment", title: req.t("equipment.title"), page)
    }

    struct BookingForm: Content {
        var member_id: String?
        var first_day: String?
        var last_day: String?
        var condition: String?
        var usage: String?
        var label: String?
        var amount: String?
    }

    @Sendable func book(req: Request) async throws -> Response {
        let (item, _) = try await managed(req)
        let form = try req.content.decode(BookingForm.self)
        return try await req.act({
            guard let member = req.uuid(form.member_id) else { throw DomainError.notFound("producers.member") }
            _ = try await EquipmentService(db: req.db).book(item.id, member: member, from: form.first_day ?? "", to: form.last_day.nonBlank ?? form.first_day ?? "",
                                                            by: req.actor)
            return "/equipment/\(item.id)"
        }, page: { try await render(req, errors: $0) })
    }

    @Sendable func wait(req: Request) async throws -> Response {
        let (item, _) = try await managed(req)
        let form = try req.content.decode(BookingForm.self)
        return try await req.act({
            guard let member = req.uuid(form.member_id) else { throw DomainError.notFound("producers.member") }
            try await EquipmentService(db: req.db).wait(item.id, member: member, by: req.actor)
            return "/equipment/\(item.id)"
        }, page: { try await render(req, errors: $0) })
    }

    @Sendable func maintain(req: Request) async throws -> Response {
        let (item, _) = try await managed(req)
        let form = try req.content.decode(BookingForm.self)
        return try await req.act({
            try await EquipmentService(db: req.db).maintain(item.id, label: form.label ?? "", amount: try req.som(form.amount), by: req.actor)
            return "/equipment/\(item.id)"
        }, page: { try await render(req, errors: $0) })
    }

    /// Hand-over, return or cancellation of one booking of this item.
    @Sendable func step(req: Request) async throws -> Response {
        let (item, _) = try await managed(req)
        let booking = try req.pathID("booking")
        guard try await EquipmentBooking.find(booking, on: req.db)?.equipmentID == item.id else { throw Abort(.notFound) }
        let form = try req.content.decode(BookingForm.self)
        let service = EquipmentService(db: req.db)
        return try await req.act({
            switch req.parameters.get("step") {
            case "handover": _ = try await service.handOver(booking, condition: form.condition ?? "", by: req.actor)
            case "return": _ = try await service.giveBack(booking, condition: form.condition ?? "", usage: try req.whole(form.usage, field: "usage"), by: req.actor)
            case "cancel": _ = try await service.cancel(booking, by: req.actor)
            default: throw Abort(.notFound)
            }
            return "/equipment/\(item.id)"
        }, page: { try await render(req, errors: $0) })
    }

    func managed(_ req: Request) async throws -> (EquipmentRecord, GroupScope) {
        guard req.currentUser != nil else { throw Abort(.unauthorized) }
        let item = try await EquipmentService(db: req.db).item(try req.pathID("equipment"))
        return (item, try await GroupScope.load(req, group: item.groupID))
    }
}
