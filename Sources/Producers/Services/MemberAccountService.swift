import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

public struct AccountLine: Sendable, Equatable {
    public let id: UUID
    public let kind: AccountEntryKind
    public let amount: Int
    public let sourceID: UUID?
    public let note: String
    public let at: Date
}

public struct AccountRecord: Sendable, Equatable {
    public let memberID: UUID
    /// Positive: the group owes her; negative: she owes the group.
    public let balance: Int
    public let lines: [AccountLine]
}

/// Each member's money account with her group: what she owes (bills, fees) and is owed (payouts),
/// the cash that changed hands. Lines are only ever added.
public struct MemberAccountService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func account(_ memberID: UUID) async throws -> AccountRecord {
        _ = try await Self.member(memberID, on: db)
        let rows = try await AccountEntry.query(on: db).filter(\.$memberID == memberID).sort(\.$createdAt).sort(\.$id).all()
        return AccountRecord(memberID: memberID, balance: rows.reduce(0) { $0 + $1.amount }, lines: rows.map {
            AccountLine(id: $0.id!, kind: $0.kind, amount: $0.amount, sourceID: $0.sourceID, note: $0.note, at: $0.createdAt ?? Date())
        })
    }

    /// Every member's balance in a group, by member id.
    public func balances(_ groupID: UUID) async throws -> [UUID: Int] {
        let rows = try await AccountEntry.query(on: db).filter(\.$groupID == groupID).field(\.$memberID).field(\.$amount).all()
        return rows.reduce(into: [:]) { $0[$1.memberID, default: 0] += $1.amount }
    }

    /// Cash she paid the group, against a round's bill (`source`) or her account in general.
    public func recordPayment(_ memberID: UUID, amount: Int, source: UUID? = nil, note: String = "", by actor: Actor) async throws -> AccountRecord {
        guard amount > 0 else { throw DomainError("producers.amount-invalid", field: "amount") }
        try await db.writeTransaction { tx in
            let member = try await Self.member(memberID, on: tx)
            try await Self.post(on: tx, member: member, kind: .payment, amount: amount, source: source, note: note, by: actor)
        }
        return try await account(memberID)
    }

    /// Splits a cost the group carries together equally among its members (largest remainder, so the
    /// shares add up to the cost exactly) and charges each her share, inside the caller's transaction.
    /// Returns the shares by member.
    public func shareCost(_ groupID: UUID, amount: Int, source: UUID, note: String, by actor: Actor) async throws -> [UUID: Int] {
        guard amount > 0 else { throw DomainError("producers.amount-invalid", field: "amount") }
        let members = try await ProducerMember.query(on: db).filter(\.$groupID == groupID).sort(\.$joinedOn).sort(\.$id).all()
        guard !members.isEmpty else { throw DomainError("producers.no-members", field: "amount") }
        let shares = Apportion.split(amount, by: members.map { _ in 1 })
        try await Self.post(on: db, zip(members, shares).filter { $0.1 > 0 }.map { (AccountHolder($0), -$1) }, kind: .sharedCost,
                            source: source, note: note, by: actor)
        return Dictionary(uniqueKeysWithValues: zip(members.map { $0.id! }, shares))
    }

    static func member(_ id: UUID, on db: any Database) async throws -> ProducerMember {
        guard let member = try await ProducerMember.find(id, on: db) else { throw DomainError.notFound("producers.member") }
        return member
    }

    /// Whose account a line goes to: the member, her group, and the woman herself (for the audit).
    struct AccountHolder: Sendable {
        let id: UUID
        let groupID: UUID
        let personID: UUID

        init(id: UUID, groupID: UUID, personID: UUID) { (self.id, self.groupID, self.personID) = (id, groupID, personID) }
        init(_ member: ProducerMember) { self.init(id: member.id!, groupID: member.groupID, personID: member.personID) }
    }

    /// The holders of these members' accounts, read in one query, by member id; not found if any of them
    /// is not a member. Read with SQL, not as models: a settlement bills every member of the round.
    static func holders(_ ids: [UUID], on db: any Database) async throws -> [UUID: AccountHolder] {
        guard !ids.isEmpty else { return [:] }
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT id, group_id, person_id FROM producer_members WHERE id IN (\(SQLQueryString.list(ids)))
            """).all()
        let found = Dictionary(uniqueKeysWithValues: try rows.map { row in
            let holder = AccountHolder(id: try row.decode(column: "id", as: UUID.self), groupID: try row.decode(column: "group_id", as: UUID.self),
                                       personID: try row.decode(column: "person_id", as: UUID.self))
            return (holder.id, holder)
        })
        guard ids.allSatisfy({ found[$0] != nil }) else { throw DomainError.notFound("producers.member") }
        return found
    }

    /// Adds one line to a member's account, inside the caller's transaction.
    static func post(on tx: any Database, member: ProducerMember, kind: AccountEntryKind, amount: Int, source: UUID?, note: String,
                     by actor: Actor) async throws {
        try await post(on: tx, [(AccountHolder(member), amount)], kind: kind, source: source, note: note, by: actor)
    }

    /// Adds a line to each member's account — a round's bills, a cost's shares — inside the caller's
    /// transaction: the lines in one statement and their audit entries in another, not a few per member.
    static func post(on tx: any Database, _ postings: [(holder: AccountHolder, amount: Int)], kind: AccountEntryKind, source: UUID?,
                     note: String, by actor: Actor) async throws {
        try await AuditLog.record(on: tx, try await postLeavingAudit(on: tx, postings, kind: kind, source: source, note: note, by: actor))
    }

    /// As `post`, handing the lines' audit entries back for the caller to record with its own in one statement.
    static func postLeavingAudit(on tx: any Database, _ postings: [(holder: AccountHolder, amount: Int)], kind: AccountEntryKind,
                                 source: UUID?, note: String, by actor: Actor) async throws -> [AuditLog.Line] {
        guard !postings.isEmpty else { return [] }
        let note = note.trimmingCharacters(in: .whitespacesAndNewlines)
        let ids = postings.map { _ in UUID() }
        // The lines as one JSON value, not Fluent models: reflecting over a model's fields for each line
        // was the largest part of a settlement's time after the database's own (docs/PERFORMANCE.md).
        var lines = JSONRows([("id", .uuid), ("group_id", .uuid), ("member_id", .uuid), ("kind", .text), ("amount", .integer),
                              ("source_id", .uuid), ("note", .text)])
        for (id, posting) in zip(ids, postings) {
            lines.append(.uuid(id), .uuid(posting.holder.groupID), .uuid(posting.holder.id), .text(kind.rawValue), .integer(posting.amount),
                         .uuid(source), .text(note))
        }
        let sql = tx as! any SQLDatabase
        try await sql.raw("""
            INSERT INTO producer_account_entries (id, group_id, member_id, kind, amount, source_id, note, created_at) \
            \(lines.select(", \(bind: Date())", on: sql))
            """).run()
        return zip(postings, ids).map { posting, id in
            AuditLog.Line(actor: actor.acting(for: posting.holder.personID), action: "create", entity: "producer_account_entry",
                          entityID: id, changes: [
                FieldChange(field: "kind", from: nil, to: kind.rawValue), FieldChange(field: "amount", from: nil, to: String(posting.amount)),
            ])
        }
    }
}
