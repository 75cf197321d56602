import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct StepDraft: Sendable, Equatable {
    public var kind: StepKind
    public var plannedOn: String?
    public var doneOn: String?
    public var responsible: String
    /// Tyiyn.
    public var cost: Int
    public var note: String

    public init(kind: StepKind, plannedOn: String? = nil, doneOn: String? = nil, responsible: String = "", cost: Int = 0, note: String = "") {
        (self.kind, self.plannedOn, self.doneOn, self.responsible, self.cost, self.note) = (kind, plannedOn, doneOn, responsible, cost, note)
    }
}

public struct StepRecord: Sendable, Equatable {
    public let id: UUID
    public let productID: UUID
    public let draft: StepDraft
    public let sharedAt: Date?
}

public struct VisitDraft: Sendable, Equatable {
    public var visitedOn: String
    public var farm: String
    public var visitors: String
    public var passed: [ChecklistItem]
    public var findings: String

    public init(visitedOn: String, farm: String, visitors: String, passed: [ChecklistItem], findings: String = "") {
        (self.visitedOn, self.farm, self.visitors, self.passed, self.findings) = (visitedOn, farm, visitors, passed, findings)
    }
}

public struct VisitRecord: Sendable, Equatable {
    public let id: UUID
    public let organisationID: UUID
    public let draft: VisitDraft
    public let decision: CouncilDecision
    public let decidedOn: String?
    public let sanction: Sanction
    public let sanctionNote: String

    /// Checklist items not found in order.
    public var failed: [ChecklistItem] { ChecklistItem.allCases.filter { !draft.passed.contains($0) } }
}

