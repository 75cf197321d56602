import AsharNetwork
import Fluent
import Foundation
import Kernel
import TimeBank
import Vapor

/// An office server's side of syncing with the centre (docs/sync.md): sends what was made here —
/// memberships, then transfers, oldest first — records the centre's answer to each, then pulls the
/// centre's feeds for the office's banks. Every step is safe to repeat: a round cut anywhere is simply
/// run again.
struct OfficeSync: Sendable {
    let db: any Database
    let client: any Client
    /// The centre's address, e.g. `https://ashar.example.kg`.
    var centre: String
    let token: String
    var pageSize = 500

    struct Round: Sendable, Equatable {
        var sent = 0
        var refused = 0
        var pulled = 0
    }

    /// Makes this (empty) server the home of these banks: the centre's reference rows, then everything
    /// the centre holds of the banks.
    func setUp(homeOf banks: Set<UUID>) async throws -> Round {
        let reference: SyncSchemas.SyncReference = try await get("/api/v1/sync/timebank/reference")
        try await TimeBankSync(db: db).setUp(homeOf: banks, from: try Self.reference(reference))
        return try await run()
    }

    /// One round: push, then pull.
    func run() async throws -> Round {
        let sync = TimeBankSync(db: db)
        var round = Round()
        while true {
            let members = try await sync.unsentMembers(limit: pageSize)
            if members.isEmpty { break }
            let answers: SyncSchemas.SyncAnswers = try await post("/api/v1/sync/timebank/members",
                                                                 SyncSchemas.SyncMembersInput(items: members.map(SyncSchemas.SyncMember.init)))
            round.add(try await record(answers, sent: members.map(\.id), kind: .member))
        }
        while true {
            let transfers = try await sync.unsentTransfers(limit: pageSize)
            if transfers.isEmpty { break }
            let answers: SyncSchemas.SyncAnswers = try await post("/api/v1/sync/timebank/transfers",
                                                                 SyncSchemas.SyncTransfersInput(items: transfers.map(SyncSchemas.SyncTransfer.init)))
            round.add(try await record(answers, sent: transfers.map(\.id), kind: .transfer))
        }
        for bank in try await sync.homeBanks().sorted() {
            round.pulled += try await pull("members", bank) { (page: SyncSchemas.SyncMemberPage) in
                (try page.items.map { try $0.copy() }, [], page.next)
            }
            round.pulled += try await pull("transfers", bank) { (page: SyncSchemas.SyncTransferPage) in
                ([], try page.items.map { try $0.copy() }, page.next)
            }
        }
        try await sync.contacted()
        return round
    }

