@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import SQLKit
import Testing
import TestSupport
import Vapor
import VaporTesting

/// The whole route table, web and API, asked by every role, by staff and a member of organisations
/// that have nothing to do with what is asked, and by someone signed out; each answer is checked
/// against one access policy. A route that is not in the policy fails the test. On the way: every
/// answer carries the security headers, every form posted without its token is refused, and every
/// API answer is one openapi.yaml lists.
@Suite("Access: every route, every role, one policy")
struct AccessPolicyTests {
    /// Who may use a route. The logins are the demo's, and three of organisations uninvolved in what is
    /// asked: `coordinator-jj` (the other time bank), `caseworker-x` (another help centre) and `member-jj`
    /// (a member of the other bank). What is asked about is the Saray bank, the Jibek group and the demo
    /// case, which `coordinator`, `caseworker` and `supervisor` hold.
    enum Access {
        /// Anyone, signed in or not: signing in, health and metrics, the public product and directory pages, a bank's application form.
        case everyone
        case signedIn
        /// Counts, never a name: the dashboard, reports, survey analysis — viewers (donors) and staff.
        case aggregates
        /// The registry and the network's lists: every staff role of every organisation.
        case staff
        /// Certification, training, partnerships and survey forms: coordinators of any organisation and admins.
        case coordinators
        case admin
        /// One bank's or group's work: its own coordinator and admins, nobody from another organisation.
        case runsIt
        /// A member's account: the member herself, and those who run her bank.
        case memberOrRunner
        /// What a member does herself in her bank (a claim, her listings).
        case bankMember
        /// A member's own page.
        case members
        /// Case workers and supervisors of any help centre: their lists of cases, opening one.
        case caseworkers
        /// One case or referral: the centre that holds it and the centre it was referred to, nobody else (not
        /// admins); what each of the two may see and do is the referrals' own rule (ReferralsAccessTests).
        case caseParties
        /// Accepting a referral: only the centre it was sent to.
        case referralReceiver
        /// Asking a help centre for help for a woman: coordinators of the organisations she came to.
        case helpRequesters
        /// The directory of help services: supervisors, coordinators, admins.
        case directoryEditors
        /// The SMS gateway's webhook: without the gateway's secret it does not exist.
        case gateway

        var logins: Set<String> {
            let staff: Set = ["caseworker", "caseworker2", "caseworker-x", "supervisor", "coordinator-jj", "coordinator", "admin"]
            switch self {
            case .everyone: return Set(DemoIDs.logins)
            case .signedIn: return Set(DemoIDs.logins).subtracting(["anonymous"])
            case .aggregates: return staff.union(["viewer"])
            case .staff: return staff
            case .coordinators: return ["coordinator-jj", "coordinator", "admin"]
            case .admin: return ["admin"]
            case .runsIt: return ["coordinator", "admin"]
            case .memberOrRunner: return ["member", "coordinator", "admin"]
            case .bankMember: return ["member"]
            case .members: return ["member", "member-jj"]
            case .caseworkers: return ["caseworker", "caseworker2", "caseworker-x", "supervisor"]
            case .caseParties: return ["caseworker", "caseworker2", "supervisor"]
            case .referralReceiver: return ["caseworker2"]
            case .helpRequesters: return ["coordinator-jj", "coordinator"]
            case .directoryEditors: return ["supervisor", "coordinator-jj", "coordinator", "admin"]
            case .gateway: return []
            }
        }
    }