/// A product's way to its documents (consultation, sampling and testing, application, registration)
/// with dates, who is responsible and what it costs; and the participatory guarantee's peer visits.
public struct PathService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func steps(of productID: UUID) async throws -> [StepRecord] {
        try await PathStep.query(on: db).filter(\.$productID == productID).sort(\.$createdAt).sort(\.$id).all().map(Self.record)
    }

    public func step(_ id: UUID) async throws -> StepRecord {
        guard let row = try await PathStep.find(id, on: db) else { throw DomainError.notFound("certification.step") }
        return Self.record(row)
    }

    public func addStep(to productID: UUID, _ draft: StepDraft, by actor: Actor) async throws -> StepRecord {
        var errors: [DomainError] = []
        for (day, field) in [(draft.plannedOn, "planned_on"), (draft.doneOn, "done_on")] {
            if let day, BishkekCalendar.start(of: day) == nil { errors.append(DomainError("certification.date-invalid", field: field, arguments: ["value": day])) }
        }
        if draft.cost < 0 { errors.append(DomainError("certification.step.cost-invalid", field: "cost")) }
        try ValidationErrors.throwIfAny(errors)
        return try await db.writeTransaction { tx in
            guard try await Product.find(productID, on: tx) != nil else { throw DomainError.notFound("certification.product") }
            let row = PathStep()
            row.productID = productID
            row.kind = draft.kind
            row.plannedOn = draft.plannedOn
            row.doneOn = draft.doneOn
            row.responsible = String(draft.responsible.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            row.cost = draft.cost
            row.note = String(draft.note.trimmingCharacters(in: .whitespacesAndNewlines).prefix(2_000))
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "certification_step", entityID: row.id, changes: [
                FieldChange(field: "kind", from: nil, to: draft.kind.rawValue), FieldChange(field: "cost", from: nil, to: String(draft.cost)),
            ])
            return Self.record(row)
        }
    }

    /// Marks a step done on a day.
    public func complete(_ id: UUID, on day: String, by actor: Actor) async throws -> StepRecord {
        guard BishkekCalendar.start(of: day) != nil else { throw DomainError("certification.date-invalid", field: "done_on", arguments: ["value": day]) }
        return try await db.writeTransaction { tx in
            guard let row = try await PathStep.find(id, on: tx) else { throw DomainError.notFound("certification.step") }
            let before = row.doneOn
            row.doneOn = day
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "certification_step", entityID: id,
                                      changes: [FieldChange(field: "done_on", from: before, to: day)])
            return Self.record(row)
        }
    }

    /// Marks the step's cost as shared, inside the caller's transaction, and says which group and how much:
    /// the caller charges the members' accounts with the group in the same transaction. Shared once only.
    public func markShared(_ id: UUID, by actor: Actor) async throws -> (step: StepRecord, groupID: UUID) {
        guard let row = try await PathStep.find(id, on: db) else { throw DomainError.notFound("certification.step") }
        guard row.sharedAt == nil else { throw DomainError("certification.step.already-shared", kind: .conflict) }
        guard row.cost > 0 else { throw DomainError("certification.step.nothing-to-share", field: "cost") }
        guard let product = try await Product.find(row.productID, on: db) else { throw DomainError.notFound("certification.product") }
        row.sharedAt = Date()
        try await row.update(on: db)
        try await AuditLog.record(on: db, actor: actor, action: "share-cost", entity: "certification_step", entityID: id,
                                  changes: [FieldChange(field: "cost", from: nil, to: String(row.cost))])
        return (Self.record(row), product.organisationID)
    }

    static func record(_ r: PathStep) -> StepRecord {
        StepRecord(id: r.id!, productID: r.productID, draft: StepDraft(kind: r.kind, plannedOn: r.plannedOn, doneOn: r.doneOn,
                                                                        responsible: r.responsible, cost: r.cost, note: r.note), sharedAt: r.sharedAt)
    }

    // MARK: - Participatory guarantee

    public func visits(of organisationID: UUID) async throws -> [VisitRecord] {
        try await PeerVisit.query(on: db).filter(\.$organisationID == organisationID).sort(\.$visitedOn, .descending).all().map(Self.record)
    }

    public func recordVisit(_ organisationID: UUID, _ draft: VisitDraft, by actor: Actor) async throws -> VisitRecord {
        var errors: [DomainError] = []
        if BishkekCalendar.start(of: draft.visitedOn) == nil {
            errors.append(DomainError("certification.date-invalid", field: "visited_on", arguments: ["value": draft.visitedOn]))
        }
        if draft.farm.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(DomainError("certification.visit.farm-required", field: "farm")) }
        if draft.visitors.trimmingCharacters(in: .whitespaces).isEmpty { errors.append(DomainError("certification.visit.visitors-required", field: "visitors")) }
        try ValidationErrors.throwIfAny(errors)
        return try await db.writeTransaction { tx in
            guard let org = try await Organisation.find(organisationID, on: tx), org.kind == .producerGroup else {
                throw DomainError.notFound("certification.group")
            }
            let row = PeerVisit()
            row.organisationID = organisationID
            row.visitedOn = draft.visitedOn
            row.farm = String(draft.farm.trimmingCharacters(in: .whitespaces).prefix(200))
            row.visitors = String(draft.visitors.trimmingCharacters(in: .whitespaces).prefix(500))
            row.passed = draft.passed.map(\.rawValue).joined(separator: " ")
            row.findings = String(draft.findings.trimmingCharacters(in: .whitespacesAndNewlines).prefix(4_000))
            row.decision = .pending
            row.sanction = Sanction.none
            row.sanctionNote = ""
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "peer_visit", entityID: row.id, changes: [
                FieldChange(field: "passed", from: nil, to: String(draft.passed.count)),
            ])
            return Self.record(row)
        }
    }

    /// The local council's decision on a visit, with a sanction where one is due.
    public func decide(_ visitID: UUID, decision: CouncilDecision, on day: String, sanction: Sanction, note: String, by actor: Actor) async throws -> VisitRecord {
        guard BishkekCalendar.start(of: day) != nil else { throw DomainError("certification.date-invalid", field: "decided_on", arguments: ["value": day]) }
        guard decision != .pending else { throw DomainError("certification.visit.decision-required", field: "decision") }
        if decision == .approved && sanction != .none { throw DomainError("certification.visit.sanction-on-approval", field: "sanction") }
        return try await db.writeTransaction { tx in
            guard let row = try await PeerVisit.find(visitID, on: tx) else { throw DomainError.notFound("certification.visit") }
            let before = row.decision
            row.decision = decision
            row.decidedOn = day
            row.sanction = sanction
            row.sanctionNote = String(note.trimmingCharacters(in: .whitespacesAndNewlines).prefix(2_000))
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "decide", entity: "peer_visit", entityID: visitID, changes: [
                FieldChange(field: "decision", from: before.rawValue, to: decision.rawValue), FieldChange(field: "sanction", from: nil, to: sanction.rawValue),
            ])
            return Self.record(row)
        }
    }

    static func record(_ r: PeerVisit) -> VisitRecord {
        VisitRecord(id: r.id!, organisationID: r.organisationID,
                    draft: VisitDraft(visitedOn: r.visitedOn, farm: r.farm, visitors: r.visitors,
                                      passed: r.passed.split(separator: " ").compactMap { ChecklistItem(rawValue: String($0)) }, findings: r.findings),
                    decision: r.decision, decidedOn: r.decidedOn, sanction: r.sanction, sanctionNote: r.sanctionNote)
    }
}
