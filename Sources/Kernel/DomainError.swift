/// A rule of the domain was not met. Services throw it; the web shows it beside the field in the
/// user's language, the API answers `{"error":{"code","message"}}` with a 4xx status.
public struct DomainError: Error, Sendable, Equatable {
    public enum Kind: String, Sendable {
        case invalid      // 400 / 422: the input breaks a rule
        case notFound     // 404
        case conflict     // 409: it would clash with what is stored
        case forbidden    // 403
    }

    /// Stable machine code, e.g. `network.person.name-required`.
    public let code: String
    /// Catalogue key of the message; by convention `error.` + code.
    public var key: String { "error." + code }
    public let kind: Kind
    /// The form field the error belongs to, if any.
    public let field: String?
    /// Values for the message's placeholders.
    public let arguments: [String: String]

    public init(_ code: String, kind: Kind = .invalid, field: String? = nil, arguments: [String: String] = [:]) {
        self.code = code
        self.kind = kind
        self.field = field
        self.arguments = arguments
    }

    public static func notFound(_ what: String) -> DomainError {
        DomainError("\(what).not-found", kind: .notFound)
    }
}

/// Several field errors found at once, so a form can show every one of them.
public struct ValidationErrors: Error, Sendable, Equatable {
    public let errors: [DomainError]
    public init(_ errors: [DomainError]) { self.errors = errors }

    /// Throws when any check failed; otherwise does nothing.
    public static func throwIfAny(_ errors: [DomainError]) throws {
        if errors.count == 1 { throw errors[0] }
        if !errors.isEmpty { throw ValidationErrors(errors) }
    }
}
