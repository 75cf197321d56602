import AsharNetwork
import Fluent
import Foundation
import Kernel
import TimeBank
import Vapor

/// Exchanges members record themselves (a mobile client's part of the time bank), and their confirmation.
extension AsharAPI {
    func listClaims(_ input: Operations.ListClaims.Input) async throws -> Operations.ListClaims.Output {
        let (req, bank, decider) = try await Self.claimDecider(input.path.bank)
        let claims = ClaimService(db: req.db)
        let list: [ClaimRecord]
        switch decider {
        case .staff: list = try await claims.pending(bank)
        case .person: list = try await claims.claims(involving: [try await Self.ownMembership(req, bank).id])
        }
        return .ok(.init(body: .json(Schemas.ClaimList(items: list.map(Self.claim), total: list.count))))
    }

    func submitClaim(_ input: Operations.SubmitClaim.Input) async throws -> Operations.SubmitClaim.Output {
        let req = try APIRequest.get()
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let bank = try Self.id(input.path.bank, notFound: "timebank.bank")
        let me = try await Self.ownMembership(req, bank)
        let claim = try await ClaimService(db: req.db).submit(ClaimDraft(
            bankID: bank, claimantID: me.id, otherID: try Self.id(body.otherMemberId, notFound: "timebank.member"),
            direction: body.direction == .gave ? .gave : .received, minutes: body.minutes,
            categoryID: try body.categoryId.map { try Self.id($0, field: "category_id") }, serviceDate: body.serviceDate, note: body.note),
            by: req.actor)
        return .created(.init(body: .json(Self.claim(claim))))
    }

    func confirmClaim(_ input: Operations.ConfirmClaim.Input) async throws -> Operations.ConfirmClaim.Output {
        let (req, bank, decider) = try await Self.claimDecider(input.path.bank)
        let transfer = try await ClaimService(db: req.db).confirm(bank, try Self.id(input.path.id, notFound: "timebank.claim"),
                                                                 decider: decider, by: req.actor)
        return .created(.init(body: .json(Self.transfer(transfer))))
    }

    func declineClaim(_ input: Operations.DeclineClaim.Input) async throws -> Operations.DeclineClaim.Output {
        let (req, bank, decider) = try await Self.claimDecider(input.path.bank)
        var reason: String?
        if case .json(let body) = input.body { reason = body.reason }
        let claim = try await ClaimService(db: req.db).decline(bank, try Self.id(input.path.id, notFound: "timebank.claim"),
                                                              reason: reason, decider: decider, by: req.actor)
        return .ok(.init(body: .json(Self.claim(claim))))
    }

    /// The bank's staff decide for the bank; a member decides for herself.
    static func claimDecider(_ bankText: String) async throws -> (Request, UUID, ClaimDecider) {
        let req = try APIRequest.get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        let bank = try id(bankText, notFound: "timebank.bank")
        guard try await TimeBankService(db: req.db).exists(bank) else { throw DomainError.notFound("timebank.bank") }
        guard let decider = TimeBankAccess.claimDecider(user.grants.map(\.grant), personID: user.permits(.ownRecord) ? user.personID : nil,
                                                        bank: bank) else { throw Abort(.forbidden) }
        return (req, bank, decider)
    }

    /// The calling member's membership of the bank; 403 for anyone who is not one.
    static func ownMembership(_ req: Request, _ bank: UUID) async throws -> MemberRecord {
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        guard user.permits(.ownRecord), let person = user.personID,
              let me = try await TimeBankService(db: req.db).membership(of: person, in: bank) else { throw Abort(.forbidden) }
        return me
    }

    static func claim(_ c: ClaimRecord) -> Schemas.Claim {
        Schemas.Claim(id: c.id.uuidString, bankId: c.bankID.uuidString, providerId: c.providerID.uuidString,
                      recipientId: c.recipientID.uuidString, claimantId: c.claimantID.uuidString, minutes: c.minutes,
                      categoryId: c.categoryID?.uuidString, serviceDate: c.serviceDate, note: c.note,
                      status: Schemas.Claim.StatusPayload(rawValue: c.status.rawValue)!, createdAt: c.createdAt,
                      declineReason: c.declineReason, transferId: c.transferID?.uuidString)
    }
}
