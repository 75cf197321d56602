import AsharNetwork
import DemoData
import Fluent
import Foundation
import Referrals
import Testing
import Vapor
import VaporTesting
@testable import App

/// Need to know, walked from the route table. Every route of the referrals context, web and API, is
/// asked by every role and by a case worker of an uninvolved help centre; every page of the whole app
/// without an id (lists, searches, exports, the audit log) is read by everyone. A case's secrets —
/// alias, what must never happen, notes — reach only those entitled to them, and a new route of the
/// context fails this test until it is given a policy here.
@Suite("Referrals: need to know, from the route table")
struct ReferralsAccessTests {
    /// Who may do what on a route of the context.
    enum Policy {
        /// About one case or referral: its case workers (holder, and the receiver for what consent
        /// shares); anyone else is refused or told it does not exist.
        case caseScoped
        /// Open to staff (a list, the directory, the report, a help request form): it may answer, but
        /// never shows a case's contents to those not entitled.
        case openWithoutContents
    }

    static let policies: [String: Policy] = [
        "GET /cases": .openWithoutContents,
        "GET /cases/new": .openWithoutContents,
        "POST /cases": .openWithoutContents,
        "GET /cases/:id": .caseScoped,
        "POST /cases/:id/notes": .caseScoped,
        "POST /cases/:id/receive": .caseScoped,
        "POST /cases/:id/contact": .caseScoped,
        "POST /cases/:id/close": .caseScoped,
        "POST /cases/:id/consents": .caseScoped,
        "POST /cases/:id/consents/:consent/withdraw": .caseScoped,
        "POST /cases/:id/referrals": .caseScoped,
        "POST /cases/:id/person": .caseScoped,
        "POST /cases/:id/person-search": .caseScoped,
        "POST /referrals/:referral/:action": .caseScoped,
        "GET /referrals/report": .openWithoutContents,
        "GET /help-requests": .openWithoutContents,
        "POST /help-requests": .openWithoutContents,
        "GET /services": .openWithoutContents,
        "POST /services": .openWithoutContents,
        "GET /services/:id": .openWithoutContents,
        "POST /services/:id": .openWithoutContents,
        "GET /api/v1/services": .openWithoutContents,
        "GET /api/v1/cases": .openWithoutContents,
        "POST /api/v1/cases": .openWithoutContents,
        "GET /api/v1/cases/:case": .caseScoped,
        "POST /api/v1/cases/:case/consents": .caseScoped,
        "POST /api/v1/cases/:case/referrals": .caseScoped,
        "POST /api/v1/referrals/:referral/:action": .caseScoped,
        "GET /api/v1/referrals/report": .openWithoutContents,
    ]

    static let alias = "ТАЙНА-Гүл", never = "НИКОГДА-не-звонить-домой", notes = "СЕКРЕТ-күйөөсү-коркутат"

