import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Logging in and out, and choosing the language.
struct LoginController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("login", use: form)
        routes.post("login", use: login)
        routes.post("logout", use: logout)
        routes.get("lang", ":code", use: language)
    }

    struct LoginPage: Encodable {
        var identifier = ""
        var next = "/"
        var error: String?
    }

    struct LoginForm: Content {
        var identifier: String?
        var password: String?
        var next: String?
    }

    @Sendable func form(req: Request) async throws -> Response {
        if req.currentUser != nil { return req.redirect(to: "/") }
        let next = Self.safeLocalPath(try? req.query.get(String.self, at: "next"))
        return try await req.render("login", title: req.t("login.title"), LoginPage(next: next))
    }

    @Sendable func login(req: Request) async throws -> Response {
        let form = try req.content.decode(LoginForm.self)
        let identifier = (form.identifier ?? "").trimmingCharacters(in: .whitespaces)
        let next = Self.safeLocalPath(form.next)
        let loginKey = PhoneNumber.normalise(identifier) ?? identifier.lowercased()
        let address = req.clientAddress
        let throttle = req.network.throttle

        if let until = try await throttle.lockedUntil(loginKey: loginKey, address: address) {
            let page = LoginPage(identifier: identifier, next: next,
                                 error: req.t("login.locked", ["time": BishkekTime.time(until)]))
            return try await req.render("login", title: req.t("login.title"), page, status: .tooManyRequests)
        }
        let credentials = try await req.network.users.credentials(for: identifier)
        let password = form.password ?? ""
        // Verify against a dummy hash when the login is unknown, so timing does not tell which logins exist.
        let hash = credentials?.passwordHash ?? Self.dummyHash
        let matches = (try? await req.password.async.verify(password, created: hash)) ?? false
        guard let user = credentials?.user, matches, user.active else {
            try await throttle.record(loginKey: loginKey, address: address, succeeded: false)
            let page = LoginPage(identifier: identifier, next: next, error: req.t("login.failed"))
            return try await req.render("login", title: req.t("login.title"), page, status: .unauthorized)
        }
        try await throttle.record(loginKey: loginKey, address: address, succeeded: true)
        // A new session id at login: a session id planted before login is worth nothing after it.
        if let old = req.session.id {
            try await req.application.sessions.driver.deleteSession(old, for: req).get()
        }
        req.session.id = nil
        req.session.data = SessionData()
        req.session.data[SessionKeys.userID] = user.id.uuidString
        return req.redirect(to: next)
    }

    @Sendable func logout(req: Request) async throws -> Response {
        req.session.destroy()
        return req.redirect(to: "/login")
    }

    @Sendable func language(req: Request) async throws -> Response {
        guard let locale = req.parameters.get("code").flatMap(AppLocale.init(rawValue:)) else { throw Abort(.notFound) }
        let response = req.redirect(to: Self.safeLocalPath(try? req.query.get(String.self, at: "back")))
        response.cookies[Request.localeCookie] = HTTPCookies.Value(string: locale.rawValue, maxAge: 365 * 24 * 3600,
                                                                     path: "/", isHTTPOnly: true, sameSite: .lax)
        return response
    }

    /// Only a path on this server: never an absolute or protocol-relative URL (no open redirect).
    static func safeLocalPath(_ path: String?) -> String {
        guard let path, path.hasPrefix("/"), !path.hasPrefix("//"), !path.contains("\\") else { return "/" }
        return path
    }

    /// A real hash of the default cost, made once, so checking an unknown login costs what checking a known one does.
    static let dummyHash: String = (try? Bcrypt.hash("ashar: no such login")) ?? ""
}
