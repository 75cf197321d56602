import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

/// An exchange waiting to be booked, by whom, and — for a request with an `Idempotency-Key` — the
/// answer to keep in the same transaction, so a replay finds it and books nothing new.
public struct BookingRequest: Sendable {
    /// The answer to keep under the key for what came of the request — booked or refused — or nil to keep none.
    public typealias Answer = @Sendable (Result<TransferRecord, any Error>) throws -> IdempotencyReceipt?

    public let draft: ExchangeDraft
    public let actor: Actor
    public let idempotency: IdempotencyKey?
    public let answer: Answer?

    public init(_ draft: ExchangeDraft, by actor: Actor, idempotency: IdempotencyKey? = nil, answer: Answer? = nil) {
        self.draft = draft
        self.actor = actor
        self.idempotency = idempotency
        self.answer = answer
    }

    /// The request with its draft checked and trimmed (`ExchangeDraft.normalized`).
    func normalized() throws -> BookingRequest {
        BookingRequest(try draft.normalized(), by: actor, idempotency: idempotency, answer: answer)
    }
}

/// A refusal whose answer was kept under its request's `Idempotency-Key`, in the transaction that
/// refused it: whoever answers the request need not keep it again. Only requests whose `answer` keeps
/// refusals get one.
public struct RefusalKept: Error {
    public let refusal: any Error
}

/// How the ledger books: a batch of transfers in one transaction, decided in memory and written in a
/// handful of statements whatever the batch's size. The accounts involved are read once — on PostgreSQL
/// locked, in id order, so concurrent batches cannot deadlock; on SQLite the write lock is already held —
/// then each transfer in turn is applied to those balances and refused if it would take one past a limit,
/// so the transfers of one batch see each other exactly as if booked one by one. Then one UPDATE of the
/// balances, one INSERT of the transfers, one of their entries, one of the kept answers — refusals'
/// included: kept apart, each was a commit of its own between two batches.
extension Ledger {
    /// One posting to make: account changes summing to zero, and what the transfer row says.
    struct Plan {
        var bankID: UUID
        var changes: [UUID: Int]
        var details: Details
        var checkLimits: Bool
        var actor: Actor
    }

    /// An account as the batch sees it.
    struct AccountState: Hashable {
        let id: UUID
        let bankID: UUID
        var balance: Int
        var entryCount: Int
        let lower: Int?
        let upper: Int?
        let memberID: UUID?
        let isClearing: Bool
    }