    static func isContextRoute(_ path: String) -> Bool {
        ["/cases", "/referrals", "/help-requests", "/services", "/api/v1/cases", "/api/v1/referrals", "/api/v1/services"]
            .contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    @Test("Every referrals route has a policy; only the holder sees notes, the receiver what consent shares, and nobody else anything — pages, API, lists, searches, the audit log")
    func needToKnow() async throws {
        try await withAshar { app, fixture in
            let make = Factories(db: app.db)
            let hash: @Sendable (String) throws -> String = { [password = app.password] in try password.hash($0) }
            let outsider = try await make.organisation("«Бейтарап» борбору", kind: .helpCentre, in: fixture.village)
            _ = try await make.user("caseworker3", name: "Outsider", password: Fixture.password, hash: hash,
                                    grants: [Grant(role: .caseworker, organisationID: outsider.id)])
            let holderGrants = [Grant(role: .caseworker, organisationID: fixture.helpCentre.id)]
            let service = try await DirectoryService(db: app.db).create(HelpServiceDraft(
                organisationID: fixture.helpCentre2.id, provider: "Баш калкалоо", kind: .crisisShelter, districtIDs: [fixture.village.districtID!]), by: .system)
            let cases = CaseService(db: app.db, cipher: app.noteCipher)
            let theCase = try await cases.open(CaseDraft(alias: Self.alias, situations: [.domesticViolence], riskLevel: .high, villageID: fixture.village.id,
                                                         preferences: Preferences(never: Self.never), notes: Self.notes),
                                               at: fixture.helpCentre.id, grants: holderGrants, by: .system)
            let consent = try await cases.addConsent(to: theCase.id, ConsentDraft(recipientOrganisationID: fixture.helpCentre2.id, scope: [.situation, .preferences],
                                                                                  purpose: "Баш калкалоо", givenHow: .spoken), grants: holderGrants, by: .system)
            let referral = try await ReferralService(db: app.db).refer(case: theCase.id, service: service.id, consent: consent.id, grants: holderGrants, by: .system)

            // Every route of the context has a policy.
            let routes = app.routes.all.map { route in
                (method: route.method.rawValue, path: "/" + route.path.map { $0.description }.joined(separator: "/"))
            }
            let contextRoutes = routes.filter { Self.isContextRoute($0.path) }
            let unpoliced = contextRoutes.map { "\($0.method) \($0.path)" }.filter { Self.policies[$0] == nil }
            #expect(unpoliced.isEmpty, "routes of the referrals context without a policy: \(unpoliced)")
            #expect(contextRoutes.count >= Self.policies.count, "policies for routes that no longer exist")

            func fill(_ path: String) -> String {
                path.replacingOccurrences(of: ":consent", with: consent.id.uuidString)
                    .replacingOccurrences(of: ":referral", with: referral.id.uuidString)
                    .replacingOccurrences(of: ":action", with: "accept")
                    .replacingOccurrences(of: ":case", with: theCase.id.uuidString)
                    .replacingOccurrences(of: ":id", with: path.hasPrefix("/services") ? service.id.uuidString : theCase.id.uuidString)
            }
            // A well-formed body, so that what answers is the access rule, not the input check.
            func body(_ path: String) -> String {
                if path.hasSuffix("/consents") {
                    return #"{"recipientOrganisationId": "\#(fixture.helpCentre2.id.uuidString)", "scope": ["situation"], "purpose": "x", "givenHow": "spoken"}"#
                }
                if path.hasSuffix("/referrals") { return #"{"serviceId": "\#(service.id.uuidString)", "consentId": "\#(consent.id.uuidString)"}"# }
                if path.hasSuffix("/cases") { return #"{"alias": "x", "situations": ["legal"], "riskLevel": "low"}"# }
                return "{}"
            }
            // What each login may see of the case: everything, the shared part, or nothing.
            let holders: Set = ["caseworker", "supervisor"], receivers: Set = ["caseworker2"]
            // The holder last: her own writes (notes cleared by an empty form) must not hide a leak from the others' checks.
            let everyone = ["admin", "coordinator", "caseworker3", "viewer", "member", "caseworker2", "caseworker", "supervisor"]
            func secrets(for login: String) -> [String] {
                holders.contains(login) ? [] : receivers.contains(login) ? [Self.notes] : [Self.alias, Self.never, Self.notes]
            }

            for login in everyone {
                let browser = Browser(app)
                try await browser.login(login, login == "member" ? Fixture.pin : Fixture.password)
                let api = try await APIClient.forUser(login, on: app)
                for route in contextRoutes {
                    let path = fill(route.path)
                    let response: TestingHTTPResponse
                    if path.hasPrefix("/api/v1") {
                        response = try await api.send(HTTPMethod(rawValue: route.method), String(path.dropFirst("/api/v1".count)),
                                                      json: route.method == "GET" ? nil : body(route.path))
                    } else if route.method == "GET" {
                        response = try await browser.get(path)
                    } else {
                        _ = try await browser.get("/")
                        response = try await browser.post(path, [:])
                    }
                    let body = response.body.string
                    for secret in secrets(for: login) {
                        #expect(!body.contains(secret), "\(login) \(route.method) \(route.path) shows \(secret)")
                    }
                    let entitled = holders.contains(login) || receivers.contains(login)
                    if Self.policies["\(route.method) \(route.path)"] == .caseScoped && !entitled {
                        #expect([.notFound, .forbidden].contains(response.status), "\(login) \(route.method) \(route.path): \(response.status)")
                    }
                }
                // Every page of the app without an id, and the searches: nothing of the case for those not entitled.
                let pages = routes.filter { $0.method == "GET" && !$0.path.contains(":") && !$0.path.hasPrefix("/api") && $0.path != "/logout" }.map(\.path)
                    + ["/people?q=ТАЙНА", "/organisations?q=ТАЙНА", "/audit?entity=referral_case", "/audit?entity=referral_consent"]
                for page in pages {
                    let body = try await browser.get(page).body.string
                    for secret in secrets(for: login) { #expect(!body.contains(secret), "\(login) GET \(page) shows \(secret)") }
                }
                for path in ["/people", "/organisations", "/audit"] {
                    let body = try await api.send(.GET, path).body.string
                    for secret in secrets(for: login) { #expect(!body.contains(secret), "\(login) API GET \(path) shows \(secret)") }
                }
            }

            // The referral moved only by the receiver's own "accept": nobody uninvolved revoked or answered it.
            let state = try await ReferralService(db: app.db).referrals(of: try await cases.read(theCase.id, grants: holderGrants, by: .system), grants: holderGrants)
            #expect(state.first { $0.id == referral.id }?.status == .accepted)
        }
    }
}
