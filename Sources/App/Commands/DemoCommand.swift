import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// `ashar demo`: migrates, loads the demo network once, prints the demo logins, and serves.
struct DemoCommand: AsyncCommand {
    let serve: any AsyncCommand
    var help: String { "Migrates the database, loads the demo network (once), prints the demo logins and serves." }

    struct Signature: CommandSignature {}

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await migrate(app)
        let hasher = app.password
        let loaded = try await DemoNetwork.load(on: app.db, hash: { try hasher.hash($0) }, cipher: app.noteCipher, logos: app.certificationFiles.logos)
        context.console.print(loaded ? "Loaded the demo network." : "The demo network is already there: nothing added.")
        context.console.print("Demo logins (password or PIN):")
        for login in DemoNetwork.logins {
            context.console.print("  \(login.login.padding(toLength: 12, withPad: " ", startingAt: 0)) \(login.password)   \(login.what)")
        }
        let host = app.http.server.configuration.hostname, port = app.http.server.configuration.port
        context.console.print("Open http://\(host):\(port)/")
        var serveContext = MigratingServeCommand.serveContext(context)
        try await serve.run(using: &serveContext)
    }
}