    /// Books the requests, in order, in the transaction `db` is in. A refused request (an unknown member,
    /// a limit, a slip already booked) gets its reason and leaves no trace; the others are booked.
    static func book(_ requests: [BookingRequest], on db: any Database) async throws -> [Result<TransferRecord, any Error>] {
        let sql = db as! any SQLDatabase
        let memberIDs = Array(Set(requests.flatMap { ($0.draft.providers + $0.draft.recipients).map(\.memberID) }))
        let memberAccounts = try await lockAccounts(memberOf: memberIDs, on: sql)
        let accounts = Dictionary(memberAccounts.values.map { ($0.memberID!, $0) }, uniquingKeysWith: { a, _ in a })
        let categories = try await existingIDs("timebank_categories", Set(requests.compactMap(\.draft.categoryID)), on: sql)
        let slipsBooked = try await bookedSlips(requests.map(\.draft), on: sql)
        let keysTaken = try await IdempotencyReceipt.taken(requests.compactMap(\.idempotency), on: sql)

        var results: [Result<TransferRecord, any Error>?] = Array(repeating: nil, count: requests.count)
        var plans: [(index: Int, plan: Plan)] = []
        var keysNow = Set<IdempotencyKey>(), keyOwners = Set<Int>()
        for (index, request) in requests.enumerated() {
            do {
                let draft = request.draft
                if let key = request.idempotency {
                    if keysTaken.contains(key) { throw IdempotencyKeyAnswered() }
                    // Two copies of one request in one batch: the first one's outcome is the key's answer.
                    if !keysNow.insert(key).inserted { throw DomainError("api.idempotency-key-in-flight", kind: .conflict) }
                    keyOwners.insert(index)
                }
                let legs = draft.providers + draft.recipients
                guard legs.allSatisfy({ accounts[$0.memberID] != nil }) else { throw DomainError.notFound("timebank.member") }
                // An account in this bank means the bank exists; none means it does not, or the members are elsewhere.
                guard legs.contains(where: { accounts[$0.memberID]!.bankID == draft.bankID }) else {
                    guard try await exists("timebanks", draft.bankID, on: sql) else { throw DomainError.notFound("timebank.bank") }
                    throw DomainError("timebank.no-member-of-this-bank", field: "provider")
                }
                if let category = draft.categoryID, !categories.contains(category) {
                    throw DomainError("timebank.category-invalid", field: "category_id")
                }
                if let slip = draft.slipNumber, slipsBooked.contains(SlipKey(bankID: draft.bankID, slip: slip)) {
                    throw DomainError("timebank.slip-already-booked", kind: .conflict, field: "slip_number", arguments: ["slip": slip])
                }
                var changes = try Posting.plan(
                    providers: draft.providers.map { Leg(accountID: accounts[$0.memberID]!.id, minutes: $0.minutes) },
                    recipients: draft.recipients.map { Leg(accountID: accounts[$0.memberID]!.id, minutes: $0.minutes) })
                try await clear(&changes, accounts: Array(Set(legs.map { accounts[$0.memberID]! })), recordingBank: draft.bankID, on: db)
                let details = Details(minutes: draft.providers.reduce(0) { $0 + $1.minutes }, serviceDate: draft.serviceDate,
                                      categoryID: draft.categoryID, note: draft.note, slipNumber: draft.slipNumber,
                                      overrideReason: draft.overrideReason)
                plans.append((index, Plan(bankID: draft.bankID, changes: changes, details: details,
                                          checkLimits: draft.overrideReason == nil, actor: request.actor)))
            } catch {
                results[index] = .failure(error)
            }
        }

        // Two requests of one batch with the same slip: the first one booked wins.
        var slipsNow = Set<SlipKey>()
        let written = try await write(plans.map(\.plan), on: db, locked: memberAccounts) { position in
            let draft = requests[plans[position].index].draft
            if let slip = draft.slipNumber, !slipsNow.insert(SlipKey(bankID: draft.bankID, slip: slip)).inserted {
                return DomainError("timebank.slip-already-booked", kind: .conflict, field: "slip_number", arguments: ["slip": slip])
            }
            return nil
        }
        for (position, outcome) in written.enumerated() {
            let index = plans[position].index
            results[index] = outcome.map { TransferRecord(requests[index].draft, posted: $0) }
        }

        var receipts: [IdempotencyReceipt] = [], refusalsKept = Set<Int>()
        for index in keyOwners.sorted() {
            guard let answer = requests[index].answer, let receipt = try answer(results[index]!) else { continue }
            receipts.append(receipt)
            if case .failure = results[index]! { refusalsKept.insert(index) }
        }
        try await IdempotencyReceipt.insert(receipts, on: sql)
        return results.enumerated().map { index, result in
            refusalsKept.contains(index) ? result!.mapError { RefusalKept(refusal: $0) } : result!
        }
    }