    /// The policy: every route of the app, web and API, under who may use it.
    static let policy: [Access: String] = [
        .everyone: """
            GET /api/v1/openapi.yaml
            GET /api/v1/public/batches/:code
            GET /api/v1/public/directory
            GET /brands/:id/logo
            GET /directory
            GET /health
            GET /lang/:code
            GET /login
            POST /login
            POST /logout
            GET /metrics
            GET /p/:code
            GET /timebanks/:bank/apply
            POST /timebanks/:bank/apply
            """,
        .signedIn: """
            GET /
            GET /api/v1/me
            """,
        .aggregates: """
            GET /api/v1/forms
            GET /api/v1/forms/:form
            GET /api/v1/forms/:form/crosstab
            GET /api/v1/forms/:form/frequencies
            GET /api/v1/indicators
            GET /api/v1/referrals/report
            GET /dashboard
            GET /dashboard.csv
            GET /donor-report
            GET /forms
            GET /forms/:form
            GET /forms/:form/analysis
            GET /forms/:form/analysis.csv
            GET /forms/baseline-needs-survey.csv
            GET /referrals/report
            """,
        .staff: """
            GET /agreements
            GET /agreements/:id
            GET /agreements/:id/scan.pdf
            GET /api/v1/agreements
            GET /api/v1/agreements/:agreement
            GET /api/v1/agreements/:agreement/scan
            GET /api/v1/agreements/attention
            GET /api/v1/aiyl-aimaks
            GET /api/v1/districts
            POST /api/v1/forms/:form/submissions
            GET /api/v1/oblasts
            GET /api/v1/organisations
            GET /api/v1/organisations/:id
            GET /api/v1/people
            POST /api/v1/people
            GET /api/v1/people/:id
            PATCH /api/v1/people/:id
            GET /api/v1/places/:id
            GET /api/v1/producer-groups
            GET /api/v1/producer-groups/:group/members
            GET /api/v1/services
            GET /api/v1/stakeholders
            GET /api/v1/stakeholders/:stakeholder
            GET /api/v1/suppliers/:supplier/catalogue
            GET /api/v1/sync/timebank/reference
            GET /api/v1/timebanks
            GET /api/v1/villages
            GET /forms/:form/fill
            POST /forms/:form/fill
            GET /geography
            GET /geography/:id
            GET /needs-gaps
            GET /organisations
            GET /organisations/:id
            GET /people
            POST /people
            GET /people/:id
            POST /people/:id
            GET /people/:id/edit
            POST /people/:id/numbers
            GET /people/:id/path
            POST /people/:id/path-consent
            GET /people/new
            POST /people/search
            GET /producer-groups
            GET /services
            GET /stakeholders
            GET /timebanks
            """,
        .coordinators: """
            POST /agreements
            POST /agreements/:id/obligations
            POST /agreements/:id/obligations/:obligation
            POST /agreements/:id/scan
            POST /agreements/:id/services
            POST /api/v1/agreements
            PUT /api/v1/agreements/:agreement
            POST /api/v1/agreements/:agreement/obligations
            PUT /api/v1/agreements/:agreement/obligations/:obligation
            PUT /api/v1/agreements/:agreement/scan
            POST /api/v1/agreements/:agreement/services
            GET /api/v1/brands
            POST /api/v1/brands
            GET /api/v1/consultations
            POST /api/v1/consultations
            POST /api/v1/consultations/:consultation/follow-up
            GET /api/v1/documents
            POST /api/v1/documents
            GET /api/v1/documents/:document
            POST /api/v1/documents/:document/replacements
            GET /api/v1/documents/:document/scan
            PUT /api/v1/documents/:document/scan
            POST /api/v1/documents/:document/status
            GET /api/v1/documents/expiring
            POST /api/v1/forms
            POST /api/v1/forms/:form/imports
            GET /api/v1/forms/:form/submissions
            PUT /api/v1/forms/:form/submissions/:submission/respondent
            GET /api/v1/groups/:group/peer-visits
            POST /api/v1/groups/:group/peer-visits
            POST /api/v1/peer-visits/:visit/decision
            GET /api/v1/products
            POST /api/v1/products
            GET /api/v1/products/:product
            PUT /api/v1/products/:product
            GET /api/v1/products/:product/batches
            POST /api/v1/products/:product/batches
            GET /api/v1/products/:product/label-check
            GET /api/v1/products/:product/requirements
            GET /api/v1/products/:product/steps
            POST /api/v1/products/:product/steps
            POST /api/v1/products/:product/steps/:step/share
            GET /api/v1/regulations
            POST /api/v1/regulations
            POST /api/v1/stakeholders
            PUT /api/v1/stakeholders/:stakeholder
            GET /api/v1/trainings
            POST /api/v1/trainings
            GET /api/v1/trainings/:session
            POST /api/v1/trainings/:session/attendance
            GET /brands
            POST /brands
            GET /brands/:id
            POST /brands/:id/logo
            GET /consultations
            POST /consultations
            POST /consultations/:id/follow-up
            GET /documents
            POST /documents
            GET /documents/:id
            POST /documents/:id/replace
            POST /documents/:id/scan
            GET /documents/:id/scan.pdf
            POST /documents/:id/status
            POST /forms
            POST /forms/:form/imports
            GET /forms/:form/submissions
            GET /forms/:form/submissions/:id
            POST /forms/:form/submissions/:id/person-search
            POST /forms/:form/submissions/:id/respondent
            GET /guarantee
            GET /guarantee/:group
            POST /guarantee/:group/visits
            POST /guarantee/:group/visits/:visit/decision
            GET /needs-gaps/services
            POST /needs-gaps/services
            GET /products
            POST /products
            GET /products/:id
            POST /products/:id
            POST /products/:id/batches
            GET /products/:id/labels
            GET /products/:id/photo
            POST /products/:id/photo
            POST /products/:id/steps
            POST /products/:id/steps/:step/done
            POST /products/:id/steps/:step/share
            GET /regulations
            POST /regulations
            POST /stakeholders
            GET /stakeholders/:id
            POST /stakeholders/:id
            GET /trainings
            POST /trainings
            GET /trainings/:id
            POST /trainings/:id/attendance
            """,
        .admin: """
            POST /api/v1/aiyl-aimaks
            POST /api/v1/districts
            POST /api/v1/oblasts
            POST /api/v1/organisations
            PATCH /api/v1/organisations/:id
            PATCH /api/v1/places/:id
            POST /api/v1/villages
            GET /audit
            POST /geography
            POST /geography/:id
            GET /geography/:id/edit
            GET /geography/new
            POST /organisations
            POST /organisations/:id
            GET /organisations/:id/edit
            GET /organisations/new
            GET /sms
            POST /sms
            GET /users
            POST /users
            GET /users/:id
            POST /users/:id/active
            POST /users/:id/grants
            POST /users/:id/grants/:grant/revoke
            POST /users/:id/password
            GET /users/new
            """,
        .runsIt: """
            POST /api/v1/bookings/:booking/cancel
            POST /api/v1/bookings/:booking/handover
            POST /api/v1/bookings/:booking/return
            POST /api/v1/claims/:claim/payout
            POST /api/v1/claims/:claim/votes
            GET /api/v1/equipment/:equipment/bookings
            POST /api/v1/equipment/:equipment/bookings
            POST /api/v1/equipment/:equipment/maintenance
            GET /api/v1/equipment/:equipment/queue
            POST /api/v1/equipment/:equipment/queue
            POST /api/v1/pools/:pool/costs
            POST /api/v1/pools/:pool/distribution
            POST /api/v1/pools/:pool/intakes
            POST /api/v1/pools/:pool/payments
            GET /api/v1/pools/:pool/payouts
            GET /api/v1/producer-groups/:group/counterparties
            POST /api/v1/producer-groups/:group/counterparties
            GET /api/v1/producer-groups/:group/equipment
            POST /api/v1/producer-groups/:group/equipment
            GET /api/v1/producer-groups/:group/fund
            GET /api/v1/producer-groups/:group/fund/claims
            POST /api/v1/producer-groups/:group/fund/claims
            POST /api/v1/producer-groups/:group/fund/dues
            POST /api/v1/producer-groups/:group/members
            GET /api/v1/producer-groups/:group/members/:member/account
            POST /api/v1/producer-groups/:group/members/:member/payments
            POST /api/v1/producer-groups/:group/pools
            POST /api/v1/producer-groups/:group/rounds
            POST /api/v1/rounds/:round/articles
            POST /api/v1/rounds/:round/close
            POST /api/v1/rounds/:round/costs
            POST /api/v1/rounds/:round/open
            POST /api/v1/rounds/:round/ordered
            PUT /api/v1/rounds/:round/orders/:member
            POST /api/v1/rounds/:round/payments
            POST /api/v1/rounds/:round/receipt
            POST /api/v1/rounds/:round/settle
            GET /api/v1/rounds/:round/settlement
            POST /api/v1/suppliers/:supplier/catalogue
            POST /api/v1/suppliers/:supplier/price-list
            GET /api/v1/sync/timebank/members
            POST /api/v1/sync/timebank/members
            GET /api/v1/sync/timebank/transfers
            POST /api/v1/sync/timebank/transfers
            GET /api/v1/timebanks/:bank/members
            POST /api/v1/timebanks/:bank/members
            POST /api/v1/timebanks/:bank/transfers
            POST /api/v1/timebanks/:bank/transfers/:id/reversal
            GET /equipment/:equipment
            POST /equipment/:equipment/bookings
            POST /equipment/:equipment/bookings/:booking/:step
            POST /equipment/:equipment/maintenance
            POST /equipment/:equipment/queue
            GET /pools/:pool
            POST /pools/:pool/distribution
            POST /pools/:pool/intakes
            GET /pools/:pool/intakes/:intake
            POST /pools/:pool/money
            GET /producer-groups/:group
            GET /producer-groups/:group/equipment
            POST /producer-groups/:group/equipment
            GET /producer-groups/:group/fund
            POST /producer-groups/:group/fund/claims
            POST /producer-groups/:group/fund/claims/:claim/payout
            POST /producer-groups/:group/fund/claims/:claim/votes
            POST /producer-groups/:group/fund/dues
            POST /producer-groups/:group/fund/rule
            POST /producer-groups/:group/members
            GET /producer-groups/:group/members/:member
            POST /producer-groups/:group/members/:member/payments
            GET /producer-groups/:group/pools
            POST /producer-groups/:group/pools
            GET /producer-groups/:group/reminder
            POST /producer-groups/:group/reminder
            GET /producer-groups/:group/reports
            GET /producer-groups/:group/reports/:file
            POST /producer-groups/:group/rounds
            GET /producer-groups/:group/suppliers
            POST /producer-groups/:group/suppliers
            GET /producer-groups/:group/suppliers/:supplier
            POST /producer-groups/:group/suppliers/:supplier/articles
            POST /producer-groups/:group/suppliers/:supplier/price-list
            GET /producer-groups/:group/suppliers/:supplier/price-list-sample
            GET /rounds/:round
            POST /rounds/:round/articles
            POST /rounds/:round/catalogue
            POST /rounds/:round/close
            POST /rounds/:round/costs
            GET /rounds/:round/distribution
            POST /rounds/:round/open
            POST /rounds/:round/ordered
            POST /rounds/:round/orders
            POST /rounds/:round/payments
            POST /rounds/:round/receipt
            POST /rounds/:round/settle
            GET /rounds/:round/sheets
            GET /timebanks/:bank
            GET /timebanks/:bank/applications
            POST /timebanks/:bank/applications/:application/accept
            POST /timebanks/:bank/applications/:application/decline
            GET /timebanks/:bank/batch
            POST /timebanks/:bank/batch
            POST /timebanks/:bank/batch/row
            GET /timebanks/:bank/board
            POST /timebanks/:bank/board
            GET /timebanks/:bank/board/:listing
            POST /timebanks/:bank/board/:listing/close
            POST /timebanks/:bank/categories
            GET /timebanks/:bank/claims
            POST /timebanks/:bank/exchanges
            GET /timebanks/:bank/import
            POST /timebanks/:bank/import
            GET /timebanks/:bank/import/sample.csv
            POST /timebanks/:bank/members
            GET /timebanks/:bank/members/:member/card
            GET /timebanks/:bank/register
            GET /timebanks/:bank/reports
            GET /timebanks/:bank/reports/:file
            GET /timebanks/:bank/sheets
            GET /timebanks/:bank/sheets/import
            POST /timebanks/:bank/sheets/import
            GET /timebanks/:bank/sheets/sample.csv
            GET /timebanks/:bank/slips
            GET /timebanks/:bank/sync
            POST /timebanks/:bank/sync
            GET /timebanks/:bank/transfers/:transfer/reversal
            POST /timebanks/:bank/transfers/:transfer/reversal
            """,
        .memberOrRunner: """
            GET /api/v1/timebanks/:bank/accounts/:member
            GET /api/v1/timebanks/:bank/accounts/:member/statement
            GET /api/v1/timebanks/:bank/claims
            POST /api/v1/timebanks/:bank/claims/:id/confirmation
            POST /api/v1/timebanks/:bank/claims/:id/decline
            POST /timebanks/:bank/claims/:claim/confirm
            POST /timebanks/:bank/claims/:claim/decline
            GET /timebanks/:bank/members/:member
            GET /timebanks/:bank/members/:member/statement.csv
            """,
        .bankMember: """
            POST /api/v1/timebanks/:bank/claims
            POST /timebanks/:bank/claims
            POST /timebanks/:bank/my-listings
            """,
        .members: """
            GET /me
            """,
        .caseworkers: """
            GET /api/v1/cases
            POST /api/v1/cases
            GET /cases
            POST /cases
            GET /cases/new
            """,
        .caseParties: """
            GET /api/v1/cases/:case
            POST /api/v1/cases/:case/consents
            POST /api/v1/cases/:case/referrals
            GET /cases/:id
            POST /cases/:id/close
            POST /cases/:id/consents
            POST /cases/:id/consents/:consent/withdraw
            POST /cases/:id/contact
            POST /cases/:id/notes
            POST /cases/:id/person
            POST /cases/:id/person-search
            POST /cases/:id/receive
            POST /cases/:id/referrals
            POST /referrals/:referral/:action
            """,
        .helpRequesters: """
            GET /help-requests
            POST /help-requests
            """,
        .directoryEditors: """
            POST /services
            GET /services/:id
            POST /services/:id
            """,
        .referralReceiver: """
            POST /api/v1/referrals/:referral/:action
            """,
        .gateway: """
            POST /sms/inbound
            """,
    ]

