import AsharNetwork
import Certification
import DemoData
import Fluent
import Foundation
import Testing
import Vapor
import VaporTesting
@testable import App

/// Certification's routes, walked from the route table: each is either for coordinators and admins, or
/// public (what a batch's QR code opens, a brand's logo). A new route of the context without a policy
/// here fails the test.
@Suite("Certification: who may do what, from the route table")
struct CertificationAccessTests {
    static let publicRoutes: Set = ["GET /p/:code", "GET /brands/:id/logo", "GET /api/v1/public/batches/:code"]

    static func isContextRoute(_ path: String) -> Bool {
        ["/products", "/documents", "/regulations", "/brands", "/guarantee", "/p", "/api/v1/products", "/api/v1/documents", "/api/v1/regulations",
         "/api/v1/brands", "/api/v1/groups/:group/peer-visits", "/api/v1/peer-visits", "/api/v1/public/batches"]
            .contains { path == $0 || path.hasPrefix($0 + "/") }
    }

    @Test("Staff outside certification and members are refused every route but the public ones; coordinators are let in")
    func policy() async throws {
        try await withAshar { app, fixture in
            let honey = try await HoneyGroup.make(app, fixture)
            let batch = try await BatchService(db: app.db).create(honey.product.id, batchNumber: "1", producedOn: "2026-09-01", bestBefore: nil, by: .system)
            let document = try await DocumentService(db: app.db).register(DocumentDraft(
                type: .declaration, number: "Д-1", issuedOn: "2026-01-01", expiresOn: "2027-01-31", productIDs: [honey.product.id]), by: .system)
            let brand = try await BrandService(db: app.db).create(honey.group.id, name: "Таттуу", primaryColour: "#c8102e", secondaryColour: "#ffd700", by: .system)
            try await BrandService(db: app.db).setLogo(brand.id, data: TestFiles.png, store: app.certificationFiles.logos, by: .system)
            let visit = try await PathService(db: app.db).recordVisit(honey.group.id, VisitDraft(visitedOn: "2026-07-01", farm: "У", visitors: "Ж", passed: []), by: .system)
            let step = try await PathService(db: app.db).addStep(to: honey.product.id, StepDraft(kind: .sampling, cost: 100), by: .system)

            let routes = app.routes.all.map { (method: $0.method.rawValue, path: "/" + $0.path.map(\.description).joined(separator: "/")) }
                .filter { Self.isContextRoute($0.path) }
            #expect(routes.count >= 40, "the context's routes were found: \(routes.count)")

            func fill(_ path: String) -> String {
                let id = path.hasPrefix("/documents") ? document.id : path.hasPrefix("/brands") ? brand.id : path.hasPrefix("/guarantee") ? honey.group.id : honey.product.id
                return path.replacingOccurrences(of: ":code", with: batch.code).replacingOccurrences(of: ":product", with: honey.product.id.uuidString)
                    .replacingOccurrences(of: ":document", with: document.id.uuidString).replacingOccurrences(of: ":group", with: honey.group.id.uuidString)
                    .replacingOccurrences(of: ":visit", with: visit.id.uuidString).replacingOccurrences(of: ":step", with: step.id.uuidString)
                    .replacingOccurrences(of: ":id", with: id.uuidString)
            }

            // A well-formed body for each write, so that what answers is the access rule, not the input check.
            let product = #"{"groupId": "\#(honey.group.id)", "nameRu": "Мёд", "category": "honey"}"#
            let documentBody = #"{"type": "declaration", "number": "Д-2", "productIds": ["\#(honey.product.id)"], "issuedOn": "2026-01-01", "expiresOn": "2027-01-01"}"#
            let bodies: [(suffix: String, json: String)] = [
                ("/products", product), ("/products/:product", product), ("/batches", #"{"batchNumber": "9", "producedOn": "2026-10-01"}"#),
                ("/steps", #"{"kind": "consultation"}"#), ("/documents", documentBody), ("/replacements", documentBody),
                ("/status", #"{"status": "suspended"}"#), ("/regulations", #"{"code": "GOST 1", "kind": "national-standard", "evidence": "certificate", "titleRu": "Т"}"#),
                ("/brands", ##"{"groupId": "\##(honey.group.id)", "name": "Б", "primaryColour": "#000000", "secondaryColour": "#ffffff"}"##),
                ("/peer-visits", #"{"visitedOn": "2026-07-02", "farm": "У", "visitors": "Ж"}"#), ("/decision", #"{"decision": "approved", "decidedOn": "2026-07-03"}"#),
            ]
            func body(_ path: String) -> String { bodies.first { path.hasSuffix($0.suffix) }?.json ?? "{}" }

            for login in ["caseworker", "viewer", "member", "supervisor", "coordinator"] {
                let browser = Browser(app)
                try await browser.login(login, login == "member" ? Fixture.pin : Fixture.password)
                let api = try await APIClient.forUser(login, on: app)
                for route in routes {
                    let path = fill(route.path)
                    let key = "\(route.method) \(route.path)"
                    let response: TestingHTTPResponse
                    if path.hasSuffix("/scan") && route.method == "PUT" {
                        response = try await api.send(.PUT, String(path.dropFirst("/api/v1".count)), body: TestFiles.pdf, contentType: "application/pdf")
                    } else if path.hasPrefix("/api/v1") {
                        response = try await api.send(HTTPMethod(rawValue: route.method), String(path.dropFirst("/api/v1".count)),
                                                      json: route.method == "GET" ? nil : body(route.path))
                    } else if route.method == "GET" {
                        response = try await browser.get(path)
                    } else {
                        _ = try await browser.get("/")
                        response = try await browser.post(path, [:])
                    }
                    if Self.publicRoutes.contains(key) {
                        #expect(response.status == .ok, "\(login) \(key): public, yet \(response.status)")
                    } else if login == "coordinator" {
                        #expect(response.status != .forbidden && response.status.code < 500, "\(login) \(key): \(response.status)")
                    } else {
                        #expect(response.status == .forbidden, "\(login) \(key): \(response.status)")
                    }
                }
            }
        }
    }
}
