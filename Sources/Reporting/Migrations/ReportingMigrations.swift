import AsharNetwork
import FluentKit

/// The Reporting context's migrations, run after every other context's (they watch those contexts'
/// tables). Names are stable: never rename one.
public enum ReportingMigrations {
    public static let all: [any Migration] = [
        WatchDirectorySources(),  // reporting.001
    ]
}

/// Who offers what where is read from thirteen tables of six contexts on every view; a stamp changed by
/// any write to them lets it be kept in memory until one of them changes (`NetworkDirectory.version`).
struct WatchDirectorySources: AsyncMigration {
    var name: String { "reporting.001.watch-directory-sources" }
    func prepare(on db: any Database) async throws {
        try await ChangeStamps.create(on: db)
        try await ChangeStamps.watch(NetworkDirectory.stampName, tables: NetworkDirectory.sources, on: db)
    }
    func revert(on db: any Database) async throws {
        try await ChangeStamps.stopWatching(NetworkDirectory.stampName, tables: NetworkDirectory.sources, on: db)
        try await db.schema("change_stamps").delete()
    }
}