    static func routesByAccess() -> [String: Access] {
        var found: [String: Access] = [:]
        for (access, routes) in policy {
            for route in routes.split(separator: "\n").map({ $0.trimmingCharacters(in: .whitespaces) }) where !route.isEmpty {
                precondition(found.updateValue(access, forKey: route) == nil, "\(route) is in the policy twice")
            }
        }
        return found
    }

    static func routes(of app: Application) -> [(method: String, path: String)] {
        app.routes.all.map { (method: $0.method.rawValue, path: "/" + $0.path.map(\.description).joined(separator: "/")) }
    }

    @Test("Every route of the app, web and API, is in the access policy, and the policy names no route that is gone")
    func everyRouteHasAPolicy() async throws {
        try await withAshar { app, _ in
            let routes = Set(Self.routes(of: app).map { "\($0.method) \($0.path)" }), policy = Set(Self.routesByAccess().keys)
            #expect(routes.subtracting(policy).sorted() == [], "routes without a policy")
            #expect(policy.subtracting(routes).sorted() == [], "policies of routes that no longer exist")
        }
    }

    @Test("Every route answers every role, staff and a member of uninvolved organisations, and someone signed out, as the policy says; forms without their token are refused; every answer has the security headers")
    func wholeRouteTable() async throws {
        try await withDemoAshar { app in
            var ids = try await DemoIDs.find(on: app)
            try await ids.addOutsiders(on: app)
            let bank = ids.values[":bank"]!, group = ids.values[":group"]!
            let spec = try SpecRequests(yaml: try await app.testing().sendRequest(.GET, "/api/v1/openapi.yaml").body.string,
                                        known: ["bank": bank, "bankId": bank, "group": group, "groupId": group])
            let routes = Self.routes(of: app)
            let policy = Self.routesByAccess()

            var undeclared: Set<String> = [], unguarded: Set<String> = []
            for login in DemoIDs.logins {
                let browser = Browser(app)
                var api = APIClient(app: app, token: nil)
                if login != "anonymous" {
                    _ = try await browser.login(login, login.hasPrefix("member") ? DemoNetwork.memberPIN : DemoNetwork.staffPassword)
                    api = try await APIClient.forUser(login, on: app)
                }
                // Signing in and out last: they change the session the other routes are asked with.
                for route in routes.sorted(by: { ($0.path.hasPrefix("/log") ? 1 : 0, $0.path, $0.method) < ($1.path.hasPrefix("/log") ? 1 : 0, $1.path, $1.method) }) {
                    let key = "\(route.method) \(route.path)"
                    guard let access = policy[key], !(key == "POST /login" && login != "anonymous") else { continue }
                    let path = ids.fill(route.path, for: login)
                    let response: TestingHTTPResponse
                    if path.hasPrefix("/api/v1") {
                        let method = HTTPMethod(rawValue: route.method), apiPath = String(path.dropFirst("/api/v1".count))
                        let made = spec.request(route.method, route.path)
                        #expect(made != nil || route.path == "/api/v1/openapi.yaml", "\(key) is not in openapi.yaml")
                        let target = apiPath + (made?.query.isEmpty == false ? "?" + made!.query : "")
                        if let body = made?.body, let type = made?.contentType {
                            response = try await api.send(method, target, body: body, contentType: type)
                        } else {
                            response = try await api.send(method, target)
                        }
                        let declared = spec.statuses(route.method, route.path)
                        if route.path != "/api/v1/openapi.yaml" && !declared.contains(String(response.status.code)) && !declared.contains("default") {
                            undeclared.insert("\(key) \(response.status.code)")
                        }
                    } else if route.method == "GET" {
                        response = try await browser.get(path)
                    } else {
                        _ = try await browser.get("/")
                        // Signing in, as anyone may; every other form empty.
                        let fields = path == "/login" ? ["identifier": "viewer", "password": DemoNetwork.staffPassword] : [:]
                        response = try await browser.post(path, fields)
                    }
                    if response.headers.first(name: "X-Content-Type-Options") != "nosniff" || response.headers.first(name: "X-Frame-Options") != "DENY"
                        || !response.headers.contains(name: "Content-Security-Policy") {
                        unguarded.insert(key)
                    }
                    // A form posted without the session's token is refused, whoever posts it.
                    if route.method == "POST", !path.hasPrefix("/api/v1"), access != .gateway, ["anonymous", "coordinator", "admin"].contains(login) {
                        let forged = try await browser.post(path, ["identifier": "viewer", "password": DemoNetwork.staffPassword], withCSRF: false)
                        #expect(forged.status == .forbidden, "\(login) \(key) without the form's token: \(forged.status)")
                    }
                    // A page that sends the browser to sign in is the web's 401.
                    var status = response.status.code
                    if status == 303, !route.path.hasPrefix("/log"), response.headers.first(name: .location)?.hasPrefix("/login") == true { status = 401 }
                    if access == .gateway {
                        #expect(status == 404, "\(login) \(key): \(status)")
                    } else if access.logins.contains(login) {
                        #expect(![401, 403].contains(status) && status < 500, "\(login) \(key) is let in (\(access)), yet \(status)")
                    } else if login == "anonymous" {
                        #expect(status == 401, "signed out \(key): \(status)")
                    } else {
                        #expect([403, 404].contains(status), "\(login) \(key) is refused (\(access)), yet \(status)")
                    }
                }
            }
            #expect(undeclared.sorted() == [], "API answers openapi.yaml does not list")
            #expect(unguarded.sorted() == [], "answers without the security headers")
        }
    }
}

