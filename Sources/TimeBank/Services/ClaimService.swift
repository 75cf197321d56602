import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct ClaimRecord: Sendable, Equatable {
    public let id: UUID
    public let bankID: UUID
    public let providerID: UUID
    public let recipientID: UUID
    public let claimantID: UUID
    public let minutes: Int
    public let categoryID: UUID?
    public let serviceDate: String
    public let note: String?
    public let status: ClaimStatus
    public let createdAt: Date
    public let declineReason: String?
    public let transferID: UUID?

    /// The member who must confirm: the one who did not record it.
    public var confirmerID: UUID { claimantID == providerID ? recipientID : providerID }
}

/// An exchange as a member records it herself.
public struct ClaimDraft: Sendable {
    public enum Direction: String, Sendable, CaseIterable {
        /// She served the other member.
        case gave
        /// The other member served her.
        case received
    }

    public var bankID: UUID
    public var claimantID: UUID
    public var otherID: UUID
    public var direction: Direction
    public var minutes: Int
    public var categoryID: UUID?
    public var serviceDate: String
    public var note: String?

    public init(bankID: UUID, claimantID: UUID, otherID: UUID, direction: Direction, minutes: Int, categoryID: UUID? = nil,
                serviceDate: String, note: String? = nil) {
        self.bankID = bankID
        self.claimantID = claimantID
        self.otherID = otherID
        self.direction = direction
        self.minutes = minutes
        self.categoryID = categoryID
        self.serviceDate = serviceDate
        self.note = note
    }
}

/// Who decides on a claim: the bank's staff, or a member for herself.
public enum ClaimDecider: Sendable {
    case staff
    case person(UUID)
}

