import FluentKit
import Foundation
import SQLKit

/// Serialises writers that check before they write (a booking against the calendar, a payout against a
/// balance). On PostgreSQL the row is locked until the transaction ends; SQLite lets one writer in at a time anyway.
public enum RowLock {
    public static func lock(_ table: String, id: UUID, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase, sql.dialect.name != "sqlite" else { return }
        try await sql.raw("SELECT id FROM \(ident: table) WHERE id = \(bind: id) FOR UPDATE").run()
    }
}
