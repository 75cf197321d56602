import FluentKit
import SQLKit

/// Makes the database refuse UPDATE and DELETE on a table, whoever asks: for the audit log and the
/// ledger, which only ever grow.
public enum AppendOnlyTable {
    public static func protect(_ table: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        switch sql.dialect.name {
        case "sqlite":
            for op in ["UPDATE", "DELETE"] {
                try await sql.raw("""
                    CREATE TRIGGER \(unsafeRaw: table)_no_\(unsafeRaw: op.lowercased()) BEFORE \(unsafeRaw: op) ON \(ident: table)
                    BEGIN SELECT RAISE(ABORT, '\(unsafeRaw: table) is append-only'); END
                    """).run()
            }
        case "postgresql":
            try await sql.raw("""
                CREATE FUNCTION \(unsafeRaw: table)_refuse() RETURNS trigger AS $$
                BEGIN RAISE EXCEPTION '\(unsafeRaw: table) is append-only'; END $$ LANGUAGE plpgsql
                """).run()
            try await sql.raw("""
                CREATE TRIGGER \(unsafeRaw: table)_append_only BEFORE UPDATE OR DELETE ON \(ident: table)
                FOR EACH ROW EXECUTE FUNCTION \(unsafeRaw: table)_refuse()
                """).run()
        default:
            break
        }
    }

    public static func unprotect(_ table: String, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        switch sql.dialect.name {
        case "sqlite":
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_no_update").run()
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_no_delete").run()
        case "postgresql":
            try await sql.raw("DROP TRIGGER IF EXISTS \(unsafeRaw: table)_append_only ON \(ident: table)").run()
            try await sql.raw("DROP FUNCTION IF EXISTS \(unsafeRaw: table)_refuse()").run()
        default:
            break
        }
    }
}
