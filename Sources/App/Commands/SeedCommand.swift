import DemoData
import Fluent
import Foundation
import Vapor

/// `ashar seed --transfers N`: adds N random exchanges to the banks' history (after `ashar demo` has
/// loaded the network), to see how pages and the API behave with years of bookings behind them.
/// `ashar seed --survey-export N --to FILE`: writes a KoboToolbox export of N baseline survey answers,
/// for timing an import through the API (`scripts/load.sh`); stores nothing.
struct SeedCommand: AsyncCommand {
    var help: String { "Adds N random exchanges to the time banks (--transfers N), or writes a survey export to import (--survey-export N --to FILE)" }

    struct Signature: CommandSignature {
        @Option(name: "transfers", short: "t", help: "how many exchanges to add")
        var transfers: Int?

        @Option(name: "survey-export", help: "how many baseline survey answers to write as a KoboToolbox export (stores nothing)")
        var surveyExport: Int?

        @Option(name: "to", help: "the file --survey-export writes")
        var to: String?

        @Option(name: "random-seed", help: "with --survey-export: other answers and instance keys for each seed (default 1)")
        var randomSeed: UInt64?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        if let count = signature.surveyExport {
            guard count > 0, let path = signature.to else { throw usage(context) }
            // Numbered past the demo's answers (from 0) and the generated ones (from 10,000,000); the
            // seed's random part of each key keeps exports of different seeds apart.
            let export = try DemoSurvey.baselineExport(count: count, first: 20_000_000, seed: signature.randomSeed ?? 1)
            try export.write(to: URL(fileURLWithPath: path))
            context.console.print("Wrote \(count) survey answers to \(path).")
            return
        }
        guard let count = signature.transfers, count > 0 else { throw usage(context) }
        let app = context.application
        try await migrate(app)
        let console = context.console
        // A line each time another hundred thousand are in.
        let booked = try await app.bulkLoad { db in
            try await DemoHistory.book(count, on: db, every: 100_000) { console.print("\($0) booked") }
        }
        context.console.print("Booked \(booked) exchanges.")
    }

    private func usage(_ context: CommandContext) -> SeedCommandError {
        context.console.error("Usage: ashar seed --transfers N, or ashar seed --survey-export N --to FILE [--random-seed S]")
        return .usage
    }
}

enum SeedCommandError: Error {
    case usage
}