/// One record of each kind in the demo, to fill a route's parameters: the Saray time bank and the Jibek
/// group (which the demo coordinator runs) and what belongs to them.
struct DemoIDs {
    static let logins = ["anonymous", "member", "member-jj", "viewer", "caseworker", "caseworker2", "caseworker-x", "supervisor",
                         "coordinator-jj", "coordinator", "admin"]
    var values: [String: String] = [:]
    var ownAccount = "", otherAccount = ""

    static func find(on app: Application) async throws -> DemoIDs {
        let sql = app.db as! any SQLDatabase
        func one(_ query: String) async throws -> String {
            let row = try await sql.raw(SQLQueryString(query)).first()
            return try row.map { try $0.decode(column: "id", as: UUID.self).uuidString } ?? UUID().uuidString
        }
        func text(_ query: String) async throws -> String {
            try await sql.raw(SQLQueryString(query)).first().map { try $0.decode(column: "v", as: String.self) } ?? "none"
        }
        var ids = DemoIDs()
        let bank = try await one("SELECT id FROM organisations WHERE name = 'Сарай убакыт банкы'")
        let group = try await one("SELECT id FROM organisations WHERE name = '«Жибек» тилектеш өндүрүүчүлөр тобу'")
        let bankKey = "(SELECT id FROM organisations WHERE name = 'Сарай убакыт банкы')"
        let groupKey = "(SELECT id FROM organisations WHERE name = '«Жибек» тилектеш өндүрүүчүлөр тобу')"
        let equipment = try await one("SELECT id FROM producer_equipment WHERE group_id = \(groupKey)")
        let form = try await one("SELECT id FROM needs_forms")
        let product = try await one("SELECT id FROM certification_products WHERE organisation_id = \(groupKey)")
        ids.values = [
            ":bank": bank, ":group": group, ":equipment": equipment, ":form": form, ":product": product,
            ":listing": try await one("SELECT id FROM timebank_listings WHERE bank_id = \(bankKey)"),
            ":application": UUID().uuidString,
            ":transfer": try await one("SELECT id FROM timebank_transfers WHERE bank_id = \(bankKey)"),
            ":round": try await one("SELECT id FROM producer_rounds WHERE group_id = \(groupKey)"),
            ":pool": try await one("SELECT id FROM producer_pools WHERE group_id = \(groupKey)"),
            ":intake": try await one("SELECT i.id FROM producer_intakes i JOIN producer_pools p ON p.id = i.pool_id WHERE p.group_id = \(groupKey)"),
            ":booking": try await one("SELECT id FROM producer_equipment_bookings WHERE equipment_id = '\(equipment)'"),
            ":supplier": try await one("SELECT organisation_id AS id FROM producer_counterparties WHERE group_id = \(groupKey) AND kind = 'supplier'"),
            ":claim": try await one("SELECT id FROM producer_fund_claims WHERE group_id = \(groupKey)"),
            ":submission": try await one("SELECT id FROM needs_submissions"),
            ":agreement": try await one("SELECT id FROM partnerships_agreements"),
            ":obligation": try await one("SELECT id FROM partnerships_obligations"),
            ":stakeholder": try await one("SELECT id FROM partnerships_stakeholders"),
            ":case": try await one("SELECT id FROM referrals_cases"),
            ":consent": try await one("SELECT id FROM referrals_consents"),
            ":referral": try await one("SELECT id FROM referrals_referrals"),
            ":document": try await one("SELECT id FROM certification_documents"),
            ":visit": try await one("SELECT id FROM certification_peer_visits WHERE organisation_id = \(groupKey)"),
            ":session": try await one("SELECT id FROM training_sessions"),
            ":consultation": try await one("SELECT id FROM training_consultations"),
            ":code": try await text("SELECT code AS v FROM certification_batches"),
            ":producer-member": try await one("SELECT id FROM producer_members WHERE group_id = \(groupKey)"),
            ":product-step": try await one("SELECT id FROM certification_steps WHERE product_id = '\(product)'"),
            "people": try await one("SELECT person_id AS id FROM users WHERE login = 'member'"),
            "geography": try await one("SELECT id FROM places WHERE level = 'village'"),
            "places": try await one("SELECT id FROM places WHERE level = 'village'"),
            "organisations": bank,
            "brands": try await one("SELECT id FROM certification_brands"),
            "services": try await one("SELECT id FROM referrals_services"),
            "cases": try await one("SELECT id FROM referrals_cases"),
            "products": product,
            "agreements": try await one("SELECT id FROM partnerships_agreements"),
            "documents": try await one("SELECT id FROM certification_documents"),
            "trainings": try await one("SELECT id FROM training_sessions"),
            "stakeholders": try await one("SELECT id FROM partnerships_stakeholders"),
            "consultations": try await one("SELECT id FROM training_consultations"),
            "submissions": try await one("SELECT id FROM needs_submissions"),
            "timebank-claims": UUID().uuidString,
        ]
        ids.ownAccount = try await one("SELECT m.id FROM timebank_members m JOIN users u ON u.person_id = m.person_id WHERE u.login = 'member' AND m.bank_id = \(bankKey)")
        ids.otherAccount = try await one("SELECT id FROM timebank_members WHERE bank_id = \(bankKey) AND id <> '\(ids.ownAccount)'")
        return ids
    }

