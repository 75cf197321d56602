import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

extension Ledger {
    /// Books transfers made on another server under the ids they were made with, in order, in the
    /// transaction `db` is in, through the same writer as every booking. One already here is answered
    /// `alreadyThere` and books nothing; one this server cannot take gets its reason and leaves no trace.
    /// - Parameters:
    ///   - limits: whether this server decides the members' limits (the centre) or takes what the centre
    ///     decided (an office).
    ///   - banks: the banks the sender may write for; nil: any.
    static func copyIn(_ copies: [TransferCopy], limits: Bool, banks: Set<UUID>?, on db: any Database) async throws
        -> [Result<CopyOutcome, any Error>] {
        let sql = db as! any SQLDatabase
        let present = try await existingIDs("timebank_transfers", Set(copies.map(\.id)), on: sql)
        let accountIDs = Set(copies.flatMap { $0.entries.map(\.account.id) })
        var state = try await lockAccounts(accountIDs, on: sql)
        // Accounts the network opens by itself (a bank's own, a position with another bank) are opened here
        // too when missing; a member's comes with her membership. Only in the shape the network gives them,
        // for banks that exist and have none such yet: anything else is the row's error, not the database's.
        let named = Set(copies.flatMap { [$0.bankID] + $0.entries.flatMap { [$0.account.bankID] + [$0.account.counterpartBankID].compactMap { $0 } } })
        let knownBanks = try await existingIDs("timebanks", named, on: sql)
        let networkAccounts = Set(try await TimeAccount.query(on: db).filter(\.$bankID ~~ Array(knownBanks)).filter(\.$kind != .member).all()
            .map { NetworkAccount(bankID: $0.bankID, kind: $0.kind, counterpartBankID: $0.counterpartBankID) })
        let opened = copies.flatMap(\.entries).map(\.account).filter { account in
            state[account.id] == nil && (banks?.contains(account.bankID) ?? true)
                && NetworkAccount(account).map { !networkAccounts.contains($0) && $0.exists(among: knownBanks) } == true
        }
        try await NetworkCopy.insertAbsent(Dictionary(opened.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }).values
            .sorted { $0.id < $1.id }.map(\.opened), on: db)
        state.merge(try await lockAccounts(Set(opened.map(\.id)), on: sql), uniquingKeysWith: { a, _ in a })
        let categories = try await existingIDs("timebank_categories", Set(copies.compactMap(\.categoryID)), on: sql)
        let originals = try await existingIDs("timebank_transfers", Set(copies.compactMap(\.reversesID)), on: sql)
        let reversedAlready = try await Ledger.reversed(among: Set(copies.compactMap(\.reversesID)), on: sql)
        let slipsBooked = try await bookedSlips(copies.filter { !present.contains($0.id) }.map {
            ExchangeDraft(bankID: $0.bankID, providers: [], recipients: [], serviceDate: $0.serviceDate, slipNumber: $0.slipNumber)
        }, on: sql)

