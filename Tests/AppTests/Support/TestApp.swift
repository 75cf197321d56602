@testable import App
import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import NIOCore
import SQLKit
import TestSupport
import Testing
import Vapor
import VaporTesting

/// The small network most HTTP tests run against: one village, a time bank, a help centre, and a
/// user for each role.
struct Fixture {
    let village: PlaceRecord
    let bank: OrganisationRecord
    let helpCentre: OrganisationRecord
    /// A second help centre, with its own case worker (`caseworker2`): the organisation a case is referred to.
    let helpCentre2: OrganisationRecord
    let member: PersonRecord

    static let password = "correct-horse-9"
    static let pin = "2468"
}

/// Runs `body` against a fresh Ashar on its own database (in-memory SQLite, or a new schema on
/// `DATABASE_URL`'s PostgreSQL), migrated and seeded with the fixture.
func withAshar(_ body: (Application, Fixture) async throws -> Void) async throws {
    try await withFreshAshar { app in try await body(app, try await seed(app)) }
}

/// The same with the demo network loaded instead of the fixture: every kind of record a route can be asked about.
func withDemoAshar(_ body: (Application) async throws -> Void) async throws {
    try await withFreshAshar { app in
        try await DemoNetwork.load(on: app.db, hash: { [password = app.password] in try password.hash($0) }, cipher: app.noteCipher)
        try await body(app)
    }
}

/// A fresh Ashar on its own migrated database, dropped afterwards. `ASHAR_TEST_SQLITE=file` puts each in a
/// SQLite file of its own, as a server keeps it, whose request writes go through the file's own writer
/// (`SQLiteLedgerWriter`), instead of in memory.
private func withFreshAshar(_ body: (Application) async throws -> Void) async throws {
    let schema = TestDatabase.postgresURL.map { _ in TestDatabase.freshSchemaName() }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-test-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: folder) }
    let sqlite: DatabaseChoice = ProcessInfo.processInfo.environment["ASHAR_TEST_SQLITE"] == "file"
        ? .sqliteFile(folder.appendingPathComponent("ashar.sqlite").path) : .sqliteMemory
    let choice: DatabaseChoice = TestDatabase.postgresURL.map { .postgres($0, schema: schema) } ?? sqlite
    try await withApp(configure: { app in
        try await configure(app, database: choice)
    }) { app in
        try await migrate(app)
        do {
            try await body(app)
        } catch {
            try? await TestDatabase.drop(schema, on: app.db)
            throw error
        }
        try await TestDatabase.drop(schema, on: app.db)
    }
}

func seed(_ app: Application) async throws -> Fixture {
    let make = Factories(db: app.db)
    let hash: @Sendable (String) throws -> String = { [password = app.password] in try password.hash($0) }
    let village = try await make.village(named: "Сарай")
    let bank = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: village)
    let centre = try await make.organisation("«Мээрим» аялдарга жардам борбору", kind: .helpCentre, in: village)
    let centre2 = try await make.organisation("«Үмүт» кризистик борбору", kind: .helpCentre, in: village)
    let member = try await make.person("Асанова Гүлнара", in: village, born: 1980, phone: "0555 100 001")
    try await PeopleService(db: app.db).addMemberNumber(personID: member.id, organisationID: bank.id, number: "СР-001", by: .system)
    _ = try await make.user("admin", name: "Admin", password: Fixture.password, hash: hash, grants: [Grant(role: .admin)])
    _ = try await make.user("coordinator", name: "Осмонова Бурул", password: Fixture.password, hash: hash,
                            grants: [Grant(role: .coordinator, organisationID: bank.id)])
    _ = try await make.user("caseworker", name: "Садыкова Асел", password: Fixture.password, hash: hash,
                            grants: [Grant(role: .caseworker, organisationID: centre.id)])
    _ = try await make.user("caseworker2", name: "Жумабаева Нургүл", password: Fixture.password, hash: hash,
                            grants: [Grant(role: .caseworker, organisationID: centre2.id)])
    _ = try await make.user("supervisor", name: "Токтогулова Айжан", password: Fixture.password, hash: hash,
                            grants: [Grant(role: .supervisor, organisationID: centre.id)])
    _ = try await make.user("viewer", name: "Viewer", password: Fixture.password, hash: hash, grants: [Grant(role: .viewer)])
    _ = try await make.user("member", name: member.fullName, password: Fixture.pin, hash: hash, grants: [Grant(role: .member)],
                            phone: "0555 100 001", person: member.id)
    return Fixture(village: village, bank: bank, helpCentre: centre, helpCentre2: centre2, member: member)
}

/// A browser in a test: keeps cookies, reads the CSRF token from the last page, fills forms.
final class Browser {
    let app: Application
    var cookies: [String: String] = [:]
    var acceptLanguage: String?
    private(set) var csrf: String?

    init(_ app: Application, acceptLanguage: String? = nil) {
        self.app = app
        self.acceptLanguage = acceptLanguage
    }

    @discardableResult
    func get(_ path: String) async throws -> TestingHTTPResponse {
        try await send(.GET, path)
    }

