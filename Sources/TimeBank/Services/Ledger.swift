import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

public struct TransferRecord: Sendable, Equatable {
    public let id: UUID
    public let bankID: UUID
    public let minutes: Int
    public let serviceDate: String
    public let categoryID: UUID?
    public let note: String?
    public let slipNumber: String?
    public let reversesID: UUID?
    public let recordedAt: Date
    /// Member ids that earned, and that paid, with their minutes.
    public let providers: [MemberLeg]
    public let recipients: [MemberLeg]
}

public struct MemberLeg: Sendable, Equatable {
    public let memberID: UUID
    public let minutes: Int

    public init(memberID: UUID, minutes: Int) {
        self.memberID = memberID
        self.minutes = minutes
    }
}

/// An exchange as a form, the API or a paper slip gives it.
public struct ExchangeDraft: Sendable {
    public var bankID: UUID
    public var providers: [MemberLeg]
    public var recipients: [MemberLeg]
    public var categoryID: UUID?
    public var serviceDate: String
    public var note: String?
    public var slipNumber: String?
    /// A network admin may take an account past its limit, with a written reason (audited).
    public var overrideReason: String?

    public init(bankID: UUID, providers: [MemberLeg], recipients: [MemberLeg], categoryID: UUID? = nil, serviceDate: String,
                note: String? = nil, slipNumber: String? = nil, overrideReason: String? = nil) {
        self.bankID = bankID
        self.providers = providers
        self.recipients = recipients
        self.categoryID = categoryID
        self.serviceDate = serviceDate
        self.note = note
        self.slipNumber = slipNumber
        self.overrideReason = overrideReason
    }

    /// The draft as it will be booked: its date checked, its texts trimmed. Needs no database.
    public func normalized() throws -> ExchangeDraft {
        var draft = self
        draft.serviceDate = try ServiceDate.validate(serviceDate)
        draft.note = note?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        draft.slipNumber = slipNumber?.trimmingCharacters(in: .whitespaces).nonEmpty
        draft.overrideReason = overrideReason?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        if let note = draft.note, note.count > 500 { throw DomainError("timebank.note-too-long", field: "note", arguments: ["max": "500"]) }
        return draft
    }

    /// One member served another.
    public init(bankID: UUID, provider: UUID, recipient: UUID, minutes: Int, categoryID: UUID? = nil, serviceDate: String,
                note: String? = nil, slipNumber: String? = nil) {
        self.init(bankID: bankID, providers: [MemberLeg(memberID: provider, minutes: minutes)],
                  recipients: [MemberLeg(memberID: recipient, minutes: minutes)], categoryID: categoryID,
                  serviceDate: serviceDate, note: note, slipNumber: slipNumber)
    }
}

public struct AccountRecord: Sendable, Equatable {
    public let memberID: UUID
    public let balanceMinutes: Int
    public let lowerLimitMinutes: Int?
    public let upperLimitMinutes: Int?
}

public struct StatementLine: Sendable, Equatable {
    public let transferID: UUID
    public let serviceDate: String
    public let recordedAt: Date
    public let minutes: Int
    public let balanceAfter: Int
    public let categoryID: UUID?
    public let note: String?
    public let reversesID: UUID?
    /// The other side is the bank's own account: a welcome credit, community work.
    public let withBank: Bool
}

public struct Statement: Sendable {
    public let memberID: UUID
    /// Before the period's first entry, and after its last.
    public let openingBalance: Int
    public let closingBalance: Int
    /// The page asked for (all of the period's lines when no page was).
    public let lines: [StatementLine]
    /// Lines in the whole period.
    public let total: Int
}

