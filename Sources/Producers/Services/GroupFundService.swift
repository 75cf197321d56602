import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct FundLine: Sendable, Equatable {
    public let purse: FundPurse
    public let kind: FundEntryKind
    public let amount: Int
    public let memberID: UUID?
    public let note: String
    public let at: Date
}

public struct FundRecord: Sendable, Equatable {
    public let groupID: UUID
    public let rule: FundRule
    public let balances: [FundPurse: Int]
    public let lines: [FundLine]
}

public struct ClaimRecord: Sendable, Equatable {
    public let id: UUID
    public let groupID: UUID
    public let memberID: UUID
    public let reason: String
    public let amount: Int
    public let status: ClaimStatus
    public let approvals: Int
    public let refusals: Int
    /// Approving votes that carry it under the group's rule.
    public let needed: Int
    public let at: Date
}

/// The group fund: levies from sales and members' dues in; claims, decided by the members' recorded
/// vote, out — never more than the fund holds. The maintenance purse takes equipment fees and pays repairs.
public struct GroupFundService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func fund(_ groupID: UUID) async throws -> FundRecord {
        guard let group = try await ProducerGroup.find(groupID, on: db) else { throw DomainError.notFound("producers.group") }
        let rows = try await FundEntry.query(on: db).filter(\.$groupID == groupID).sort(\.$createdAt).sort(\.$id).all()
        return FundRecord(groupID: groupID, rule: group.fundRule,
                          balances: Dictionary(uniqueKeysWithValues: FundPurse.allCases.map { purse in
                              (purse, rows.filter { $0.purse == purse }.reduce(0) { $0 + $1.amount })
                          }),
                          lines: rows.map { FundLine(purse: $0.purse, kind: $0.kind, amount: $0.amount, memberID: $0.memberID, note: $0.note,
                                                     at: $0.createdAt ?? Date()) })
    }

    /// A member's dues paid into the risk fund.
    public func payDues(_ memberID: UUID, amount: Int, by actor: Actor) async throws {
        guard amount > 0 else { throw DomainError("producers.amount-invalid", field: "amount") }
        try await db.writeTransaction { tx in
            let member = try await MemberAccountService.member(memberID, on: tx)
            try await Self.post(on: tx, group: member.groupID, purse: .risk, kind: .dues, amount: amount, member: memberID, source: nil,
                                note: "", by: actor.acting(for: member.personID))
        }
    }

    public func setRule(_ groupID: UUID, _ rule: FundRule, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            guard let group = try await ProducerGroup.find(groupID, on: tx) else { throw DomainError.notFound("producers.group") }
            let before = group.fundRule
            group.fundRule = rule
            try await group.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "producer_group", entityID: groupID, changes: [
                FieldChange(field: "fund_rule", from: before.rawValue, to: rule.rawValue),
            ])
        }
    }

    /// A member asks the fund for help; the members then vote.
    public func claim(_ memberID: UUID, reason: String, amount: Int, by actor: Actor) async throws -> ClaimRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.isEmpty { throw DomainError("producers.claim-reason-required", field: "reason") }
        guard amount > 0 else { throw DomainError("producers.amount-invalid", field: "amount") }
        let id = try await db.writeTransaction { tx in
            let member = try await MemberAccountService.member(memberID, on: tx)
            let claim = FundClaim()
            claim.groupID = member.groupID
            claim.memberID = memberID
            claim.reason = reason
            claim.amount = amount
            claim.status = .open
            try await claim.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor.acting(for: member.personID), action: "create", entity: "fund_claim",
                                      entityID: claim.id, changes: [FieldChange(field: "amount", from: nil, to: String(amount))])
            return claim.id!
        }
        return try await self.claim(id)
    }

    public func claim(_ id: UUID) async throws -> ClaimRecord {
        guard let claim = try await FundClaim.find(id, on: db) else { throw DomainError.notFound("producers.claim") }
        return try await records([claim]).first!
    }

    /// A group's claims, newest first, with their votes.
    public func claims(_ groupID: UUID) async throws -> [ClaimRecord] {
        try await records(try await FundClaim.query(on: db).filter(\.$groupID == groupID).sort(\.$createdAt, .descending).all())
    }

    /// Records one member's vote (she may change it while the claim is open) and decides the claim once
    /// the vote is carried or can no longer be.
    public func vote(_ claimID: UUID, member memberID: UUID, approve: Bool, by actor: Actor) async throws -> ClaimRecord {
        try await db.writeTransaction { tx in
            try await RowLock.lock(FundClaim.schema, id: claimID, on: tx)
            guard let claim = try await FundClaim.find(claimID, on: tx) else { throw DomainError.notFound("producers.claim") }
            guard claim.status == .open else { throw DomainError("producers.claim-decided", kind: .conflict) }
            let voter = try await MemberAccountService.member(memberID, on: tx)
            guard voter.groupID == claim.groupID else { throw DomainError.notFound("producers.member") }
            let vote = try await FundVote.query(on: tx).filter(\.$claimID == claimID).filter(\.$memberID == memberID).first() ?? FundVote()
            vote.claimID = claimID
            vote.memberID = memberID
            vote.approve = approve
            try await vote.save(on: tx)
            let service = GroupFundService(db: tx)
            let counted = try await service.records([claim]).first!
            let group = try await ProducerGroup.find(claim.groupID, on: tx)!
            let members = try await ProducerMember.query(on: tx).filter(\.$groupID == claim.groupID).count()
            switch FundVoting.decide(approvals: counted.approvals, refusals: counted.refusals, members: members, rule: group.fundRule) {
            case .approved: claim.status = .approved
            case .rejected: claim.status = .rejected
            case .pending: break
            }
            try await claim.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor.acting(for: voter.personID), action: "create", entity: "fund_vote", entityID: vote.id,
                                      changes: [FieldChange(field: "approve", from: nil, to: String(approve))])
            return try await service.records([claim]).first!
        }
    }

    /// Pays an approved claim out of the risk fund; refused if the fund does not hold that much.
    public func pay(_ claimID: UUID, by actor: Actor) async throws -> ClaimRecord {
        try await db.writeTransaction { tx in
            try await RowLock.lock(FundClaim.schema, id: claimID, on: tx)
            guard let claim = try await FundClaim.find(claimID, on: tx) else { throw DomainError.notFound("producers.claim") }
            guard claim.status == .approved else {
                throw DomainError(claim.status == .paid ? "producers.claim-paid" : "producers.claim-not-approved", kind: .conflict)
            }
            try await Self.spend(on: tx, group: claim.groupID, purse: .risk, kind: .claim, amount: claim.amount, member: claim.memberID,
                                 source: claimID, note: claim.reason, by: actor)
            claim.status = .paid
            try await claim.update(on: tx)
            return try await GroupFundService(db: tx).records([claim]).first!
        }
    }

    // MARK: -

    func records(_ claims: [FundClaim]) async throws -> [ClaimRecord] {
        guard let groupID = claims.first?.groupID else { return [] }
        let votes = Dictionary(grouping: try await FundVote.query(on: db).filter(\.$claimID ~~ claims.compactMap(\.id)).all(), by: \.claimID)
        let rule = try await ProducerGroup.find(groupID, on: db)?.fundRule ?? .simpleMajority
        let members = try await ProducerMember.query(on: db).filter(\.$groupID == groupID).count()
        return claims.map { c in
            let cast = votes[c.id!] ?? []
            return ClaimRecord(id: c.id!, groupID: c.groupID, memberID: c.memberID, reason: c.reason, amount: c.amount, status: c.status,
                               approvals: cast.filter(\.approve).count, refusals: cast.filter { !$0.approve }.count,
                               needed: rule.votesNeeded(members: members), at: c.createdAt ?? Date())
        }
    }

    /// Takes money out of a purse inside the caller's transaction; never more than the purse holds.
    static func spend(on tx: any Database, group: UUID, purse: FundPurse, kind: FundEntryKind, amount: Int, member: UUID?, source: UUID?,
                      note: String, by actor: Actor) async throws {
        try await RowLock.lock(ProducerGroup.schema, id: group, on: tx)
        let balance = try await FundEntry.query(on: tx).filter(\.$groupID == group).filter(\.$purse == purse).all(\.$amount).reduce(0, +)
        guard amount <= balance else {
            throw DomainError("producers.fund-short", kind: .conflict, arguments: ["balance": Som.format(balance)])
        }
        try await post(on: tx, group: group, purse: purse, kind: kind, amount: -amount, member: member, source: source, note: note, by: actor)
    }

    static func post(on tx: any Database, group: UUID, purse: FundPurse, kind: FundEntryKind, amount: Int, member: UUID?, source: UUID?,
                     note: String, by actor: Actor) async throws {
        let entry = FundEntry()
        entry.groupID = group
        entry.purse = purse
        entry.kind = kind
        entry.amount = amount
        entry.memberID = member
        entry.sourceID = source
        entry.note = note
        try await entry.create(on: tx)
        try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "fund_entry", entityID: entry.id, changes: [
            FieldChange(field: "purse", from: nil, to: purse.rawValue), FieldChange(field: "amount", from: nil, to: String(amount)),
        ])
    }
}
