import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// `ashar token create --user LOGIN`: prints a new API bearer token as the last word of its output.
struct TokenCommand: AsyncCommand {
    var help: String { "Creates an API token: ashar token create --user LOGIN" }

    struct Signature: CommandSignature {
        @Argument(name: "action", help: "create")
        var action: String
        @Option(name: "user", short: "u", help: "the login the token acts as")
        var user: String?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard signature.action == "create", let login = signature.user, !login.isEmpty else {
            context.console.error("Usage: ashar token create --user LOGIN")
            throw TokenCommandError.usage
        }
        let app = context.application
        try await migrate(app)
        guard let user = try await UserService(db: app.db).credentials(for: login)?.user, user.active else {
            context.console.error("No active user with login \(login).")
            throw TokenCommandError.unknownUser
        }
        let token = try await ApiTokens.issue(for: user, on: app.db, by: Actor(userID: nil, login: "cli"))
        context.console.print("API token for \(user.login): \(token)")
    }
}

enum TokenCommandError: Error {
    case usage
    case unknownUser
}