    /// Reads one of the centre's feeds for a bank from where it stopped, applying each page with its cursor.
    private func pull<Page: Decodable>(_ feed: String, _ bank: UUID,
                                       _ rows: (Page) throws -> ([MemberCopy], [TransferCopy], String?)) async throws -> Int {
        let sync = TimeBankSync(db: db), name = "\(feed):\(bank.uuidString)"
        var after = try await sync.cursor(name)
        var pulled = 0
        while true {
            var path = "/api/v1/sync/timebank/\(feed)?bank=\(bank.uuidString)&limit=\(pageSize)"
            if let after { path += "&after=" + (after.description.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") }
            let (members, transfers, next) = try rows(try await get(path))
            let cursor = try next.map { text in
                guard let cursor = SyncCursor(text) else { throw SyncFailed.answer("cursor") }
                return cursor
            }
            pulled += try await sync.apply(members: members, transfers: transfers, cursor: (name, cursor))
            // A full page that does not move the cursor would be read again for ever.
            if members.count + transfers.count < pageSize || cursor == after { return pulled }
            after = cursor
        }
    }

    /// Records the centre's answer to each row sent; a row it did not answer is sent again next round.
    private func record(_ answers: SyncSchemas.SyncAnswers, sent: [UUID], kind: SyncRow.Kind) async throws -> Round {
        let asked = Set(sent)
        var round = Round()
        let outcomes: [(id: UUID, kind: SyncRow.Kind, refusal: (any Error)?)] = answers.items.compactMap { answer in
            guard let id = UUID(uuidString: answer.id), asked.contains(id) else { return nil }
            guard answer.outcome == .refused else {
                round.sent += 1
                return (id, kind, nil)
            }
            round.refused += 1
            return (id, kind, DomainError(answer.error?.code ?? "timebank.sync.failed",
                                          arguments: answer.error?.arguments?.additionalProperties ?? [:]))
        }
        guard !outcomes.isEmpty else { throw SyncFailed.answer("empty") }
        try await TimeBankSync(db: db).answered(outcomes)
        return round
    }

    private func get<T: Decodable>(_ path: String) async throws -> T {
        try Self.decode(try await client.get(URI(string: centre + path)) { request in
            request.headers.bearerAuthorization = BearerAuthorization(token: token)
            request.timeout = .seconds(120)
        })
    }

    private func post<T: Decodable>(_ path: String, _ body: some Encodable) async throws -> T {
        try Self.decode(try await client.post(URI(string: centre + path)) { request in
            request.headers.bearerAuthorization = BearerAuthorization(token: token)
            request.timeout = .seconds(120)
            try request.content.encode(body, as: .json)
        })
    }

    private static func decode<T: Decodable>(_ response: ClientResponse) throws -> T {
        guard response.status == .ok else { throw SyncFailed.status(response.status.code) }
        return try response.content.decode(T.self, using: JSONDecoder())
    }

    static func reference(_ r: SyncSchemas.SyncReference) throws -> SyncReference {
        SyncReference(
            places: try r.places.map { p in
                let place = Place()
                place.id = try SyncSchemas.uuid(p.id)
                place.level = PlaceLevel(rawValue: p.level.rawValue)!
                place.parentID = try p.parentId.map(SyncSchemas.uuid)
                place.oblastID = try p.oblastId.map(SyncSchemas.uuid)
                place.districtID = try p.districtId.map(SyncSchemas.uuid)
                place.code = p.code
                place.nameKy = p.nameKy
                place.nameRu = p.nameRu
                place.nameEn = p.nameEn
                place.searchKey = Place.searchKey(ky: p.nameKy, ru: p.nameRu, en: p.nameEn)
                return place
            },
            organisations: try r.organisations.map { o in
                let organisation = Organisation()
                organisation.id = try SyncSchemas.uuid(o.id)
                organisation.name = o.name
                organisation.searchKey = SearchKey.fold(o.name)
                organisation.kind = OrganisationKind(rawValue: o.kind.rawValue)!
                organisation.districtID = try SyncSchemas.uuid(o.districtId)
                organisation.villageID = try o.villageId.map(SyncSchemas.uuid)
                organisation.address = o.address
                organisation.phone = o.phone
                organisation.email = o.email
                organisation.contactPerson = o.contactPerson
                organisation.inNetwork = o.inNetwork
                return organisation
            },
            banks: try r.banks.map { b in
                let bank = TimeBankSettings()
                bank.id = try SyncSchemas.uuid(b.id)
                bank.lowerLimitMinutes = b.lowerLimitMinutes
                bank.upperLimitMinutes = b.upperLimitMinutes
                bank.welcomeCreditMinutes = b.welcomeCreditMinutes
                bank.clearingLimitMinutes = b.clearingLimitMinutes
                return bank
            },
            categories: try r.categories.map { c in
                let category = ServiceCategory()
                category.id = try SyncSchemas.uuid(c.id)
                category.code = c.code
                category.nameKy = c.nameKy
                category.nameRu = c.nameRu
                category.nameEn = c.nameEn
                category.bankID = try c.bankId.map(SyncSchemas.uuid)
                return category
            },
            accounts: try r.accounts.map { try $0.copy() })
    }
}

extension OfficeSync.Round {
    mutating func add(_ other: Self) {
        sent += other.sent
        refused += other.refused
        pulled += other.pulled
    }
}

/// The centre could not be reached or did not answer as expected: nothing was changed by the part
/// that failed, and the next round tries again.
enum SyncFailed: Error {
    case status(UInt)
    case answer(String)
}

/// An office server syncs by itself while it serves: a round every minute (ASHAR_SYNC_EVERY seconds),
/// and at once when staff ask. A round that fails — the line is down — is tried again at the next turn.
enum OfficeSyncLoop {
    static func work(sync: OfficeSync, logger: Logger,
                     every: Int = Environment.get("ASHAR_SYNC_EVERY").flatMap(Int.init) ?? 60) -> RepeatingWork {
        RepeatingWork("sync with the centre", every: .seconds(every), logger: logger) {
            guard try await !TimeBankSync(db: sync.db).homeBanks().isEmpty else { return }
            let round = try await sync.run()
            logger.info("synced with the centre", metadata: ["sent": "\(round.sent)", "refused": "\(round.refused)", "received": "\(round.pulled)"])
        }
    }
}
