import DemoData
import Fluent
import Vapor

/// `ashar seed --transfers N`: adds N random exchanges to the banks' history (after `ashar demo` has
/// loaded the network), to see how pages and the API behave with years of bookings behind them.
struct SeedCommand: AsyncCommand {
    var help: String { "Adds N random exchanges to the time banks: ashar seed --transfers N" }

    struct Signature: CommandSignature {
        @Option(name: "transfers", short: "t", help: "how many exchanges to add")
        var transfers: Int?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        guard let count = signature.transfers, count > 0 else {
            context.console.error("Usage: ashar seed --transfers N")
            throw SeedCommandError.usage
        }
        let app = context.application
        try await migrate(app)
        let console = context.console
        // A line each time another hundred thousand are in.
        let booked = try await app.bulkLoad { db in
            try await DemoHistory.book(count, on: db, every: 100_000) { console.print("\($0) booked") }
        }
        context.console.print("Booked \(booked) exchanges.")
    }
}

enum SeedCommandError: Error {
    case usage
}
