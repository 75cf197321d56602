import AsharNetwork
import Fluent
import Foundation
import Kernel
import TimeBank
import Vapor

/// The TimeBank context: banks, members, transfers, accounts and statements. Amounts are minutes.
extension AsharAPI {
    func listTimeBanks(_ input: Operations.ListTimeBanks.Input) async throws -> Operations.ListTimeBanks.Output {
        let req = try APIRequest.get()
        try req.require(.readRegistry)
        let list = try await TimeBankService(db: req.db).banks(page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.TimeBankList(items: list.items.map(Self.bank), total: list.total))))
    }

    func listTimeBankMembers(_ input: Operations.ListTimeBankMembers.Input) async throws -> Operations.ListTimeBankMembers.Output {
        let (req, bank) = try await Self.managing(input.path.bank)
        let list = try await TimeBankService(db: req.db).members(bank, page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.MemberList(items: list.items.map(Self.member), total: list.total))))
    }

    func joinTimeBank(_ input: Operations.JoinTimeBank.Input) async throws -> Operations.JoinTimeBank.Output {
        let (req, bank) = try await Self.managing(input.path.bank)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let person = try Self.id(body.personId, field: "person_id")
        let member = try await TimeBankService(db: req.db).join(bank, personID: person, by: req.actor)
        return .created(.init(body: .json(Self.member(member))))
    }

    func recordTransfer(_ input: Operations.RecordTransfer.Input) async throws -> Operations.RecordTransfer.Output {
        let (req, bank) = try await Self.managing(input.path.bank, checkExists: false)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        var draft = ExchangeDraft(bankID: bank, provider: try Self.id(body.providerId, notFound: "timebank.member"),
                                  recipient: try Self.id(body.recipientId, notFound: "timebank.member"), minutes: body.minutes,
                                  categoryID: try body.categoryId.map { try Self.id($0, field: "category_id") },
                                  serviceDate: body.serviceDate, note: body.note, slipNumber: body.slipNumber)
        if let reason = body.overrideReason, !reason.trimmingCharacters(in: .whitespaces).isEmpty {
            guard TimeBankAccess.canOverrideLimits(req.currentUser?.grants.map(\.grant) ?? []) else { throw Abort(.forbidden) }
            draft.overrideReason = reason
        }
        // Booked with whatever else arrives meanwhile (group commit), its answer — a refusal's too — kept in
        // the same transaction.
        let slot = IdempotencySlot.current
        var answer: BookingRequest.Answer?
        if let slot {
            answer = { outcome in
                switch outcome {
                case .success(let record): return try slot.receipt(created: Self.transfer(record))
                case .failure(let error): return AsharErrorMiddleware.refusalReceipt(error, key: slot.key, request: req)
                }
            }
        }
        do {
            let booked = try await req.application.bookings.book(BookingRequest(draft, by: req.actor, idempotency: slot?.key, answer: answer),
                                                                  on: req.db)
            slot?.markKept()
            return .created(.init(body: .json(Self.transfer(booked))))
        } catch let kept as RefusalKept {
            slot?.markKept()
            throw kept.refusal
        }
    }

    func reverseTransfer(_ input: Operations.ReverseTransfer.Input) async throws -> Operations.ReverseTransfer.Output {
        let (req, bank) = try await Self.managing(input.path.bank)
        let reversal = try await Ledger(db: req.db).reverse(bank, transferID: try Self.id(input.path.id, notFound: "timebank.transfer"),
                                                            by: req.actor)
        return .created(.init(body: .json(Self.transfer(reversal))))
    }

    func getTimeAccount(_ input: Operations.GetTimeAccount.Input) async throws -> Operations.GetTimeAccount.Output {
        let (req, bank, member) = try await Self.readingAccount(input.path.bank, input.path.member)
        let account = try await Ledger(db: req.db).account(bank, member: member)
        return .ok(.init(body: .json(Schemas.TimeAccount(memberId: member.uuidString, balanceMinutes: account.balanceMinutes,
                                                         lowerLimitMinutes: account.lowerLimitMinutes,
                                                         upperLimitMinutes: account.upperLimitMinutes))))
    }

    func getStatement(_ input: Operations.GetStatement.Input) async throws -> Operations.GetStatement.Output {
        let (req, bank, member) = try await Self.readingAccount(input.path.bank, input.path.member)
        let statement = try await Ledger(db: req.db).statement(bank, member: member, from: input.query.from, to: input.query.to,
                                                               page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.Statement(
            memberId: member.uuidString, from: input.query.from, to: input.query.to,
            openingBalanceMinutes: statement.openingBalance, closingBalanceMinutes: statement.closingBalance,
            items: statement.lines.map {
                Schemas.StatementLine(transferId: $0.transferID.uuidString, serviceDate: $0.serviceDate, recordedAt: $0.recordedAt,
                                      minutes: $0.minutes, balanceMinutes: $0.balanceAfter, categoryId: $0.categoryID?.uuidString,
                                      note: $0.note, reversesId: $0.reversesID?.uuidString)
            },
            total: statement.total))))
    }

    // MARK: -

    /// The request and the bank, when the caller runs that bank (its coordinator, or a network admin).
    /// The bank in the path, for a user who runs it. `checkExists: false` where the service finds out itself
    /// (booking a transfer: the hottest call, one query fewer).
    static func managing(_ bankText: String, checkExists: Bool = true) async throws -> (Request, UUID) {
        let req = try APIRequest.get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let bank = try id(bankText, notFound: "timebank.bank")
        guard TimeBankAccess.canManage(user.grants.map(\.grant), bank: bank) else { throw Abort(.forbidden) }
        if checkExists, try await !TimeBankService(db: req.db).exists(bank) { throw DomainError.notFound("timebank.bank") }
        return (req, bank)
    }

    /// An account is read by those who run the bank, and by the member herself.
    static func readingAccount(_ bankText: String, _ memberText: String) async throws -> (Request, UUID, UUID) {
        let req = try APIRequest.get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let bank = try id(bankText, notFound: "timebank.bank")
        let memberID = try id(memberText, notFound: "timebank.member")
        // Staff may read any member's account in their bank: the account's own read finds her there or answers 404.
        if TimeBankAccess.canManage(user.grants.map(\.grant), bank: bank) { return (req, bank, memberID) }
        guard user.permits(.ownRecord) else { throw Abort(.forbidden) }
        let member = try await TimeBankService(db: req.db).member(bank, memberID)
        guard member.personID == user.personID else { throw Abort(.forbidden) }
        return (req, bank, memberID)
    }

    static func bank(_ b: BankRecord) -> Schemas.TimeBank {
        Schemas.TimeBank(id: b.id.uuidString, name: b.name, lowerLimitMinutes: b.lowerLimitMinutes, upperLimitMinutes: b.upperLimitMinutes,
                         welcomeCreditMinutes: b.welcomeCreditMinutes, memberCount: b.memberCount)
    }

    static func member(_ m: MemberRecord) -> Schemas.Member {
        Schemas.Member(id: m.id.uuidString, bankId: m.bankID.uuidString, personId: m.personID.uuidString,
                       memberNumber: m.memberNumber, joinedOn: m.joinedOn, balanceMinutes: m.balanceMinutes)
    }

    static func transfer(_ t: TransferRecord) -> Schemas.Transfer {
        Schemas.Transfer(id: t.id.uuidString, bankId: t.bankID.uuidString, minutes: t.minutes, serviceDate: t.serviceDate,
                         categoryId: t.categoryID?.uuidString, note: t.note, slipNumber: t.slipNumber, reversesId: t.reversesID?.uuidString,
                         recordedAt: t.recordedAt, providerId: t.providers.first?.memberID.uuidString,
                         recipientId: t.recipients.first?.memberID.uuidString,
                         providers: t.providers.map { Schemas.Leg(memberId: $0.memberID.uuidString, minutes: $0.minutes) },
                         recipients: t.recipients.map { Schemas.Leg(memberId: $0.memberID.uuidString, minutes: $0.minutes) })
    }
}
