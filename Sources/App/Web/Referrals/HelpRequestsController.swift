import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Referrals
import Vapor

/// A time bank's or producer group's staff ask a help centre to help a woman. Once sent, the request is
/// the help centre's: its senders see when they sent it, to whom, and whether it was received — nothing
/// of what they wrote.
struct HelpRequestsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("help-requests", use: page)
        routes.post("help-requests", use: send)
    }

    struct Receipt: Encodable {
        let sent: String
        let helpCentre: String
        let received: String?
    }

    struct RequestPage: Encodable {
        let receipts: [Receipt]
        let form: CaseFormView
        let sent: Bool
    }

    static func staff(_ grants: [Grant]) -> Bool { !CaseAccess.requestingOrganisations(grants).isEmpty }

    @Sendable func page(req: Request) async throws -> Response {
        try await render(req, CaseForm(), errors: [:], sent: (req.query["sent"] as String?) != nil)
    }

    func render(_ req: Request, _ form: CaseForm, errors: FieldErrors, sent: Bool = false, status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(Self.staff)
        let centres = try await req.network.organisations.all().filter { $0.kind == .helpCentre && $0.inNetwork }
        let names = Dictionary(uniqueKeysWithValues: centres.map { ($0.id, $0.name) })
        let receipts = try await req.cases.receipts(grants: grants).map {
            Receipt(sent: BishkekTime.format($0.sentAt), helpCentre: names[$0.helpCentreID] ?? "—", received: $0.receivedAt.map(BishkekTime.format))
        }
        let response = try await req.render("referrals/help-requests", title: req.t("referrals.help-requests"), RequestPage(
            receipts: receipts, form: try await CaseFormView(req, form, errors: errors, helpCentres: centres), sent: sent), status: status)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    @Sendable func send(req: Request) async throws -> Response {
        let grants = try req.grants(Self.staff)
        let form = try req.content.decode(CaseForm.self)
        do {
            // From the first organisation she coordinates: the request is signed by the office, not by her.
            guard let from = CaseAccess.requestingOrganisations(grants).sorted(by: { $0.uuidString < $1.uuidString }).first,
                  let centre = req.uuid(form.help_centre_id) else {
                throw DomainError("referrals.request.not-help-centre", field: "help_centre_id")
            }
            _ = try await req.cases.request(form.draft(req), from: from, to: centre, grants: grants, by: req.actor)
            return req.redirect(to: "/help-requests?sent=1")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await render(req, form, errors: errors, status: .unprocessableEntity)
        }
    }
}
