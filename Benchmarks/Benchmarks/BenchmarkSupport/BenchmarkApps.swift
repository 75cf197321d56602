import App
import Foundation
import Vapor

/// Ashar on a SQLite file of its own, with its production settings and every migration run, for a
/// benchmark's setup; closed (and its file removed) by the teardown, which is not handed the setup's state.
public enum BenchmarkApps {
    public static func open() async throws -> Application {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ashar-bench-\(UUID().uuidString)")
        return try await open(directory, removedAfter: true)
    }

    /// Ashar on a data directory prepared before (a network grown with `ashar demo --scale`), left as it was found.
    public static func open(existing directory: String) async throws -> Application {
        try await open(URL(fileURLWithPath: directory), removedAfter: false)
    }

    public static func closeAll() async throws {
        for (app, directory) in await registry.removeAll() {
            try await app.asyncShutdown()
            if let directory { try? FileManager.default.removeItem(at: directory) }
        }
    }

    private static func open(_ directory: URL, removedAfter: Bool) async throws -> Application {
        var environment = Environment.production
        environment.arguments = ["ashar"]
        let app = try await Application.make(environment)
        app.logger.logLevel = .warning
        try await configure(app, database: .sqliteFile(directory.appendingPathComponent("ashar.sqlite").path))
        try await migrate(app)
        await registry.add(app, removedAfter ? directory : nil)
        return app
    }

    private static let registry = Registry()

    private actor Registry {
        var open: [(Application, URL?)] = []
        func add(_ app: Application, _ directory: URL?) { open.append((app, directory)) }
        func removeAll() -> [(Application, URL?)] { defer { open = [] }; return open }
    }
}
