import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// `ashar user create --login LOGIN --name NAME --role ROLE [--organisation ID]`: a staff account on a
/// server that has none yet — a new installation, an office set up by `ashar sync`. The password is read
/// from ASHAR_PASSWORD, or asked for without echo; it must meet the password rules.
struct UserCommand: AsyncCommand {
    var help: String { "Creates a staff account: ashar user create --login LOGIN --name NAME --role ROLE [--organisation ID]" }

    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create")
        var action: String
        @Option(name: "login", help: "what she logs in with")
        var login: String?
        @Option(name: "name", help: "her name as shown")
        var name: String?
        @Option(name: "role", help: "admin, coordinator, caseworker, supervisor or viewer")
        var role: String?
        @Option(name: "organisation", help: "the organisation a coordinator, case worker or supervisor works for")
        var organisation: String?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create", let login = signature.login, let name = signature.name,
              let role = signature.role.flatMap(Role.init(rawValue:)), role != .member else {
            context.console.error("Usage: ashar user create --login LOGIN --name NAME --role admin|coordinator|caseworker|supervisor|viewer [--organisation ID]")
            throw UserCommandError.usage
        }
        let organisation = signature.organisation.flatMap(UUID.init(uuidString:))
        guard role.isScoped == (organisation != nil) else {
            context.console.error(role.isScoped ? "A \(role.rawValue) works for one organisation: give --organisation ID." : "An \(role.rawValue) is not limited to one organisation.")
            throw UserCommandError.usage
        }
        let password = Environment.get("ASHAR_PASSWORD").flatMap { $0.isEmpty ? nil : $0 } ?? context.console.ask("Password:", isSecure: true)
        if let problem = PasswordRules.check(password: password, isPIN: false) {
            context.console.error(Translations.bundled[.en].text(problem.key, problem.arguments))
            throw UserCommandError.usage
        }
        let app = context.application
        try await migrate(app)
        let users = UserService(db: app.db)
        let actor = Actor(userID: nil, login: "cli")
        let user = try await users.create(UserDraft(login: login, displayName: name), passwordHash: try app.password.hash(password), by: actor)
        try await users.grant(user.id, role: role, organisationID: organisation, by: actor)
        context.console.print("Created \(login) (\(role.rawValue)).")
    }
}

enum UserCommandError: Error {
    case usage
}
