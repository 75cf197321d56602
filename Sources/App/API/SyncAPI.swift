import AsharNetwork
import Fluent
import Foundation
import Kernel
import TimeBank
import Vapor

/// The centre's side of syncing with office servers (docs/sync.md): feeds of a bank's memberships and
/// transfers, and taking what an office made. An office's token belongs to a user who runs its banks;
/// it reads and writes for those banks only.
extension AsharAPI {
    func getSyncReference(_ input: Operations.GetSyncReference.Input) async throws -> Operations.GetSyncReference.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let r = try await TimeBankSync(db: req.db).reference()
        return .ok(.init(body: .json(Schemas.SyncReference(
            places: r.places.map {
                Schemas.SyncPlace(id: $0.id!.uuidString, level: .init(rawValue: $0.level.rawValue)!, parentId: $0.parentID?.uuidString,
                                  oblastId: $0.oblastID?.uuidString, districtId: $0.districtID?.uuidString, code: $0.code,
                                  nameKy: $0.nameKy, nameRu: $0.nameRu, nameEn: $0.nameEn)
            },
            organisations: r.organisations.map {
                Schemas.SyncOrganisation(id: $0.id!.uuidString, name: $0.name, kind: .init(rawValue: $0.kind.rawValue)!,
                                         districtId: $0.districtID.uuidString, villageId: $0.villageID?.uuidString, address: $0.address,
                                         phone: $0.phone, email: $0.email, contactPerson: $0.contactPerson, inNetwork: $0.inNetwork)
            },
            banks: r.banks.map {
                Schemas.SyncBank(id: $0.id!.uuidString, lowerLimitMinutes: $0.lowerLimitMinutes, upperLimitMinutes: $0.upperLimitMinutes,
                                 welcomeCreditMinutes: $0.welcomeCreditMinutes, clearingLimitMinutes: $0.clearingLimitMinutes)
            },
            categories: r.categories.map {
                Schemas.SyncCategory(id: $0.id!.uuidString, code: $0.code, nameKy: $0.nameKy, nameRu: $0.nameRu, nameEn: $0.nameEn,
                                     bankId: $0.bankID?.uuidString)
            },
            accounts: r.accounts.map(Schemas.SyncAccount.init)))))
    }

    func listSyncMembers(_ input: Operations.ListSyncMembers.Input) async throws -> Operations.ListSyncMembers.Output {
        let (req, bank) = try await Self.managing(input.query.bank)
        let members = try await TimeBankSync(db: req.db).members(of: [bank], after: try Self.cursor(input.query.after),
                                                                   limit: input.query.limit ?? 500)
        let next = members.last.map { SyncCursor(at: $0.createdAt, id: $0.id).description }
        return .ok(.init(body: .json(Schemas.SyncMemberPage(items: members.map(Schemas.SyncMember.init), next: next))))
    }

    func listSyncTransfers(_ input: Operations.ListSyncTransfers.Input) async throws -> Operations.ListSyncTransfers.Output {
        let (req, bank) = try await Self.managing(input.query.bank)
        let transfers = try await TimeBankSync(db: req.db).transfers(touching: [bank], after: try Self.cursor(input.query.after),
                                                                       limit: input.query.limit ?? 500)
        let next = transfers.last.map { SyncCursor(at: $0.recordedAt, id: $0.id).description }
        return .ok(.init(body: .json(Schemas.SyncTransferPage(items: transfers.map(Schemas.SyncTransfer.init), next: next))))
    }

    func sendSyncMembers(_ input: Operations.SendSyncMembers.Input) async throws -> Operations.SendSyncMembers.Output {
        let req = try APIRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let copies = try body.items.map { try $0.copy() }
        let banks = try Self.syncing(Set(copies.map(\.bankID)), req)
        let outcomes = try await TimeBankSync(db: req.db).receive(copies, banks: banks, by: req.actor)
        return .ok(.init(body: .json(Self.answers(copies.map(\.id), outcomes, req))))
    }

    func sendSyncTransfers(_ input: Operations.SendSyncTransfers.Input) async throws -> Operations.SendSyncTransfers.Output {
        let req = try APIRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let copies = try body.items.map { try $0.copy() }
        let banks = try Self.syncing(Set(copies.map(\.bankID) + copies.flatMap { $0.entries.map(\.account.bankID) }), req)
        let outcomes = try await TimeBankSync(db: req.db).receive(copies, banks: banks, limits: true)
        return .ok(.init(body: .json(Self.answers(copies.map(\.id), outcomes, req))))
    }

    /// Of the banks a request names, those its user runs; the others' rows are refused one by one.
    /// A user who runs none of them is refused the whole request.
    private static func syncing(_ banks: Set<UUID>, _ req: Request) throws -> Set<UUID> {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let run = banks.filter { TimeBankAccess.canManage(user.grants.map(\.grant), bank: $0) }
        guard !run.isEmpty || banks.isEmpty else { throw Abort(.forbidden) }
        return run
    }

    private static func cursor(_ text: String?) throws -> SyncCursor? {
        try text.map { text in
            guard let cursor = SyncCursor(text) else { throw DomainError("request.cursor-invalid", field: "after") }
            return cursor
        }
    }

    private static func answers(_ ids: [UUID], _ outcomes: [Result<CopyOutcome, any Error>], _ req: Request) -> Schemas.SyncAnswers {
        Schemas.SyncAnswers(items: zip(ids, outcomes).map { id, outcome in
            switch outcome {
            case .success(.written): return Schemas.SyncAnswer(id: id.uuidString, outcome: .written)
            case .success(.alreadyThere): return Schemas.SyncAnswer(id: id.uuidString, outcome: .alreadyThere)
            case .failure(let error):
                let failure = AsharErrorMiddleware.failure(for: error, request: req)
                return Schemas.SyncAnswer(id: id.uuidString, outcome: .refused, error: .init(
                    code: failure.code, message: req.t(failure.key, failure.arguments),
                    arguments: .init(additionalProperties: failure.arguments)))
            }
        })
    }
}