    /// Staff and a member of organisations uninvolved in the Saray bank and the Jibek group, and a user
    /// whose account the user routes act on.
    mutating func addOutsiders(on app: Application) async throws {
        let make = Factories(db: app.db)
        let hash: @Sendable (String) throws -> String = { [password = app.password] in try password.hash($0) }
        let sql = app.db as! any SQLDatabase
        func org(_ name: String) async throws -> UUID {
            try await sql.raw("SELECT id FROM organisations WHERE name = \(bind: name)").first()!.decode(column: "id", as: UUID.self)
        }
        let jangyJer = try await org("Жаңы-Жер убакыт банкы")
        let elsewhere = try await make.organisation("«Бейтарап» борбору", kind: .helpCentre, in: try await make.village(named: "Бейтарап"))
        _ = try await make.user("coordinator-jj", name: "Жаңы-Жер", password: DemoNetwork.staffPassword, hash: hash,
                                grants: [Grant(role: .coordinator, organisationID: jangyJer)])
        _ = try await make.user("caseworker-x", name: "Бейтарап", password: DemoNetwork.staffPassword, hash: hash,
                                grants: [Grant(role: .caseworker, organisationID: elsewhere.id)])
        let woman = try await sql.raw("SELECT person_id AS id FROM timebank_members WHERE bank_id = \(bind: jangyJer)").first()!.decode(column: "id", as: UUID.self)
        _ = try await make.user("member-jj", name: "Жаңы-Жер", password: DemoNetwork.memberPIN, hash: hash, grants: [Grant(role: .member)],
                                phone: "0555 999 001", person: woman)
        let bystander = try await make.user("bystander", name: "Bystander", password: DemoNetwork.staffPassword, hash: hash, grants: [Grant(role: .viewer)])
        values["users"] = bystander.id.uuidString
        values[":grant"] = try await sql.raw("SELECT id FROM role_grants WHERE user_id = \(bind: bystander.id)").first()!.decode(column: "id", as: UUID.self).uuidString
    }