/// The time bank's books: append-only double entry. Every transfer's entries sum to zero; each
/// account's balance is updated in the same transaction, by a conditional UPDATE that refuses to pass a
/// limit, so two concurrent transfers can never both spend the same last hour.
public struct Ledger: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Books one exchange: in the transaction `db` is in, or in one of its own. (Many at once: `BookingQueue`.)
    public func record(_ draft: ExchangeDraft, by actor: Actor) async throws -> TransferRecord {
        let request = BookingRequest(try draft.normalized(), by: actor)
        return try await db.writeTransaction { tx in try await Self.book([request], on: tx)[0].get() }
    }

    /// Books several exchanges in one transaction, in order, each seeing the ones before it; a refused one
    /// gets its reason and leaves no trace, the others are booked.
    public func book(_ requests: [BookingRequest]) async throws -> [Result<TransferRecord, any Error>] {
        let normalized = requests.map { r in Result { try r.normalized() } }
        let valid = normalized.compactMap { try? $0.get() }
        var booked = try await db.writeTransaction { tx in try await Self.book(valid, on: tx) }.makeIterator()
        return normalized.map { r in r.flatMap { _ in booked.next()! } }
    }

    /// Books the opposite of a transfer, pointing at it. A transfer is reversed at most once.
    public func reverse(_ bankID: UUID, transferID: UUID, note: String? = nil, by actor: Actor) async throws -> TransferRecord {
        try await db.writeTransaction { tx in
            guard let original = try await TimeTransfer.find(transferID, on: tx), original.bankID == bankID else {
                throw DomainError.notFound("timebank.transfer")
            }
            if original.reversesID != nil { throw DomainError("timebank.transfer.is-reversal", kind: .conflict) }
            if try await TimeTransfer.query(on: tx).filter(\.$reversesID == transferID).first() != nil {
                throw DomainError("timebank.transfer.already-reversed", kind: .conflict)
            }
            let entries = try await TimeEntry.query(on: tx).filter(\.$transferID == transferID).all()
            let changes = Posting.reversal(of: Dictionary(entries.map { ($0.accountID, $0.minutes) }, uniquingKeysWith: +))
            let reversal = try await Ledger(db: tx).post(
                bankID: bankID, changes: changes,
                details: .init(minutes: original.minutes, serviceDate: ServiceDate.string(Date()), categoryID: original.categoryID,
                               note: note?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty, reversesID: transferID),
                checkLimits: true, by: actor)
            return try await Ledger(db: tx).transfer(bankID, reversal.id)
        }
    }

    struct Details {
        /// Nil for a new transfer; the id it was made with, for one copied from another server.
        var id: UUID?
        var minutes: Int
        var serviceDate: String
        var categoryID: UUID?
        var note: String?
        var slipNumber: String?
        var reversesID: UUID?
        var overrideReason: String?
        var purpose: TransferPurpose?
    }

    /// Writes one transfer with these account changes. Must run inside a transaction.
    func post(bankID: UUID, changes: [UUID: Int], details: Details, checkLimits: Bool, by actor: Actor) async throws -> (id: UUID, recordedAt: Date) {
        try await Self.write([Plan(bankID: bankID, changes: changes, details: details, checkLimits: checkLimits, actor: actor)], on: db)[0].get()
    }

    public func transfer(_ bankID: UUID, _ id: UUID) async throws -> TransferRecord {
        guard let t = try await TimeTransfer.find(id, on: db), t.bankID == bankID else { throw DomainError.notFound("timebank.transfer") }
        let entries = try await TimeEntry.query(on: db).filter(\.$transferID == id).all()
        let accounts = try await TimeAccount.query(on: db).filter(\.$id ~~ entries.map(\.accountID)).all()
        // Member accounts only: the bank's own account (a welcome credit) has no member.
        let memberOf: [UUID: UUID] = Dictionary(accounts.compactMap { a in a.memberID.map { (a.id!, $0) } }, uniquingKeysWith: { a, _ in a })
        let legs = entries.compactMap { e in memberOf[e.accountID].map { (member: $0, minutes: e.minutes) } }
        return TransferRecord(id: id, bankID: bankID, minutes: t.minutes, serviceDate: t.serviceDate, categoryID: t.categoryID,
                              note: t.note, slipNumber: t.slipNumber, reversesID: t.reversesID, recordedAt: t.recordedAt,
                              providers: legs.filter { $0.minutes > 0 }.map { MemberLeg(memberID: $0.member, minutes: $0.minutes) },
                              recipients: legs.filter { $0.minutes < 0 }.map { MemberLeg(memberID: $0.member, minutes: -$0.minutes) })
    }

    public func account(_ bankID: UUID, member memberID: UUID) async throws -> AccountRecord {
        let account = try await Self.memberAccount(bankID, memberID, on: db)
        return AccountRecord(memberID: memberID, balanceMinutes: account.balance, lowerLimitMinutes: account.lower, upperLimitMinutes: account.upper)
    }

    /// A member's account in this bank, in one statement rather than two reads as models: her balance and
    /// statement are what offices and phones ask for most. Not her bank's member: not found.
    static func memberAccount(_ bankID: UUID, _ memberID: UUID, on db: any Database) async throws
        -> (id: UUID, balance: Int, lower: Int?, upper: Int?) {
        guard let row = try await (db as! any SQLDatabase).raw("""
            SELECT a.id, a.balance_minutes, a.lower_limit_minutes, a.upper_limit_minutes
            FROM timebank_members m JOIN timebank_accounts a ON a.member_id = m.id
            WHERE m.id = \(bind: memberID) AND m.bank_id = \(bind: bankID)
            """).first() else { throw DomainError.notFound("timebank.member") }
        return (try row.decode(column: "id", as: UUID.self), try row.decode(column: "balance_minutes", as: Int.self),
                try row.decode(column: "lower_limit_minutes", as: Int?.self), try row.decode(column: "upper_limit_minutes", as: Int?.self))
    }

    /// Of these transfers, the ones a reversal already points at: one indexed read, however many.
    public func reversed(among ids: some Collection<UUID>) async throws -> Set<UUID> {
        try await Self.reversed(among: Set(ids), on: db as! any SQLDatabase)
    }

    static func reversed(among ids: Set<UUID>, on sql: any SQLDatabase) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.raw("SELECT reverses_id FROM timebank_transfers WHERE reverses_id IN (\(SQLQueryString.list(Array(ids))))").all()
        return Set(try rows.map { try $0.decode(column: "reverses_id", as: UUID.self) })
    }

    /// A member's entries booked between two Bishkek calendar days (inclusive), with the running balance:
    /// the period's opening and closing balances, and one page of its lines in booking order (all of them
    /// when `page` is nil). A page costs the same however long her history: the entries are read by
    /// (account, sequence), the index the ledger keeps anyway.
    public func statement(_ bankID: UUID, member memberID: UUID, from: String?, to: String?, page: PageQuery? = nil) async throws -> Statement {
        let account = try await Self.memberAccount(bankID, memberID, on: db)
        let start = try from.map { try Self.startOfDay(ServiceDate.validate($0, today: .distantFuture)) }
        let end = try to.map { try Self.startOfDay(ServiceDate.validate($0, today: .distantFuture)).addingTimeInterval(86_400) }
        let sql = db as! any SQLDatabase
        // The account's first or last entry among those booked in `period`, read with SQL, not as a model.
        func edge(_ period: SQLQueryString, last: Bool) async throws -> (sequence: Int, minutes: Int, balanceAfter: Int)? {
            guard let row = try await sql.raw("""
                SELECT sequence, minutes, balance_after FROM timebank_entries WHERE account_id = \(bind: account.id)\(period as any SQLExpression) \
                ORDER BY sequence \(unsafeRaw: last ? "DESC" : "ASC") LIMIT 1
                """).first() else { return nil }
            return (try row.decode(column: "sequence", as: Int.self), try row.decode(column: "minutes", as: Int.self),
                    try row.decode(column: "balance_after", as: Int.self))
        }
        var period: SQLQueryString = ""
        if let start { period.appendInterpolation(" AND recorded_at >= \(bind: start)" as SQLQueryString) }
        if let end { period.appendInterpolation(" AND recorded_at < \(bind: end)" as SQLQueryString) }
        let first = try await edge(period, last: false)
        let last = try await edge(period, last: true)
        // Nothing booked in the period: it opens where her last entry before it left her, or at zero when
        // it starts at the beginning (a period that ends before her first entry).
        var opening = 0
        if let first {
            opening = first.balanceAfter - first.minutes
        } else if let start {
            opening = try await edge(" AND recorded_at < \(bind: start)", last: true)?.balanceAfter ?? 0
        }
        var total = 0
        var lines: [StatementLine] = []
        if let first, let last {
            total = last.sequence - first.sequence + 1  // sequences run 1, 2, 3, … in each account, without gaps
            // A page is a range of sequences, read straight off the (account, sequence) index however deep
            // the page; one plain query with each line's transfer, no model reflection.
            let lower = first.sequence + (page?.offset ?? 0)
            let upper = page.map { min(first.sequence + $0.offset + $0.per - 1, last.sequence) } ?? last.sequence
            let rows = lower > upper ? [] : try await sql.raw("""
                SELECT e.transfer_id, e.minutes, e.balance_after, e.recorded_at, t.service_date, t.category_id, t.note, t.reverses_id,
                    EXISTS (SELECT 1 FROM timebank_entries b WHERE b.transfer_id = e.transfer_id
                            AND b.account_id = (SELECT id FROM timebank_accounts WHERE bank_id = \(bind: bankID) AND kind = 'bank')) AS with_bank
                FROM timebank_entries e JOIN timebank_transfers t ON t.id = e.transfer_id
                WHERE e.account_id = \(bind: account.id) AND e.sequence >= \(bind: lower) AND e.sequence <= \(bind: upper)
                ORDER BY e.sequence
                """).all()
            lines = try rows.map { r in
                StatementLine(transferID: try r.decode(column: "transfer_id", as: UUID.self), serviceDate: try r.decode(column: "service_date", as: String.self),
                              recordedAt: try r.decode(column: "recorded_at", as: Date.self), minutes: try r.decode(column: "minutes", as: Int.self),
                              balanceAfter: try r.decode(column: "balance_after", as: Int.self),
                              categoryID: try r.decode(column: "category_id", as: UUID?.self), note: try r.decode(column: "note", as: String?.self),
                              reversesID: try r.decode(column: "reverses_id", as: UUID?.self), withBank: try r.decode(column: "with_bank", as: Bool.self))
            }
        }
        return Statement(memberID: memberID, openingBalance: opening, closingBalance: last?.balanceAfter ?? opening, lines: lines,
                         total: total)
    }

    /// Every member's balance at the end of a Bishkek calendar day, by member id: the balance after her
    /// last entry booked by then (members with none by then stand at zero).
    public func balances(_ bankID: UUID, atEndOf day: String) async throws -> [UUID: Int] {
        let end = Self.startOfDay(try ServiceDate.validate(day, today: .distantFuture)).addingTimeInterval(86_400)
        let sql = db as! any SQLDatabase
        let rows = try await sql.raw("""
            SELECT a.member_id AS member_id, e.balance_after AS balance
            FROM timebank_accounts a
            JOIN timebank_entries e ON e.account_id = a.id
            WHERE a.bank_id = \(bind: bankID) AND a.kind = 'member'
              AND e.sequence = (SELECT MAX(e2.sequence) FROM timebank_entries e2 WHERE e2.account_id = a.id AND e2.recorded_at < \(bind: end))
            """).all()
        return Dictionary(try rows.map { (try $0.decode(column: "member_id", as: UUID.self), try $0.decode(column: "balance", as: Int.self)) },
                          uniquingKeysWith: { a, _ in a })
    }

    // MARK: -

    static func memberAccounts(_ bankID: UUID, _ memberIDs: [UUID], on db: any Database) async throws -> [UUID: TimeAccount] {
        let unique = Array(Set(memberIDs))
        let members = try await TimeBankMember.query(on: db).filter(\.$id ~~ unique).filter(\.$bankID == bankID).all()
        guard members.count == unique.count else { throw DomainError.notFound("timebank.member") }
        let accounts = try await TimeAccount.query(on: db).filter(\.$memberID ~~ unique).all()
        return Dictionary(accounts.map { ($0.memberID!, $0) }, uniquingKeysWith: { a, _ in a })
    }

    static func exists(_ table: String, _ id: UUID, on sql: any SQLDatabase) async throws -> Bool {
        try await sql.raw("SELECT 1 AS found FROM \(ident: table) WHERE id = \(bind: id)").first() != nil
    }

    /// An exchange between members of two banks books through clearing accounts: what a member of bank X
    /// earns or pays is matched in X's books by X's clearing account for the recording bank, and in the
    /// recording bank's books by its clearing account for X. Each bank's books still sum to zero, and a
    /// clearing account's balance is the bank's position with the other.
    static func clear(_ changes: inout [UUID: Int], accounts: [AccountState], recordingBank: UUID, on db: any Database) async throws {
        for account in accounts where account.bankID != recordingBank {
            guard let delta = changes[account.id], delta != 0 else { continue }
            let theirs = try await clearingAccount(of: account.bankID, with: recordingBank, on: db)
            let ours = try await clearingAccount(of: recordingBank, with: account.bankID, on: db)
            changes[theirs.id!, default: 0] -= delta
            changes[ours.id!, default: 0] += delta
        }
    }

    static func clearingAccount(of bankID: UUID, with other: UUID, on db: any Database) async throws -> TimeAccount {
        if let existing = try await TimeAccount.query(on: db).filter(\.$bankID == bankID).filter(\.$counterpartBankID == other).first() {
            return existing
        }
        let limit = try await TimeBankSettings.find(bankID, on: db)?.clearingLimitMinutes
        let account = TimeAccount()
        account.bankID = bankID
        account.kind = .clearing
        account.counterpartBankID = other
        account.balanceMinutes = 0
        account.entryCount = 0
        account.lowerLimitMinutes = limit.map { -$0 }
        account.upperLimitMinutes = limit
        try await account.create(on: db)
        return account
    }

    /// Each bank's position with each other bank: positive when its members have received more from the
    /// other bank's members than they gave.
    public func positions() async throws -> [(bankID: UUID, counterpartID: UUID, minutes: Int)] {
        try await TimeAccount.query(on: db).filter(\.$kind == .clearing).all().compactMap { a in
            a.counterpartBankID.map { (bankID: a.bankID, counterpartID: $0, minutes: a.balanceMinutes) }
        }.sorted { ($0.bankID, $0.counterpartID) < ($1.bankID, $1.counterpartID) }
    }

    static func bankAccount(_ bankID: UUID, on db: any Database) async throws -> TimeAccount {
        guard let account = try await TimeAccount.query(on: db).filter(\.$bankID == bankID).filter(\.$kind == .bank).first() else {
            throw DomainError.notFound("timebank.bank")
        }
        return account
    }

    static func limitError(_ account: AccountState, delta: Int, on sql: any SQLDatabase) async throws -> DomainError {
        var number = ""
        if let memberID = account.memberID {
            number = try await sql.raw("SELECT member_number FROM timebank_members WHERE id = \(bind: memberID)").first()?
                .decode(column: "member_number", as: String.self) ?? ""
        }
        var arguments = ["number": number, "balance": String(account.balance)]
        if account.isClearing {
            arguments["limit"] = String(account.upper ?? 0)
            return DomainError("timebank.over-clearing-limit", field: "minutes", arguments: arguments)
        }
        if delta < 0 {
            arguments["limit"] = String(account.lower ?? 0)
            return DomainError("timebank.over-credit-limit", field: "minutes", arguments: arguments)
        }
        arguments["limit"] = String(account.upper ?? 0)
        return DomainError("timebank.over-upper-limit", field: "minutes", arguments: arguments)
    }

    /// A day already checked by `ServiceDate.validate`.
    static func startOfDay(_ day: String) -> Date {
        BishkekCalendar.start(of: day)!
    }
}