    /// Writes the plans that keep every account within its limits (or need not), in order; `admit` may
    /// refuse one before its balances are touched.
    /// `locked`: accounts already read (and locked) in this transaction; the others are read here.
    static func write(_ plans: [Plan], on db: any Database, locked: [UUID: AccountState] = [:],
                      admit: (Int) -> DomainError? = { _ in nil })
        async throws -> [Result<(id: UUID, recordedAt: Date), any Error>] {
        let sql = db as! any SQLDatabase
        let others = Set(plans.flatMap(\.changes.keys)).subtracting(locked.keys)
        var state = locked.merging(try await lockAccounts(others, on: sql), uniquingKeysWith: { a, _ in a })
        let now = Date()
        var outcomes: [Result<(id: UUID, recordedAt: Date), any Error>] = []
        var transfers: [(id: UUID, plan: Plan)] = []
        var entries: [(transfer: UUID, account: UUID, minutes: Int, balance: Int, sequence: Int)] = []
        var touched = Set<UUID>()
        for (position, plan) in plans.enumerated() {
            precondition(plan.changes.values.reduce(0, +) == 0, "a transfer's entries must sum to zero")
            let moves = plan.changes.filter { $0.value != 0 }.sorted { $0.key < $1.key }
            if plan.checkLimits, let (account, delta) = moves.first(where: { !state[$0.key]!.allows($0.value) }) {
                outcomes.append(.failure(try await limitError(state[account]!, delta: delta, on: sql)))
                continue
            }
            if let refusal = admit(position) {
                outcomes.append(.failure(refusal))
                continue
            }
            let id = plan.details.id ?? UUID.timeOrdered(at: now)
            for (account, delta) in moves {
                state[account]!.balance += delta
                state[account]!.entryCount += 1
                entries.append((id, account, delta, state[account]!.balance, state[account]!.entryCount))
                touched.insert(account)
            }
            transfers.append((id, plan))
            outcomes.append(.success((id, now)))
        }
        guard !transfers.isEmpty else { return outcomes }

        // Joined to the accounts' new figures, each account found by its key: a CASE with a branch per
        // account costs accounts × accounts comparisons, which a batch of a thousand exchanges felt.
        var balances = JSONRows([("id", .uuid), ("balance", .integer), ("entries", .integer)])
        for account in touched { balances.append(.uuid(account), .integer(state[account]!.balance), .integer(state[account]!.entryCount)) }
        try await sql.raw("""
            UPDATE timebank_accounts SET balance_minutes = v.balance, entry_count = v.entries
            FROM (\(balances.select(on: sql))) AS v WHERE timebank_accounts.id = v.id
            """).run()

        var rows = JSONRows([("id", .uuid), ("bank_id", .uuid), ("category_id", .uuid), ("minutes", .integer), ("service_date", .text),
                             ("note", .text), ("slip_number", .text), ("reverses_id", .uuid), ("override_reason", .text),
                             ("recorded_by_id", .uuid), ("recorded_by_login", .text), ("on_behalf_of_id", .uuid), ("purpose", .text)])
        for (id, plan) in transfers {
            let d = plan.details
            rows.append(.uuid(id), .uuid(plan.bankID), .uuid(d.categoryID), .integer(d.minutes), .text(d.serviceDate), .text(d.note),
                        .text(d.slipNumber), .uuid(d.reversesID), .text(d.overrideReason), .uuid(plan.actor.userID),
                        .text(plan.actor.login), .uuid(plan.actor.onBehalfOf), .text(d.purpose?.rawValue))
        }
        try await sql.raw("""
            INSERT INTO timebank_transfers (id, bank_id, category_id, minutes, service_date, note, slip_number, reverses_id,
                override_reason, recorded_by_id, recorded_by_login, on_behalf_of_id, purpose, recorded_at) \(rows.select(", \(bind: now)", on: sql))
            """).run()

        var lines = JSONRows([("id", .uuid), ("transfer_id", .uuid), ("account_id", .uuid), ("minutes", .integer),
                              ("balance_after", .integer), ("sequence", .integer)])
        for e in entries {
            lines.append(.uuid(UUID.timeOrdered(at: now)), .uuid(e.transfer), .uuid(e.account), .integer(e.minutes), .integer(e.balance), .integer(e.sequence))
        }
        try await sql.raw("""
            INSERT INTO timebank_entries (id, transfer_id, account_id, minutes, balance_after, sequence, recorded_at) \(lines.select(", \(bind: now)", on: sql))
            """).run()
        let (months, days) = try await reportTotals(transfers, state: state, on: sql)
        try await MonthTotals.apply(months, on: sql)
        try await DayTotals.apply(days, on: sql)
        try await KeptCounts.add(DayTotals.byMonth(days), on: db)

        // The transfer row says who booked what and when; the audit log also gets the exceptional ones.
        for (id, plan) in transfers where plan.details.reversesID != nil || plan.details.overrideReason != nil {
            let d = plan.details
            var changesLogged = [FieldChange(field: "minutes", from: nil, to: String(d.minutes)),
                                 FieldChange(field: "service_date", from: nil, to: d.serviceDate)]
            if let reverses = d.reversesID { changesLogged.append(FieldChange(field: "reverses_id", from: nil, to: reverses.uuidString)) }
            if let reason = d.overrideReason { changesLogged.append(FieldChange(field: "override_reason", from: nil, to: reason)) }
            try await AuditLog.record(on: db, actor: plan.actor, action: "create", entity: "timebank_transfer", entityID: id, changes: changesLogged)
        }
        return outcomes
    }

    /// What the booked transfers add to the reports' monthly and daily totals: exchanges between members
    /// count, welcome credits and opening balances do not, and a reversal takes out what its original added.
    static func reportTotals(_ transfers: [(id: UUID, plan: Plan)], state: [UUID: AccountState], on sql: any SQLDatabase) async throws
        -> ([MonthTotals.Key: MonthTotals.Total], [DayTotals.Key: DayTotals.Total]) {
        var months: [MonthTotals.Key: MonthTotals.Total] = [:], days: [DayTotals.Key: DayTotals.Total] = [:]
        for (_, plan) in transfers where plan.details.purpose == nil {
            let moves = plan.changes.compactMap { account, delta -> (account: UUID, bankID: UUID, minutes: Int)? in
                guard delta != 0, let s = state[account], s.memberID != nil else { return nil }
                return (account, s.bankID, delta)
            }
            let betweenBanks = plan.changes.keys.contains { state[$0]?.isClearing == true }
            guard let reversed = plan.details.reversesID else {
                MonthTotals.add(moves, serviceDate: plan.details.serviceDate, categoryID: plan.details.categoryID, sign: 1, to: &months)
                DayTotals.add(moves, recordedBy: plan.bankID, betweenBanks: betweenBanks, serviceDate: plan.details.serviceDate, sign: 1, to: &days)
                continue
            }
            // Rare: a correction. The original's day and kind of service, if it counted at all.
            guard let original = try await sql.raw("""
                SELECT service_date, category_id FROM timebank_transfers WHERE id = \(bind: reversed) AND purpose IS NULL
                """).first() else { continue }
            let serviceDate = try original.decode(column: "service_date", as: String.self)
            let undone = moves.map { ($0.account, $0.bankID, -$0.minutes) }
            MonthTotals.add(undone, serviceDate: serviceDate, categoryID: try original.decode(column: "category_id", as: UUID?.self), sign: -1, to: &months)
            DayTotals.add(undone, recordedBy: plan.bankID, betweenBanks: betweenBanks, serviceDate: serviceDate, sign: -1, to: &days)
        }
        return (months, days)
    }

