import AsharNetwork
import Fluent
import Foundation
import Kernel
import Producers
import Vapor

/// What every page of a producer group needs: the group, checked against the user's grants, and its
/// members by name.
struct GroupScope {
    let group: GroupRecord
    /// Member id → her full name from the registry.
    let names: [UUID: String]

    /// The members as choices for a select box, by name.
    func members(selected: UUID? = nil) -> [Choice] {
        names.map { Choice(value: $0.key.uuidString, label: $0.value, selected: $0.key == selected) }.sorted { $0.label < $1.label }
    }

    func name(_ member: UUID?) -> String { member.flatMap { names[$0] } ?? "" }

    /// Price tiers as a sheet shows them: "1+ kg: 30; 500+ kg: 24" (som per unit).
    static func prices(_ tiers: [PriceTier], unit: String) -> String {
        tiers.map { "\($0.minQuantity)+ \(unit): \(Som.format($0.unitPrice))" }.joined(separator: "; ")
    }

    static func load(_ req: Request, group id: UUID) async throws -> GroupScope {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        guard ProducerAccess.canManage(user.grants.map(\.grant), group: id) else { throw Abort(.forbidden) }
        let group = try await ProducerGroupService(db: req.db).group(id)
        let members = try await ProducerGroupService(db: req.db).members(id, page: PageQuery(page: 1, per: 1_000)).items
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        return GroupScope(group: group, names: Dictionary(uniqueKeysWithValues: members.map { ($0.id, people[$0.personID]?.fullName ?? "") }))
    }

    /// The group named in the path as `:group`.
    static func load(_ req: Request) async throws -> GroupScope {
        try await load(req, group: try req.pathID("group"))
    }
}

extension Request {
    /// Runs a change posted from a form: on success, on to the page `change` returns; a refused change
    /// shows the page again with the reasons beside the fields, status 422, and nothing changed.
    /// From the page's offline queue the answer is JSON instead: saved, or refused with the reasons — and
    /// kept under the queue's key, so a copy sent again after a lost answer gets it back and changes nothing.
    /// The change claims the key in the transaction that saves it: a copy is not saved twice even when the
    /// server stopped before it could answer.
    func act(_ change: () async throws -> String, page: (FieldErrors) async throws -> Response) async throws -> Response {
        if isQueued, let kept = try await queuedAnswerKept() { return kept }
        let slot = isQueued ? queuedKey.map(IdempotencySlot.init) : nil
        do {
            let next = try await IdempotencySlot.$current.withValue(slot) { try await change() }
            if isQueued { return try await keepQueuedAnswer(QueuedAnswer.saved(t("offline.saved")), slot: slot) }
            return redirect(to: next)
        } catch is IdempotencyKeyAnswered {
            // A copy of this form was saved meanwhile, by a request racing this one.
            if let kept = try await queuedAnswerKept() { return kept }
            return try await QueuedAnswer.saved(t("offline.saved")).response(for: self)
        } catch {
            guard let errors = fieldErrors(error) else { throw error }
            if isQueued { return try await keepQueuedAnswer(QueuedAnswer.refused(errors), slot: slot) }
            let response = try await page(errors)
            response.status = .unprocessableEntity
            return response
        }
    }

    /// An amount typed in som ("1 234,50"); refused for the field when it is not one.
    func som(_ text: String?, field: String = "amount") throws -> Int {
        guard let amount = Som.tyiyn(text) else { throw DomainError("producers.amount-invalid", field: field) }
        return amount
    }

    /// A whole number typed in a field; refused for the field when it is not one.
    func whole(_ text: String?, field: String) throws -> Int {
        guard let value = Int((text ?? "").trimmingCharacters(in: .whitespaces)) else { throw DomainError("producers.quantity-invalid", field: field) }
        return value
    }
}

/// The links between a group's pages.
struct GroupTabs: Encodable {
    struct Tab: Encodable {
        let href: String
        let label: String
        let current: Bool
    }
    let groupName: String
    let tabs: [Tab]

    init(_ req: Request, _ scope: GroupScope, current: String) {
        let id = scope.group.id
        groupName = scope.group.name
        tabs = [("", "producers.tab.rounds"), ("/pools", "producers.tab.pools"), ("/fund", "producers.tab.fund"),
                ("/equipment", "producers.tab.equipment"), ("/suppliers", "producers.tab.suppliers"), ("/reports", "producers.tab.reports"),
                ("/reminder", "producers.tab.reminder")].map {
            Tab(href: "/producer-groups/\(id)\($0.0)", label: req.t($0.1), current: $0.0 == current)
        }
    }
}
