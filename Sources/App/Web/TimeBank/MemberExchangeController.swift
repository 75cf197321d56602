import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// A member's own time bank, on her page: she records an exchange herself (the other party or the
/// office confirms it before credit moves), confirms what others recorded with her, and posts what she
/// offers or needs. The office sees the claims waiting in its bank and may confirm or decline them.
struct MemberExchangeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let bank = routes.grouped("timebanks", ":bank")
        bank.get("claims", use: pending)
        bank.post("claims", use: submit)
        bank.post("claims", ":claim", "confirm", use: confirm)
        bank.post("claims", ":claim", "decline", use: decline)
        bank.post("my-listings", use: postListing)
    }

    struct ClaimForm: Content {
        var other: String?
        var direction: String?
        var hours: String?
        var minutes: String?
        var category_id: String?
        var service_date: String?
        var note: String?
    }

    struct ListingForm: Content {
        var kind: String?
        var category_id: String?
        var description: String?
    }

    /// What a form on the member's page sent back, to show it again with its errors.
    struct Returned {
        var bankID: UUID
        var claim: ClaimForm?
        var listing: ListingForm?
        var errors: FieldErrors
    }

    // MARK: The member

    @Sendable func submit(req: Request) async throws -> Response {
        let (bankID, me) = try await ownMembership(req)
        let form = try req.content.decode(ClaimForm.self)
        do {
            var errors: [DomainError] = []
            let other = try await TimeBankService(db: req.db).member(bankID, number: form.other ?? "")
            if other == nil { errors.append(DomainError("timebank.member-number-unknown", field: "other", arguments: ["number": form.other ?? ""])) }
            let minutes = DurationInput.minutes(hours: form.hours, minutes: form.minutes)
            if minutes == nil { errors.append(DomainError("timebank.duration-invalid", field: "minutes")) }
            try ValidationErrors.throwIfAny(errors)
            _ = try await ClaimService(db: req.db).submit(
                ClaimDraft(bankID: bankID, claimantID: me.id, otherID: other!.id,
                           direction: form.direction.flatMap(ClaimDraft.Direction.init(rawValue:)) ?? .gave, minutes: minutes!,
                           categoryID: req.uuid(form.category_id), serviceDate: form.service_date ?? "", note: form.note),
                by: req.actor)
            return req.redirect(to: "/me?recorded=1")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await HomeController().renderMe(req, returned: Returned(bankID: bankID, claim: form, errors: errors),
                                                       status: .unprocessableEntity)
        }
    }

    @Sendable func postListing(req: Request) async throws -> Response {
        let (bankID, me) = try await ownMembership(req)
        let form = try req.content.decode(ListingForm.self)
        do {
            _ = try await BoardService(db: req.db).post(
                bankID, ListingDraft(memberID: me.id, kind: form.kind.flatMap(ListingKind.init(rawValue:)) ?? .offer,
                                     categoryID: req.uuid(form.category_id), description: form.description ?? ""),
                by: req.actor)
            return req.redirect(to: "/me?posted=1")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await HomeController().renderMe(req, returned: Returned(bankID: bankID, listing: form, errors: errors.mapKeys { "listing_" + $0 }),
                                                       status: .unprocessableEntity)
        }
    }

    /// The member's membership of the bank in the URL.
    func ownMembership(_ req: Request) async throws -> (UUID, MemberRecord) {
        let user = try req.require(.ownRecord)
        let bankID = try req.pathID("bank")
        guard let personID = user.personID, let me = try await TimeBankService(db: req.db).membership(of: personID, in: bankID) else {
            throw Abort(.forbidden)
        }
        return (bankID, me)
    }

    // MARK: Deciding: the other party, or the office

    @Sendable func confirm(req: Request) async throws -> Response {
        let (bankID, decider, back) = try decider(req)
        do {
            _ = try await ClaimService(db: req.db).confirm(bankID, try req.pathID("claim"), decider: decider, by: req.actor)
            return req.redirect(to: back)
        } catch let error as DomainError where error.kind == .invalid {
            // Past a limit: say why, where she pressed the button.
            return try await renderAfterRefusal(req, bankID: bankID, decider: decider, message: req.t(error.key, error.arguments))
        }
    }

    @Sendable func decline(req: Request) async throws -> Response {
        let (bankID, decider, back) = try decider(req)
        let reason = try? req.content.get(String.self, at: "reason")
        do {
            _ = try await ClaimService(db: req.db).decline(bankID, try req.pathID("claim"), reason: reason, decider: decider, by: req.actor)
            return req.redirect(to: back)
        } catch let error as DomainError where error.kind == .invalid {
            return try await renderAfterRefusal(req, bankID: bankID, decider: decider, message: req.t(error.key, error.arguments))
        }
    }

    func decider(_ req: Request) throws -> (UUID, ClaimDecider, String) {
        let user = try req.require(.readRegistry, or: .ownRecord)
        let bankID = try req.pathID("bank")
        guard let decider = TimeBankAccess.claimDecider(user.grants.map(\.grant), personID: user.personID, bank: bankID) else {
            throw Abort(.forbidden)
        }
        if case .staff = decider { return (bankID, decider, "/timebanks/\(bankID)/claims") }
        return (bankID, decider, "/me")
    }

    func renderAfterRefusal(_ req: Request, bankID: UUID, decider: ClaimDecider, message: String) async throws -> Response {
        if case .staff = decider { return try await renderPending(req, bankID: bankID, message: message, status: .unprocessableEntity) }
        return try await HomeController().renderMe(req, returned: Returned(bankID: bankID, errors: ["_claims": message]), status: .unprocessableEntity)
    }

    // MARK: The office

    struct ClaimView: Encodable {
        let id: UUID
        let provider: String
        let recipient: String
        let recordedBy: String
        let amount: String
        let category: String?
        let serviceDate: String
        let note: String?
        let recordedAt: String
        let status: String
        let isPending: Bool
        let awaitsMe: Bool
        let declineReason: String?
    }

    struct PendingPage: Encodable {
        let bankID: UUID
        let bankName: String
        let claims: [ClaimView]
        let message: String?
    }

    @Sendable func pending(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        return try await renderPending(req, bankID: bank.id, message: nil)
    }

    func renderPending(_ req: Request, bankID: UUID, message: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let claims = try await ClaimService(db: req.db).pending(bankID)
        return try await req.render("timebanks/claims", title: req.t("claims.title"), PendingPage(
            bankID: bank.id, bankName: bank.name, claims: try await Self.views(claims, req: req, bankID: bank.id, me: nil),
            message: message), status: status)
    }

    /// Claims as lists show them: both parties by number and name, the amount in words.
    static func views(_ claims: [ClaimRecord], req: Request, bankID: UUID, me: UUID?) async throws -> [ClaimView] {
        let members = try await TimeBankService(db: req.db).lookup(claims.flatMap { [$0.providerID, $0.recipientID] })
        let people = try await PeopleService(db: req.db).lookup(members.values.map(\.personID))
        let lang = req.appLocale.rawValue
        let categories = Dictionary(try await CategoryService(db: req.db).available(to: bankID).map { ($0.id, $0.name.named(lang)) },
                                    uniquingKeysWith: { a, _ in a })
        func name(_ id: UUID) -> String {
            guard let m = members[id] else { return "" }
            return "\(m.memberNumber) \(people[m.personID]?.fullName ?? "")"
        }
        return claims.map { c in
            ClaimView(id: c.id, provider: name(c.providerID), recipient: name(c.recipientID), recordedBy: name(c.claimantID),
                      amount: req.duration(c.minutes), category: c.categoryID.flatMap { categories[$0] }, serviceDate: c.serviceDate,
                      note: c.note, recordedAt: BishkekTime.format(c.createdAt), status: req.t("claims.status.\(c.status.rawValue)"),
                      isPending: c.status == .pending, awaitsMe: c.status == .pending && me != nil && c.confirmerID == me,
                      declineReason: c.declineReason)
        }
    }
}
