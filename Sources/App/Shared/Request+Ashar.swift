import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

extension Request {
    private struct LocaleKey: StorageKey { typealias Value = AppLocale }
    private struct UserKey: StorageKey { typealias Value = UserRecord }

    static let localeCookie = "ashar_lang"

    /// The language of this request: the remembered choice (cookie), then `Accept-Language`, then Kyrgyz.
    var appLocale: AppLocale {
        if let cached = storage[LocaleKey.self] { return cached }
        let locale = cookies[Self.localeCookie].flatMap { AppLocale(rawValue: $0.string) }
            ?? AppLocale.negotiate(acceptLanguage: headers.first(name: .acceptLanguage))
        storage[LocaleKey.self] = locale
        return locale
    }

    var catalogue: Catalogue { Translations.bundled[appLocale] }

    func t(_ key: String, _ arguments: [String: String] = [:]) -> String {
        catalogue.text(key, arguments)
    }

    /// The logged-in user, set by the session or bearer middleware.
    var currentUser: UserRecord? {
        get { storage[UserKey.self] }
        set { storage[UserKey.self] = newValue }
    }

    /// Who a write is recorded as.
    var actor: Actor {
        currentUser.map { Actor(userID: $0.id, login: $0.login) } ?? .system
    }

    var isAPI: Bool { url.path.hasPrefix("/api/") }

    /// The route as declared ("/people/:id"), never the concrete URL: logs and metrics use it, and a
    /// concrete URL could point at someone.
    var routePattern: String {
        route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "(unmatched)"
    }

    /// The user, if she holds the permission. Nobody logged in: the login page (or 401 for the API);
    /// logged in without the permission: 403, and the page is not served.
    @discardableResult
    func require(_ permission: Permission) throws -> UserRecord {
        guard let user = currentUser else {
            if isAPI { throw Abort(.unauthorized) }
            throw Abort.redirect(to: "/login?next=" + (url.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? "/"))
        }
        guard user.permits(permission) else { throw Abort(.forbidden) }
        return user
    }

    /// The user, if she holds either permission (a page staff and the member herself may both open).
    @discardableResult
    func require(_ permission: Permission, or other: Permission) throws -> UserRecord {
        if let user = currentUser, user.permits(other) { return user }
        return try require(permission)
    }

    var clientAddress: String {
        remoteAddress?.ipAddress ?? "unknown"
    }
}

extension Application {
    var networkServices: NetworkServices { NetworkServices(db: db) }
}

extension Request {
    var network: NetworkServices { NetworkServices(db: db) }
}

/// The Network context's services on one database handle.
struct NetworkServices {
    let db: any Database
    var geography: GeographyService { GeographyService(db: db) }
    var organisations: OrganisationService { OrganisationService(db: db) }
    var people: PeopleService { PeopleService(db: db) }
    var users: UserService { UserService(db: db) }
    var audit: AuditLog { AuditLog(db: db) }
    var throttle: LoginThrottle { LoginThrottle(db: db) }
}

extension Request {
    /// An address printed on paper (a QR code): `ASHAR_PUBLIC_URL` when the server is behind a public name,
    /// otherwise the host this request came to.
    func publicURL(_ path: String) -> String {
        let base = Environment.get("ASHAR_PUBLIC_URL").map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            ?? "http://" + (headers.first(name: .host) ?? "127.0.0.1:8080")
        return base + path
    }
}
