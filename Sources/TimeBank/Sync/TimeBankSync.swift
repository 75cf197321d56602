import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

/// The time bank's half of syncing an office server with the centre (docs/sync.md). The centre answers
/// feeds and takes what offices send; an office keeps what it has not sent yet, what the centre refused,
/// and where each feed stopped. Both write copied rows under their own ids, so a repeat changes nothing.
public struct TimeBankSync: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    // MARK: The centre

    /// What an office needs before anything else: places, the time banks and their organisations, the
    /// service categories, and each bank's own account.
    public func reference() async throws -> SyncReference {
        let banks = try await TimeBankSettings.query(on: db).all()
        let network = try await NetworkCopy.reference(organisations: Set(banks.compactMap(\.id)), on: db)
        return SyncReference(places: network.places, organisations: network.organisations, banks: banks,
                             categories: try await ServiceCategory.query(on: db).sort(\.$id).all(),
                             accounts: try await TimeAccount.query(on: db).filter(\.$kind == .bank).all().map(AccountCopy.init))
    }

    /// The banks' memberships written after `cursor`, in the order they were written.
    public func members(of banks: Set<UUID>, after cursor: SyncCursor?, limit: Int) async throws -> [MemberCopy] {
        let query = TimeBankMember.query(on: db).filter(\.$bankID ~~ Array(banks))
        if let cursor {
            query.group(.or) { or in
                or.filter(\.$createdAt > cursor.latest).group(.and) {
                    $0.filter(\.$createdAt >= cursor.earliest).filter(\.$createdAt <= cursor.latest).filter(\.$id > cursor.id)
                }
            }
        }
        return try await copies(of: try await query.sort(\.$createdAt).sort(\.$id).limit(limit).all())
    }

    /// The transfers that moved an account of these banks, booked after `cursor`, in booking order; each
    /// with its entries on those banks' accounts.
    public func transfers(touching banks: Set<UUID>, after cursor: SyncCursor?, limit: Int) async throws -> [TransferCopy] {
        guard !banks.isEmpty else { return [] }
        let sql = db as! any SQLDatabase
        var query: SQLQueryString = """
            SELECT t.id FROM timebank_transfers t WHERE EXISTS (SELECT 1 FROM timebank_entries e JOIN timebank_accounts a ON a.id = e.account_id
            WHERE e.transfer_id = t.id AND a.bank_id IN (\(SQLQueryString.list(Array(banks)))))
            """
        if let cursor {
            query.appendInterpolation("""
                 AND (t.recorded_at > \(bind: cursor.latest) OR (t.recorded_at >= \(bind: cursor.earliest) AND t.recorded_at <= \(bind: cursor.latest) \
                AND t.id > \(bind: cursor.id)))
                """ as SQLQueryString)
        }
        query.appendInterpolation(" ORDER BY t.recorded_at, t.id LIMIT \(unsafeRaw: String(max(1, limit)))" as SQLQueryString)
        let ids = try await sql.raw(query).all().map { try $0.decode(column: "id", as: UUID.self) }
        return try await copies(ofTransfers: ids, banks: banks)
    }

    /// Takes memberships made at an office, for the banks it may write for, in one transaction. One
    /// already here is `alreadyThere`; one refused (a member number taken here, her details invalid)
    /// leaves no trace.
    public func receive(_ members: [MemberCopy], banks: Set<UUID>?, by actor: Actor) async throws -> [Result<CopyOutcome, any Error>] {
        try await db.writeTransaction { tx in
            var results: [Result<CopyOutcome, any Error>] = []
            for copy in members {
                do { results.append(.success(try await Self.receive(copy, banks: banks, by: actor, on: tx))) } catch { results.append(.failure(error)) }
            }
            return results
        }
    }

    private static func receive(_ copy: MemberCopy, banks: Set<UUID>?, by actor: Actor, on tx: any Database) async throws -> CopyOutcome {
        if try await TimeBankMember.find(copy.id, on: tx) != nil { return .alreadyThere }
        guard banks?.contains(copy.bankID) ?? true, copy.account.bankID == copy.bankID, copy.account.memberID == copy.id,
              copy.account.kind == .member else {
            throw DomainError("timebank.sync.not-your-bank", kind: .forbidden)
        }
        guard try await TimeBankSettings.find(copy.bankID, on: tx) != nil else { throw DomainError.notFound("timebank.bank") }
        _ = try ServiceDate.validate(copy.joinedOn, today: Date().addingTimeInterval(86_400))
        if try await TimeBankMember.query(on: tx).filter(\.$bankID == copy.bankID).filter(\.$personID == copy.personID).first() != nil {
            throw DomainError("timebank.member.already", kind: .conflict, field: "person_id")
        }
        let people = PeopleService(db: tx)
        try await people.copyIn(copy.personID, copy.person, by: actor)
        if try await !people.memberNumbers(of: copy.personID).contains(where: { $0.organisationID == copy.bankID && $0.number == copy.memberNumber }) {
            try await people.addMemberNumber(personID: copy.personID, organisationID: copy.bankID, number: copy.memberNumber, by: actor)
        }
        let member = TimeBankMember()
        member.id = copy.id
        member.bankID = copy.bankID
        member.personID = copy.personID
        member.memberNumber = copy.memberNumber
        member.joinedOn = copy.joinedOn
        _ = try await TimeBankService.admit(member, account: { _ in copy.account.opened }, by: actor, on: tx)
        return .written
    }

    /// Takes transfers made at an office. `limits`: this server decides the members' limits (the centre).
    public func receive(_ transfers: [TransferCopy], banks: Set<UUID>?, limits: Bool) async throws -> [Result<CopyOutcome, any Error>] {
        try await db.writeTransaction { tx in try await Ledger.copyIn(transfers, limits: limits, banks: banks, on: tx) }
    }

    // MARK: An office

    /// The banks whose home is this server, set when it was set up as an office; none on the centre.
    public func homeBanks() async throws -> Set<UUID> {
        Set(try await SyncState.query(on: db).all().compactMap { row in
            row.key.hasPrefix("home:") ? UUID(uuidString: String(row.key.dropFirst(5))) : nil
        })
    }

    /// Sets this server up as the home of these banks, from the centre's reference rows.
    /// A server with members of its own is not made an office: they would all be sent as new.
    public func setUp(homeOf banks: Set<UUID>, from reference: SyncReference) async throws {
        if try await homeBanks().isEmpty, try await TimeBankMember.query(on: db).count() > 0 {
            throw DomainError("timebank.sync.not-empty", kind: .conflict)
        }
        try await db.writeTransaction { tx in
            try await NetworkCopy.insertAbsent(reference.places, on: tx)
            try await NetworkCopy.insertAbsent(reference.organisations, on: tx)
            try await NetworkCopy.insertAbsent(reference.banks, on: tx)
            // The pilot's categories are seeded in every database under ids of its own: the centre's win.
            let theirs = Set(reference.categories.compactMap(\.code))
            try await ServiceCategory.query(on: tx).filter(\.$code ~~ Array(theirs)).filter(\.$id !~ reference.categories.compactMap(\.id)).delete()
            try await NetworkCopy.insertAbsent(reference.categories, on: tx)
            try await NetworkCopy.insertAbsent(reference.accounts.map(\.opened), on: tx)
            for bank in banks { try await Self.set("home:\(bank.uuidString)", to: "home", on: tx) }
        }
    }

    /// Memberships made here and not yet taken by the centre, oldest first.
    public func unsentMembers(limit: Int) async throws -> [MemberCopy] {
        let sql = db as! any SQLDatabase
        let ids = try await sql.raw("""
            SELECT m.id FROM timebank_members m WHERE NOT EXISTS (SELECT 1 FROM timebank_sync_rows s WHERE s.id = m.id)
            ORDER BY m.created_at, m.id LIMIT \(unsafeRaw: String(max(1, limit)))
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        return try await copies(of: try await TimeBankMember.query(on: db).filter(\.$id ~~ ids).sort(\.$createdAt).sort(\.$id).all())
    }

    /// Transfers booked here and not yet taken (or refused) by the centre, in booking order.
    public func unsentTransfers(limit: Int) async throws -> [TransferCopy] {
        let sql = db as! any SQLDatabase
        let ids = try await sql.raw("""
            SELECT t.id FROM timebank_transfers t WHERE NOT EXISTS (SELECT 1 FROM timebank_sync_rows s WHERE s.id = t.id)
            ORDER BY t.recorded_at, t.id LIMIT \(unsafeRaw: String(max(1, limit)))
            """).all().map { try $0.decode(column: "id", as: UUID.self) }
        return try await copies(ofTransfers: ids, banks: nil)
    }

    /// How many rows wait for the centre.
    public func waiting() async throws -> Int {
        let sql = db as! any SQLDatabase
        let row = try await sql.raw("""
            SELECT (SELECT COUNT(*) FROM timebank_members m WHERE NOT EXISTS (SELECT 1 FROM timebank_sync_rows s WHERE s.id = m.id))
                 + (SELECT COUNT(*) FROM timebank_transfers t WHERE NOT EXISTS (SELECT 1 FROM timebank_sync_rows s WHERE s.id = t.id)) AS n
            """).first()
        return try row?.decode(column: "n", as: Int.self) ?? 0
    }

    /// Records the centre's answers to what was sent: taken rows are done; a refused transfer is undone
    /// here by a reversal pointing at it (the ledger stays append-only; the reversal stays here) and kept
    /// with the centre's reason for staff to resolve.
    public func answered(_ answers: [(id: UUID, kind: SyncRow.Kind, refusal: (any Error)?)]) async throws {
        try await db.writeTransaction { tx in
            for answer in answers {
                guard let refusal = answer.refusal else {
                    try await SyncRow.mark([answer.id], kind: answer.kind, state: .sent, on: tx)
                    continue
                }
                if answer.kind == .transfer, let transfer = try await TimeTransfer.find(answer.id, on: tx),
                   try await TimeTransfer.query(on: tx).filter(\.$reversesID == answer.id).first() == nil {
                    let entries = try await TimeEntry.query(on: tx).filter(\.$transferID == answer.id).all()
                    let undo = try await Ledger(db: tx).post(
                        bankID: transfer.bankID,
                        changes: Posting.reversal(of: Dictionary(entries.map { ($0.accountID, $0.minutes) }, uniquingKeysWith: +)),
                        details: .init(minutes: transfer.minutes, serviceDate: ServiceDate.string(Date()), categoryID: transfer.categoryID,
                                       reversesID: answer.id),
                        checkLimits: false, by: .system)
                    try await SyncRow.mark([undo.id], kind: .transfer, state: .local, on: tx)
                }
                try await SyncRow.mark([answer.id], kind: answer.kind, state: .refused, reason: refusal, on: tx)
            }
        }
    }

    /// Applies a page of the centre's feed — memberships, then transfers, taken as the centre decided
    /// them — and moves the feed's cursor, in one transaction: a pull cut halfway resumes where it stopped.
    /// - Returns: how many rows were new here.
    @discardableResult
    public func apply(members: [MemberCopy], transfers: [TransferCopy], cursor: (name: String, to: SyncCursor?)) async throws -> Int {
        try await db.writeTransaction { tx in
            // What cannot be taken here (a member number this office gave someone else) is kept to resolve, not retried forever.
            let sync = TimeBankSync(db: tx)
            let taken = Array(zip(members.map { ($0.id, SyncRow.Kind.member) }, try await sync.receive(members, banks: nil, by: .system)))
                + Array(zip(transfers.map { ($0.id, SyncRow.Kind.transfer) }, try await sync.receive(transfers, banks: nil, limits: false)))
            var written = 0
            for ((id, kind), outcome) in taken {
                switch outcome {
                case .success(let copied):
                    if copied == .written { written += 1 }
                    try await SyncRow.mark([id], kind: kind, state: .fromCentre, on: tx)
                case .failure(let error): try await SyncRow.mark([id], kind: kind, state: .refused, reason: error, on: tx)
                }
            }
            if let to = cursor.to { try await Self.set("cursor:\(cursor.name)", to: to.description, on: tx) }
            return written
        }
    }

    /// Where the centre's feed of this name stopped, rewound a little (`SyncCursor.rewound`); nil: never read.
    public func cursor(_ name: String) async throws -> SyncCursor? {
        try await SyncState.find("cursor:\(name)", on: db).flatMap { SyncCursor($0.value) }?.rewound
    }

    /// The rows the centre refused, newest first, with its reasons.
    public func refused() async throws -> [SyncRow] {
        try await SyncRow.query(on: db).filter(\.$state == .refused).sort(\.$at, .descending).all()
    }

    /// Records when the centre last answered.
    public func contacted(at date: Date = Date()) async throws {
        try await db.writeTransaction { tx in try await Self.set("contacted", to: String(date.timeIntervalSince1970), on: tx) }
    }

    public func lastContact() async throws -> Date? {
        try await SyncState.find("contacted", on: db).flatMap { Double($0.value) }.map(Date.init(timeIntervalSince1970:))
    }

    // MARK: Rows as copies

    private func copies(of members: [TimeBankMember]) async throws -> [MemberCopy] {
        let ids = members.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let accounts = Dictionary(try await TimeAccount.query(on: db).filter(\.$memberID ~~ ids).all().map { ($0.memberID!, $0) },
                                  uniquingKeysWith: { a, _ in a })
        let people = try await PeopleService(db: db).drafts(members.map(\.personID))
        return members.map { m in
            MemberCopy(id: m.id!, bankID: m.bankID, memberNumber: m.memberNumber, joinedOn: m.joinedOn, personID: m.personID,
                       person: people[m.personID]!, account: AccountCopy(accounts[m.id!]!), createdAt: m.createdAt ?? Date())
        }
    }

    private func copies(ofTransfers ids: [UUID], banks: Set<UUID>?) async throws -> [TransferCopy] {
        guard !ids.isEmpty else { return [] }
        let transfers = try await TimeTransfer.query(on: db).filter(\.$id ~~ ids).all()
        let entries = try await TimeEntry.query(on: db).filter(\.$transferID ~~ ids).all()
        let accounts = Dictionary(uniqueKeysWithValues: try await TimeAccount.query(on: db).filter(\.$id ~~ Array(Set(entries.map(\.accountID)))).all()
            .map { ($0.id!, AccountCopy($0)) })
        let entriesOf = Dictionary(grouping: entries.filter { banks?.contains(accounts[$0.accountID]!.bankID) ?? true }, by: \.transferID)
        return transfers.sorted { ($0.recordedAt, $0.id!) < ($1.recordedAt, $1.id!) }.map { t in
            TransferCopy(id: t.id!, bankID: t.bankID, minutes: t.minutes, serviceDate: t.serviceDate, categoryID: t.categoryID, note: t.note,
                         slipNumber: t.slipNumber, reversesID: t.reversesID, overrideReason: t.overrideReason, purpose: t.purpose,
                         recordedAt: t.recordedAt, recordedByLogin: t.recordedByLogin,
                         entries: (entriesOf[t.id!] ?? []).sorted { $0.accountID < $1.accountID }
                            .map { EntryCopy(account: accounts[$0.accountID]!, minutes: $0.minutes) })
        }
    }

    private static func set(_ key: String, to value: String, on db: any Database) async throws {
        if let row = try await SyncState.find(key, on: db) {
            row.value = value
            try await row.save(on: db)
        } else {
            try await SyncState(key: key, value: value).create(on: db)
        }
    }
}

/// The rows an office needs before its first pull.
public struct SyncReference: Sendable {
    public let places: [Place]
    public let organisations: [Organisation]
    public let banks: [TimeBankSettings]
    public let categories: [ServiceCategory]
    /// Each bank's own account.
    public let accounts: [AccountCopy]

    public init(places: [Place], organisations: [Organisation], banks: [TimeBankSettings], categories: [ServiceCategory], accounts: [AccountCopy]) {
        self.places = places
        self.organisations = organisations
        self.banks = banks
        self.categories = categories
        self.accounts = accounts
    }
}