        var results: [Result<CopyOutcome, any Error>?] = Array(repeating: nil, count: copies.count)
        var plans: [(index: Int, plan: Plan)] = []
        var earlier = Set<UUID>()
        for (index, copy) in copies.enumerated() {
            defer { earlier.insert(copy.id) }
            if present.contains(copy.id) {
                results[index] = .success(.alreadyThere)
                continue
            }
            do {
                try Self.check(copy)
                guard knownBanks.contains(copy.bankID) else { throw DomainError.notFound("timebank.bank") }
                if let banks, !banks.contains(copy.bankID) || copy.entries.contains(where: { !banks.contains($0.account.bankID) }) {
                    throw DomainError("timebank.sync.not-your-bank", kind: .forbidden)
                }
                var changes: [UUID: Int] = [:]
                for entry in copy.entries {
                    guard let account = state[entry.account.id], account.bankID == entry.account.bankID else {
                        throw DomainError.notFound("timebank.member")
                    }
                    changes[account.id, default: 0] += entry.minutes
                }
                let given = changes.values.filter { $0 > 0 }.reduce(0, +), received = -changes.values.filter { $0 < 0 }.reduce(0, +)
                guard given == received else {
                    throw DomainError("timebank.minutes-unbalanced", field: "minutes", arguments: ["given": String(given), "received": String(received)])
                }
                if let category = copy.categoryID, !categories.contains(category) {
                    throw DomainError("timebank.category-invalid", field: "category_id")
                }
                if let original = copy.reversesID {
                    guard originals.contains(original) || earlier.contains(original) else { throw DomainError.notFound("timebank.transfer") }
                    if reversedAlready.contains(original) { throw DomainError("timebank.transfer.already-reversed", kind: .conflict) }
                }
                if let slip = copy.slipNumber, slipsBooked.contains(SlipKey(bankID: copy.bankID, slip: slip)) {
                    throw DomainError("timebank.slip-already-booked", kind: .conflict, field: "slip_number", arguments: ["slip": slip])
                }
                let details = Details(id: copy.id, minutes: copy.minutes, serviceDate: copy.serviceDate, categoryID: copy.categoryID,
                                      note: copy.note, slipNumber: copy.slipNumber, reversesID: copy.reversesID,
                                      overrideReason: copy.overrideReason, purpose: copy.purpose)
                plans.append((index, Plan(bankID: copy.bankID, changes: changes, details: details,
                                          checkLimits: limits && copy.overrideReason == nil && copy.purpose == nil,
                                          actor: Actor(userID: nil, login: copy.recordedByLogin))))
            } catch {
                results[index] = .failure(error)
            }
        }

        // The same transfer, slip or reversal twice in one batch: the first one wins.
        var idsNow = Set<UUID>(), slipsNow = Set<SlipKey>(), reversalsNow = Set<UUID>()
        let written = try await write(plans.map(\.plan), on: db, locked: state) { position in
            let d = plans[position].plan.details
            if !idsNow.insert(d.id!).inserted { return DomainError("api.idempotency-key-in-flight", kind: .conflict) }
            if let slip = d.slipNumber, !slipsNow.insert(SlipKey(bankID: plans[position].plan.bankID, slip: slip)).inserted {
                return DomainError("timebank.slip-already-booked", kind: .conflict, field: "slip_number", arguments: ["slip": slip])
            }
            if let original = d.reversesID, !reversalsNow.insert(original).inserted {
                return DomainError("timebank.transfer.already-reversed", kind: .conflict)
            }
            return nil
        }
        for (position, outcome) in written.enumerated() {
            results[plans[position].index] = outcome.map { _ in .written }
        }
        return results.map { $0! }
    }

    /// What any transfer must be, wherever it was made: a real day, short texts, minutes that add up.
    private static func check(_ copy: TransferCopy) throws {
        // A day ahead of this server's clock is the other server's today in a late time zone setting, not an error.
        _ = try ServiceDate.validate(copy.serviceDate, today: Date().addingTimeInterval(86_400))
        if let note = copy.note, note.count > 500 { throw DomainError("timebank.note-too-long", field: "note", arguments: ["max": "500"]) }
        if (copy.slipNumber?.count ?? 0) > 40 || (copy.overrideReason?.count ?? 0) > 500 || copy.recordedByLogin.count > 100
            || copy.entries.isEmpty || copy.minutes <= 0 {
            throw DomainError("timebank.minutes-invalid", field: "minutes")
        }
    }
}

/// A bank's own account or its position with another bank: at most one of each per bank.
private struct NetworkAccount: Hashable {
    let bankID: UUID
    let kind: AccountKind
    let counterpartBankID: UUID?

    init(bankID: UUID, kind: AccountKind, counterpartBankID: UUID?) {
        self.bankID = bankID
        self.kind = kind
        self.counterpartBankID = counterpartBankID
    }

    /// The copy's account, if it has the shape of one the network opens by itself.
    init?(_ copy: AccountCopy) {
        guard copy.memberID == nil else { return nil }
        switch copy.kind {
        case .bank where copy.counterpartBankID == nil: break
        case .clearing where copy.counterpartBankID != nil && copy.counterpartBankID != copy.bankID: break
        default: return nil
        }
        self.init(bankID: copy.bankID, kind: copy.kind, counterpartBankID: copy.counterpartBankID)
    }

    func exists(among banks: Set<UUID>) -> Bool {
        banks.contains(bankID) && (counterpartBankID.map(banks.contains) ?? true)
    }
}