    /// Posts a form the way a browser does, with the CSRF token of the last page seen.
    @discardableResult
    func post(_ path: String, _ fields: [String: String], withCSRF: Bool = true, headers: [(String, String)] = []) async throws -> TestingHTTPResponse {
        var fields = fields
        if withCSRF, fields["_csrf"] == nil {
            if csrf == nil { try await get("/login") }
            fields["_csrf"] = csrf
        }
        var components = URLComponents()
        components.queryItems = fields.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        let body = (components.percentEncodedQuery ?? "").replacingOccurrences(of: "+", with: "%2B")
        return try await send(.POST, path, bytes: Data(body.utf8), contentType: "application/x-www-form-urlencoded", headers: headers)
    }

    @discardableResult
    func login(_ login: String, _ password: String = Fixture.password) async throws -> TestingHTTPResponse {
        try await get("/login")
        let response = try await post("/login", ["identifier": login, "password": password, "next": "/"])
        // A new session at login brings a new CSRF token: read it from a page, as a browser would.
        if response.status == .seeOther { try await get("/") }
        return response
    }

    /// Posts a form with a file, as `multipart/form-data`, with the CSRF token of the last page seen.
    @discardableResult
    func upload(_ path: String, file: String, named filename: String, field: String = "file", fields: [String: String] = [:]) async throws -> TestingHTTPResponse {
        try await upload(path, data: Data(file.utf8), named: filename, field: field, fields: fields)
    }

    /// The same with the file's bytes as they are (a picture, a PDF), and the type the browser claims.
    @discardableResult
    func upload(_ path: String, data: Data, named filename: String, field: String = "file", contentType: String = "text/csv",
                fields: [String: String] = [:]) async throws -> TestingHTTPResponse {
        if csrf == nil { try await get("/login") }
        let boundary = "ashar-test-boundary"
        var body = Data((["_csrf": csrf ?? ""].merging(fields) { $1 }).sorted { $0.key < $1.key }
            .map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"\($0.key)\"\r\n\r\n\($0.value)\r\n" }.joined().utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(field)\"; filename=\"\(filename)\"\r\nContent-Type: \(contentType)\r\n\r\n".utf8)
        body += data + Data("\r\n--\(boundary)--\r\n".utf8)
        return try await send(.POST, path, bytes: body, contentType: "multipart/form-data; boundary=\(boundary)")
    }

    func send(_ method: HTTPMethod, _ path: String, body: String? = nil, contentType: String? = nil) async throws -> TestingHTTPResponse {
        try await send(method, path, bytes: body.map { Data($0.utf8) }, contentType: contentType)
    }

    func send(_ method: HTTPMethod, _ path: String, bytes body: Data?, contentType: String? = nil,
              headers extra: [(String, String)] = []) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders(extra)
        if !cookies.isEmpty {
            headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
        }
        if let acceptLanguage { headers.add(name: .acceptLanguage, value: acceptLanguage) }
        if let contentType { headers.add(name: .contentType, value: contentType) }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body.map { ByteBuffer(bytes: $0) })
        for header in response.headers[.setCookie] {
            let pair = header.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
            guard pair.count == 2 else { continue }
            let name = String(pair[0]), value = String(pair[1])
            if header.contains("Max-Age=0") || header.contains("Expires=Thu, 01 Jan 1970") { cookies[name] = nil } else { cookies[name] = value }
        }
        let html = response.body.string
        if let range = html.range(of: #"name="_csrf" value="([^"]+)""#, options: .regularExpression) {
            csrf = String(html[range].dropFirst(#"name="_csrf" value=""#.count).dropLast())
        }
        return response
    }
}

/// An API client with a bearer token.
struct APIClient {
    let app: Application
    let token: String?
    var language = "en"

    static func forUser(_ login: String, on app: Application) async throws -> APIClient {
        let user = try #require(try await UserService(db: app.db).credentials(for: login)?.user)
        return APIClient(app: app, token: try await ApiTokens.issue(for: user, on: app.db, by: .system))
    }

    func send(_ method: HTTPMethod, _ path: String, json: String? = nil, headers extra: [(String, String)] = []) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        headers.add(name: .acceptLanguage, value: language)
        if json != nil && !extra.contains(where: { $0.0.lowercased() == "content-type" }) { headers.contentType = .json }
        for (name, value) in extra { headers.add(name: name, value: value) }
        return try await app.testing().sendRequest(method, "/api/v1" + path, headers: headers, body: json.map { ByteBuffer(string: $0) })
    }

    /// A file as the body (a spreadsheet, a CSV), in the client's language.
    func send(_ method: HTTPMethod, _ path: String, body: Data, contentType: String, language: String? = nil) async throws -> TestingHTTPResponse {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        headers.add(name: .acceptLanguage, value: language ?? self.language)
        headers.add(name: .contentType, value: contentType)
        return try await app.testing().sendRequest(method, "/api/v1" + path, headers: headers, body: ByteBuffer(bytes: body))
    }

    func json(_ response: TestingHTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }
}
