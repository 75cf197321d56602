import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import NIOCore
import NIOPosix
import Vapor

/// The `ashar` executable: `serve` (default), `demo`, `migrate`, `token create --user LOGIN`, `seed --transfers N`.
public enum Ashar {
    public static func main() async throws {
        if BulkLoadMemory.isBulkLoad(CommandLine.arguments) { BulkLoadMemory.keepFreed() }
        // Swift's tasks run on NIO's event loops, not on a thread pool of their own: a request no longer
        // hops between the two for every await (the template Vapor generates does the same).
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        var env = try Environment.detect()
        try LoggingSystem.bootstrap(from: &env)
        let app = try await Application.make(env)
        do {
            try await configure(app, database: .fromEnvironment())
            await app.asyncCommands.use(MigratingServeCommand(serve: app.servers.asyncCommand), as: "serve", isDefault: true)
            await app.asyncCommands.use(DemoCommand(serve: app.servers.asyncCommand), as: "demo")
            app.asyncCommands.use(TokenCommand(), as: "token")
            app.asyncCommands.use(SeedCommand(), as: "seed")
            app.asyncCommands.use(ReferralsCommand(), as: "referrals")
            app.asyncCommands.use(RunMigrationsCommand(), as: "migrate")
            app.asyncCommands.use(BackupCommand(), as: "backup")
            app.asyncCommands.use(RestoreCommand(), as: "restore")
            app.asyncCommands.use(SyncCommand(), as: "sync")
            app.asyncCommands.use(UserCommand(), as: "user")
            app.asyncCommands.use(ExportCommand(), as: "export")
            try await app.execute()
        } catch {
            app.logger.report(error: error)
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }
}

/// `ashar serve`: runs pending migrations, then serves on `HOST`:`PORT`.
struct MigratingServeCommand: AsyncCommand {
    let serve: any AsyncCommand
    var help: String { "Runs pending migrations, then serves Ashar on HOST:PORT (default 127.0.0.1:8080)." }

    struct Signature: CommandSignature {}

    func run(using context: CommandContext, signature: Signature) async throws {
        try await migrate(context.application)
        var serveContext = Self.serveContext(context)
        try await serve.run(using: &serveContext)
        context.application.startRepeatingWork()
    }

    static func serveContext(_ context: CommandContext) -> CommandContext {
        var context = context
        // No arguments left for serve: it takes HOST and PORT from the configuration.
        context.input = CommandInput(arguments: ["ashar"])
        return context
    }
}

/// `ashar migrate`: runs pending migrations without asking (Fluent's own command asks y/n), creating
/// the `DATABASE_SCHEMA` first when one is named.
struct RunMigrationsCommand: AsyncCommand {
    var help: String { "Runs pending migrations." }

    struct Signature: CommandSignature {}

    func run(using context: CommandContext, signature: Signature) async throws {
        try await migrate(context.application)
        context.console.print("Migrations are up to date.")
    }
}
