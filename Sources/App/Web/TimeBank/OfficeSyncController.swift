import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// On an office server: how its bank stands with the centre — when they last spoke, what waits to be
/// sent, and what the centre refused (undone here, with its reason) for staff to record again
/// corrected. Staff may send at once instead of waiting for the next turn.
struct OfficeSyncController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let sync = routes.grouped("timebanks", ":bank", "sync")
        sync.get(use: show)
        sync.post(use: sendNow)
    }

    struct Refused: Encodable {
        let what: String
        let reason: String
        let at: String
    }

    struct Page: Encodable {
        let bankID: UUID
        let bankName: String
        let isOffice: Bool
        let configured: Bool
        let lastContact: String?
        let waiting: String
        let refused: [Refused]
        let notice: String?
        let failure: String?
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await render(req, bank: try await TimeBankController().managedBank(req), notice: nil, failure: nil)
    }

    @Sendable func sendNow(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        guard let sync = req.application.officeSync, try await TimeBankSync(db: req.db).homeBanks().contains(bank.id) else {
            throw Abort(.notFound)
        }
        do {
            let round = try await sync.run()
            let notice = [req.catalogue.plural("sync.sent", count: round.sent),
                          req.catalogue.plural("sync.refused-count", count: round.refused),
                          req.catalogue.plural("sync.received", count: round.pulled)].joined(separator: " · ")
            return try await render(req, bank: bank, notice: notice, failure: nil)
        } catch {
            // Whatever failed changed nothing half-way; the next turn tries again.
            return try await render(req, bank: bank, notice: nil, failure: req.t("sync.unreachable"))
        }
    }

    private func render(_ req: Request, bank: BankRecord, notice: String?, failure: String?) async throws -> Response {
        let sync = TimeBankSync(db: req.db)
        let isOffice = try await sync.homeBanks().contains(bank.id)
        let refused = isOffice ? try await describe(try await sync.refused(), bank: bank.id, req) : []
        return try await req.render("timebanks/sync", title: req.t("sync.title"), Page(
            bankID: bank.id, bankName: bank.name, isOffice: isOffice, configured: req.application.officeSync != nil,
            lastContact: try await sync.lastContact().map(BishkekTime.format),
            waiting: req.catalogue.plural("sync.waiting", count: isOffice ? try await sync.waiting() : 0),
            refused: refused, notice: notice, failure: failure))
    }

    /// Each refused row as staff know it: the slip (day, time, who served whom) or the member, and why.
    private func describe(_ rows: [SyncRow], bank: UUID, _ req: Request) async throws -> [Refused] {
        let ids = rows.compactMap(\.id)
        let transfers = Dictionary(uniqueKeysWithValues: try await TimeTransfer.query(on: req.db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
        let members = try await TimeBankService(db: req.db).lookup(ids)
        var legs: [UUID: TransferRecord] = [:]
        for (id, transfer) in transfers where transfer.bankID == bank { legs[id] = try await Ledger(db: req.db).transfer(bank, id) }
        let memberIDs = legs.values.flatMap { ($0.providers + $0.recipients).map(\.memberID) }
        let named = try await TimeBankService(db: req.db).lookup(memberIDs).merging(members, uniquingKeysWith: { a, _ in a })
        let people = try await PeopleService(db: req.db).lookup(named.values.map(\.personID))
        func name(_ member: UUID) -> String {
            named[member].map { "\($0.memberNumber) \(people[$0.personID]?.fullName ?? "")" } ?? "—"
        }
        return rows.compactMap { row in
            let what: String
            if let t = legs[row.id!] {
                what = req.t("sync.refused-transfer", [
                    "date": t.serviceDate, "minutes": req.duration(t.minutes), "slip": t.slipNumber ?? "—",
                    "providers": t.providers.map { name($0.memberID) }.joined(separator: ", "),
                    "recipients": t.recipients.map { name($0.memberID) }.joined(separator: ", "),
                ])
            } else if let m = members[row.id!], m.bankID == bank {
                what = req.t("sync.refused-member", ["member": name(m.id)])
            } else if transfers[row.id!] == nil && members[row.id!] == nil {
                what = req.t("sync.refused-from-centre")
            } else {
                return nil  // another bank's
            }
            let reason = row.refusal.map { req.t($0.key, $0.arguments) } ?? ""
            return Refused(what: what, reason: reason, at: BishkekTime.format(row.at))
        }
    }
}