    /// The accounts' balances and limits, by account id; on PostgreSQL their rows locked until the
    /// transaction ends. Members' accounts are locked first, in one statement, then the others (clearing
    /// accounts, a bank's own), in one more: every transaction takes its locks in that order, so two
    /// can never each hold what the other waits for.
    static func lockAccounts(_ ids: Set<UUID>, on sql: any SQLDatabase) async throws -> [UUID: AccountState] {
        try await lockAccounts(column: "id", ids, on: sql)
    }

    static func lockAccounts(memberOf memberIDs: [UUID], on sql: any SQLDatabase) async throws -> [UUID: AccountState] {
        try await lockAccounts(column: "member_id", Set(memberIDs), on: sql)
    }

    private static func lockAccounts(column: String, _ ids: Set<UUID>, on sql: any SQLDatabase) async throws -> [UUID: AccountState] {
        guard !ids.isEmpty else { return [:] }
        let lock = sql.dialect.name == "sqlite" ? "" : " FOR UPDATE"
        let rows = try await sql.raw("""
            SELECT id, bank_id, balance_minutes, entry_count, lower_limit_minutes, upper_limit_minutes, member_id, counterpart_bank_id
            FROM timebank_accounts WHERE \(ident: column) IN (\(SQLQueryString.list(Array(ids)))) ORDER BY id\(unsafeRaw: lock)
            """).all()
        return Dictionary(uniqueKeysWithValues: try rows.map { row in
            let id = try row.decode(column: "id", as: UUID.self)
            return (id, AccountState(id: id, bankID: try row.decode(column: "bank_id", as: UUID.self),
                                     balance: try row.decode(column: "balance_minutes", as: Int.self),
                                     entryCount: try row.decode(column: "entry_count", as: Int.self),
                                     lower: try row.decode(column: "lower_limit_minutes", as: Int?.self),
                                     upper: try row.decode(column: "upper_limit_minutes", as: Int?.self),
                                     memberID: try row.decode(column: "member_id", as: UUID?.self),
                                     isClearing: try row.decode(column: "counterpart_bank_id", as: UUID?.self) != nil))
        })
    }

    struct SlipKey: Hashable {
        let bankID: UUID
        let slip: String
    }

    static func bookedSlips(_ drafts: [ExchangeDraft], on sql: any SQLDatabase) async throws -> Set<SlipKey> {
        let slips = Set(drafts.compactMap { d in d.slipNumber.map { SlipKey(bankID: d.bankID, slip: $0) } })
        guard !slips.isEmpty else { return [] }
        let query: SQLQueryString = "SELECT bank_id, slip_number FROM timebank_transfers WHERE \(SQLQueryString.anyPair("bank_id", "slip_number", slips.map { ($0.bankID, $0.slip) }))"
        let rows = try await sql.raw(query).all()
        return Set(try rows.map { SlipKey(bankID: try $0.decode(column: "bank_id", as: UUID.self),
                                          slip: try $0.decode(column: "slip_number", as: String.self)) })
    }

    static func existingIDs(_ table: String, _ ids: Set<UUID>, on sql: any SQLDatabase) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let rows = try await sql.raw("SELECT id FROM \(ident: table) WHERE id IN (\(SQLQueryString.list(Array(ids))))").all()
        return Set(try rows.map { try $0.decode(column: "id", as: UUID.self) })
    }
}

extension Ledger.AccountState {
    func allows(_ delta: Int) -> Bool {
        let after = balance + delta
        return (lower.map { after >= $0 } ?? true) && (upper.map { after <= $0 } ?? true)
    }
}

extension TransferRecord {
    init(_ draft: ExchangeDraft, posted: (id: UUID, recordedAt: Date)) {
        self.init(id: posted.id, bankID: draft.bankID, minutes: draft.providers.reduce(0) { $0 + $1.minutes }, serviceDate: draft.serviceDate,
                  categoryID: draft.categoryID, note: draft.note, slipNumber: draft.slipNumber, reversesID: nil,
                  recordedAt: posted.recordedAt, providers: draft.providers, recipients: draft.recipients)
    }
}
