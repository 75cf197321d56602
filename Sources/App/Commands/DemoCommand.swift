import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// `ashar demo`: migrates, loads the demo network once, prints the demo logins, and serves.
/// `--scale district|national` first grows it to that size (once): see `DemoScale`.
struct DemoCommand: AsyncCommand {
    let serve: any AsyncCommand
    var help: String { "Migrates the database, loads the demo network (once), prints the demo logins and serves." }

    struct Signature: CommandSignature {
        @Option(name: "scale", help: "grow the demo network first: district (4 more banks, 4,000 members, 40 producer groups, 20,000 survey answers, 200,000 exchanges: a fiftieth of national) or national (200 banks, 200,000 members, 2,000 producer groups, 1,000,000 survey answers, 10,000,000 exchanges)")
        var scale: String?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await migrate(app)
        let hasher = app.password
        let loaded = try await DemoNetwork.load(on: app.db, hash: { try hasher.hash($0) }, cipher: app.noteCipher, logos: app.certificationFiles.logos)
        context.console.print(loaded ? "Loaded the demo network." : "The demo network is already there: nothing added.")
        if let name = signature.scale {
            guard let scale = DemoScale(rawValue: name) else {
                context.console.error("--scale is district or national")
                throw DemoCommandError.unknownScale
            }
            let console = context.console, started = Date()
            let grown = try await app.bulkLoad { db in
                try await DemoScale.grow(scale, on: db) { console.print("  \($0) (\(Int(Date().timeIntervalSince(started))) s)") }
            }
            context.console.print(grown ? "Grew the network to \(name) scale." : "A generated network is already there: nothing added.")
        }
        context.console.print("Demo logins (password or PIN):")
        for login in DemoNetwork.logins {
            context.console.print("  \(login.login.padding(toLength: 12, withPad: " ", startingAt: 0)) \(login.password)   \(login.what)")
        }
        let host = app.http.server.configuration.hostname, port = app.http.server.configuration.port
        context.console.print("Open http://\(host):\(port)/")
        var serveContext = MigratingServeCommand.serveContext(context)
        try await serve.run(using: &serveContext)
        app.startRepeatingWork()
    }
}

enum DemoCommandError: Error {
    case unknownScale
}