/// Exchanges members record themselves. A claim moves no credit: when the other party (or the bank's
/// staff) confirms it, it is booked through the ledger in the same transaction that marks it confirmed.
public struct ClaimService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func submit(_ draft: ClaimDraft, by actor: Actor) async throws -> ClaimRecord {
        var errors: [DomainError] = []
        if draft.minutes <= 0 { errors.append(DomainError("timebank.minutes-invalid", field: "minutes")) }
        if draft.otherID == draft.claimantID { errors.append(DomainError("timebank.same-member", field: "other")) }
        var serviceDate = draft.serviceDate
        do { serviceDate = try ServiceDate.validate(draft.serviceDate) } catch let error as DomainError { errors.append(error) }
        let note = draft.note?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        if let note, note.count > 500 { errors.append(DomainError("timebank.note-too-long", field: "note", arguments: ["max": "500"])) }
        try ValidationErrors.throwIfAny(errors)
        let checkedDate = serviceDate
        return try await db.writeTransaction { tx in
            _ = try await Ledger.memberAccounts(draft.bankID, [draft.claimantID, draft.otherID], on: tx)
            if let categoryID = draft.categoryID, try await ServiceCategory.find(categoryID, on: tx) == nil {
                throw DomainError("timebank.category-invalid", field: "category_id")
            }
            let claim = ExchangeClaim()
            claim.bankID = draft.bankID
            claim.claimantID = draft.claimantID
            claim.providerID = draft.direction == .gave ? draft.claimantID : draft.otherID
            claim.recipientID = draft.direction == .gave ? draft.otherID : draft.claimantID
            claim.minutes = draft.minutes
            claim.categoryID = draft.categoryID
            claim.serviceDate = checkedDate
            claim.note = note
            claim.status = .pending
            try await claim.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "timebank_claim", entityID: claim.id, changes: [
                FieldChange(field: "minutes", from: nil, to: String(draft.minutes)),
                FieldChange(field: "service_date", from: nil, to: checkedDate),
            ])
            return Self.record(claim)
        }
    }

    /// Books the claim as a transfer. The ledger's limits apply as to any transfer.
    public func confirm(_ bankID: UUID, _ claimID: UUID, decider: ClaimDecider, by actor: Actor) async throws -> TransferRecord {
        try await db.writeTransaction { tx in
            let claim = try await Self.pendingClaim(bankID, claimID, decider: decider, on: tx)
            let transfer = try await Ledger(db: tx).record(
                ExchangeDraft(bankID: bankID, provider: claim.providerID, recipient: claim.recipientID, minutes: claim.minutes,
                              categoryID: claim.categoryID, serviceDate: claim.serviceDate, note: claim.note),
                by: actor)
            claim.status = .confirmed
            claim.transferID = transfer.id
            claim.decidedAt = Date()
            claim.decidedByLogin = actor.login
            try await claim.update(on: tx)
            return transfer
        }
    }

    public func decline(_ bankID: UUID, _ claimID: UUID, reason: String?, decider: ClaimDecider, by actor: Actor) async throws -> ClaimRecord {
        let reason = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        if let reason, reason.count > 500 { throw DomainError("timebank.note-too-long", field: "reason", arguments: ["max": "500"]) }
        return try await db.writeTransaction { tx in
            let claim = try await Self.pendingClaim(bankID, claimID, decider: decider, on: tx)
            claim.status = .declined
            claim.declineReason = reason
            claim.decidedAt = Date()
            claim.decidedByLogin = actor.login
            try await claim.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "decline", entity: "timebank_claim", entityID: claim.id,
                                      changes: [FieldChange(field: "status", from: ClaimStatus.pending.rawValue, to: ClaimStatus.declined.rawValue)])
            return Self.record(claim)
        }
    }

    /// Claims waiting in a bank, oldest first.
    public func pending(_ bankID: UUID) async throws -> [ClaimRecord] {
        try await ExchangeClaim.query(on: db).filter(\.$bankID == bankID).filter(\.$status == .pending)
            .sort(\.$createdAt).all().map(Self.record)
    }

    /// A member's claims, either side, newest first: what waits for her, what waits for others, what was decided.
    public func claims(involving memberIDs: [UUID], limit: Int = 50) async throws -> [ClaimRecord] {
        guard !memberIDs.isEmpty else { return [] }
        return try await ExchangeClaim.query(on: db)
            .group(.or) { $0.filter(\.$providerID ~~ memberIDs).filter(\.$recipientID ~~ memberIDs) }
            .sort(\.$createdAt, .descending).limit(limit).all().map(Self.record)
    }

    public func claim(_ bankID: UUID, _ claimID: UUID) async throws -> ClaimRecord {
        guard let claim = try await ExchangeClaim.find(claimID, on: db), claim.bankID == bankID else {
            throw DomainError.notFound("timebank.claim")
        }
        return Self.record(claim)
    }

    static func pendingClaim(_ bankID: UUID, _ claimID: UUID, decider: ClaimDecider, on db: any Database) async throws -> ExchangeClaim {
        guard let claim = try await ExchangeClaim.find(claimID, on: db), claim.bankID == bankID else {
            throw DomainError.notFound("timebank.claim")
        }
        guard claim.status == .pending else { throw DomainError("timebank.claim.decided", kind: .conflict) }
        if case .person(let personID) = decider {
            let confirmer = Self.record(claim).confirmerID
            guard let member = try await TimeBankMember.find(confirmer, on: db), member.personID == personID else {
                throw DomainError("timebank.claim.not-yours", kind: .forbidden)
            }
        }
        return claim
    }

    static func record(_ c: ExchangeClaim) -> ClaimRecord {
        ClaimRecord(id: c.id!, bankID: c.bankID, providerID: c.providerID, recipientID: c.recipientID, claimantID: c.claimantID,
                    minutes: c.minutes, categoryID: c.categoryID, serviceDate: c.serviceDate, note: c.note, status: c.status,
                    createdAt: c.createdAt ?? Date(), declineReason: c.declineReason, transferID: c.transferID)
    }
}