    /// The route's path with every parameter filled: `:member` is the member's own account for the
    /// member of the Saray bank, someone else's for everyone else.
    func fill(_ path: String, for login: String) -> String {
        let segments = path.split(separator: "/").map(String.init)
        var filled: [String] = []
        for (index, segment) in segments.enumerated() {
            guard segment.hasPrefix(":") else { filled.append(segment); continue }
            let previous = index > 0 ? segments[index - 1] : ""
            let context = segments.first { !$0.hasPrefix(":") && $0 != "api" && $0 != "v1" } ?? ""
            let value: String
            switch segment {
            case ":member":
                value = context == "timebanks" ? (login == "member" ? ownAccount : otherAccount) : self.values[":producer-member"]!
            case ":step": value = context == "products" ? self.values[":product-step"]! : "handover"
            case ":action": value = "accept"
            case ":file": value = "members.csv"
            case ":code": value = context == "lang" ? "ru" : self.values[":code"]!
            case ":id":
                if previous == "claims" { value = self.values["timebank-claims"]! }
                else if previous == "transfers" { value = self.values[":transfer"]! }
                else if previous == "submissions" { value = self.values["submissions"]! }
                else { value = self.values[context] ?? "unknown-\(context)" }
            default: value = self.values[segment] ?? "unknown-\(segment)"
            }
            filled.append(value)
        }
        return "/" + filled.joined(separator: "/")
    }
}
