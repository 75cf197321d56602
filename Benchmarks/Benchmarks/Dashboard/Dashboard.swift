import App
import Benchmark
import BenchmarkSupport
import DemoData
import Foundation
import Kernel
import Reporting
import Vapor

/// The network's dashboard on the demo network (the pilot's two oblasts: 1,100 survey answers, two time
/// banks, two producer groups, referrals, trainings, products) on the embedded SQLite, without HTTP: one
/// period's indicators, and the same period with its chart by month — and, given a network grown to
/// national scale (`ASHAR_NATIONAL_DIR`, a data directory after `ashar demo --scale national`), the
/// same there. Figures: docs/PERFORMANCE.md.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock], maxDuration: .seconds(60), maxIterations: 50)

    Benchmark("Dashboard: every indicator for a year, by district (demo network)") { benchmark, app in
        for _ in benchmark.scaledIterations {
            blackHole(try await NetworkIndicators(db: app.db).report(from: "2026-01-01", to: "2026-12-31"))
        }
    } setup: {
        try await DemoWorld.make()
    } teardown: {
        try await BenchmarkApps.closeAll()
    }

    Benchmark("Dashboard: the same year with its chart by month (what /dashboard shows)") { benchmark, app in
        for _ in benchmark.scaledIterations {
            blackHole(try await NetworkIndicators(db: app.db).overview(from: "2026-01-01", to: "2026-12-31", step: .month))
        }
    } setup: {
        try await DemoWorld.make()
    } teardown: {
        try await BenchmarkApps.closeAll()
    }

    if let national = ProcessInfo.processInfo.environment["ASHAR_NATIONAL_DIR"] {
        Benchmark("Dashboard: a year with its chart by month, national scale (ASHAR_NATIONAL_DIR)") { benchmark, app in
            for _ in benchmark.scaledIterations {
                blackHole(try await NetworkIndicators(db: app.db).overview(from: "2026-01-01", to: "2026-12-31", step: .month))
            }
        } setup: {
            try await BenchmarkApps.open(existing: national)
        } teardown: {
            try await BenchmarkApps.closeAll()
        }
    }

    Benchmark("Directory: who offers what where, every organisation and partner (demo network)") { benchmark, app in
        for _ in benchmark.scaledIterations {
            blackHole(try await NetworkDirectory(db: app.db).entries())
        }
    } setup: {
        try await DemoWorld.make()
    } teardown: {
        try await BenchmarkApps.closeAll()
    }
}

enum DemoWorld {
    static func make() async throws -> Application {
        let app = try await BenchmarkApps.open()
        let hasher = app.password
        // Without a note cipher the demo leaves the referral cases out; the dashboard counts them all the same way.
        try await DemoNetwork.load(on: app.db, hash: { try hasher.hash($0) })
        return app
    }
}
