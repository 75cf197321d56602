import FluentSQLiteDriver
import Foundation
import Kernel

/// UUIDs to and from SQLite the way the driver already stores them — as text, upper case — but directly:
/// without this, every UUID bound or read went through the driver's generic `Codable` path (a cast that
/// fails, an encoder object, then Foundation's text, slow on Linux), which was a large share of a bulk load's time
/// (docs/PERFORMANCE.md, "The generator's binds"). PostgreSQL is not concerned: it binds UUIDs natively.
extension UUID: @retroactive SQLiteDataConvertible {
    public init?(sqliteData: SQLiteData) {
        guard let text = sqliteData.string, let uuid = UUID(text: text) else { return nil }
        self = uuid
    }

    public var sqliteData: SQLiteData? { .text(upperText) }
}
