import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Certification
import Referrals
import Training
import Vapor

/// What every page's frame needs: language, title, navigation for the user's roles, the CSRF token.
struct Layout: Encodable {
    struct NavItem: Encodable {
        let href: String
        let label: String
        let current: Bool
    }

    struct LanguageLink: Encodable {
        let code: String
        let name: String
        let href: String
        let current: Bool
    }

    let lang: String
    let title: String
    let userName: String?
    /// Whose queued sends a page may make (js/offline.js): another user's wait for her.
    let userID: UUID?
    let nav: [NavItem]
    let languages: [LanguageLink]
    let csrf: String?

    /// The title is generic on purpose: titles never carry a person's name or situation.
    init(_ req: Request, title: String) {
        let locale = req.appLocale
        lang = locale.rawValue
        self.title = title
        userName = req.currentUser?.displayName
        userID = req.currentUser?.id
        let path = req.url.path
        let grants = req.currentUser?.grants.map(\.grant) ?? []
        nav = Self.sections.compactMap { section in
            guard req.currentUser != nil, section.visible(grants) else { return nil }
            let current = section.href == "/" ? path == "/" : path.hasPrefix(section.href)
            return NavItem(href: section.href, label: req.t(section.key), current: current)
        }
        let back = path.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_"))) ?? "/"
        languages = AppLocale.allCases.map {
            LanguageLink(code: $0.rawValue, name: $0.nativeName, href: "/lang/\($0.rawValue)?back=\(back)", current: $0 == locale)
        }
        csrf = CSRF.token(for: req)
    }

    private static func permits(_ permission: Permission) -> @Sendable ([Grant]) -> Bool {
        { AccessPolicy.permits($0, permission) }
    }

    private static let sections: [(href: String, key: String, visible: @Sendable ([Grant]) -> Bool)] = [
        ("/me", "nav.me", permits(.ownRecord)),
        ("/dashboard", "nav.dashboard", permits(.readAggregates)),
        ("/cases", "nav.cases", CaseAccess.isCaseworker),
        ("/help-requests", "nav.help-requests", { !CaseAccess.requestingOrganisations($0).isEmpty }),
        ("/people", "nav.people", permits(.readPeople)),
        ("/timebanks", "nav.timebanks", permits(.readRegistry)),
        ("/producer-groups", "nav.producers", permits(.readRegistry)),
        ("/forms", "nav.forms", permits(.readAggregates)),
        ("/stakeholders", "nav.partnerships", permits(.readRegistry)),
        ("/products", "nav.certification", CertificationAccess.canManage),
        ("/trainings", "nav.trainings", TrainingAccess.canManage),
        ("/services", "nav.services", CaseAccess.canReadDirectory),
        ("/directory", "nav.directory", permits(.readRegistry)),
        ("/organisations", "nav.organisations", permits(.readRegistry)),
        ("/geography", "nav.geography", permits(.readRegistry)),
        ("/users", "nav.users", permits(.manageUsers)),
        ("/audit", "nav.audit", permits(.readAudit)),
    ]
}

/// A page: the frame plus the page's own content.
struct Page<Content: Encodable>: Encodable {
    let layout: Layout
    let page: Content
}

extension Request {
    func render<Content: Encodable>(_ template: String, title: String, _ content: Content,
                                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let view = try await self.view.render(template, Page(layout: Layout(self, title: title), page: content))
        return try await view.encodeResponse(status: status, for: self)
    }
}
