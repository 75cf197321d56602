import Fluent
import Foundation
import SQLKit
import Vapor

/// `ashar export DIR`: all of Ashar's data as JSON, for moving to another system — a file per table
/// (`people.json`: an array of rows, each an object of column and value) and `manifest.json` with the
/// tables, their row counts and when. Read in one transaction, so the files agree with each other.
/// Left out: password hashes, API tokens, sessions, login attempts and Ashar's own bookkeeping. Referral
/// notes stay sealed (the notes key is not in the export, as in a backup).
struct ExportCommand: AsyncCommand {
    var help: String { "Writes all data as JSON into DIR, a file per table: ashar export DIR" }

    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "an empty or new folder")
        var directory: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let counts = try await Export.write(context.application.db, to: URL(fileURLWithPath: signature.directory))
        context.console.print("Exported \(counts.count) tables, \(counts.values.reduce(0, +)) rows, into \(signature.directory).")
    }
}

enum Export {
    /// Tables that are not the network's data (or are worked out from it, as the names' words are from
    /// the people), or would open doors if they left the server.
    static let leftOut: Set<String> = ["_fluent_migrations", "_fluent_sessions", "api_tokens", "login_attempts", "write_lock",
                                       "idempotency_records", "people_name_words"]
    static let columnsLeftOut: Set<String> = ["password_hash"]

    struct Manifest: Encodable {
        let exportedAt: Date
        let database: String
        let tables: [String: Int]
    }

    /// Rows written, by table.
    static func write(_ db: any Database, to directory: URL) async throws -> [String: Int] {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        guard (try files.contentsOfDirectory(atPath: directory.path)).isEmpty else { throw Backup.Failure.notEmpty(directory.path) }
        let sql = db as! any SQLDatabase
        let isSQLite = sql.dialect.name == "sqlite"
        let counts = try await db.transaction { tx in
            let sql = tx as! any SQLDatabase
            if !isSQLite { try await sql.raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").run() }
            var counts: [String: Int] = [:]
            for table in try await tables(sql, isSQLite: isSQLite) where !leftOut.contains(table) {
                counts[table] = try await write(table, from: sql, isSQLite: isSQLite, to: directory.appendingPathComponent("\(table).json"))
            }
            return counts
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        try encoder.encode(Manifest(exportedAt: Date(), database: isSQLite ? "sqlite" : "postgresql", tables: counts))
            .write(to: directory.appendingPathComponent("manifest.json"))
        return counts
    }

    private static func tables(_ sql: any SQLDatabase, isSQLite: Bool) async throws -> [String] {
        // Ordinary tables only: on SQLite not the names' full-text index (a virtual table and its shadow
        // tables), which is worked out from the people.
        let query: SQLQueryString = isSQLite
            ? "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            : "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
        return try await sql.raw(query).all().map { try $0.decode(column: "name", as: String.self) }
    }

    /// One table as a JSON array, row by row as the database hands them over: millions of transfers never sit in memory.
    private static func write(_ table: String, from sql: any SQLDatabase, isSQLite: Bool, to file: URL) async throws -> Int {
        let select: SQLQueryString
        if isSQLite {
            let columns = try await sql.raw("SELECT name FROM pragma_table_info(\(bind: table))").all()
                .map { try $0.decode(column: "name", as: String.self) }.filter { !columnsLeftOut.contains($0) }
            // JSON holds no bytes: a blob (a sealed note) is written as hex, as PostgreSQL writes bytea.
            let pairs = columns.map { "'\($0)', CASE WHEN typeof(\(quoted($0))) = 'blob' THEN '\\x' || hex(\(quoted($0))) ELSE \(quoted($0)) END" }
            select = "SELECT json_object(\(unsafeRaw: pairs.joined(separator: ", "))) AS j FROM \(unsafeRaw: quoted(table))"
        } else {
            let dropped = columnsLeftOut.map { " - '\($0)'" }.joined()
            select = "SELECT (to_jsonb(t)\(unsafeRaw: dropped))::text AS j FROM \(unsafeRaw: quoted(table)) t"
        }
        let writer = try RowWriter(file)
        try await sql.raw(select).run { row in writer.add(row) }
        return try writer.finish()
    }

    /// Writes rows into a JSON array as they come, a megabyte at a time. The driver hands rows over one
    /// after another, never two at once.
    private final class RowWriter: @unchecked Sendable {
        let handle: FileHandle
        var buffer = Data("[".utf8)
        var count = 0
        var failure: (any Error)?

        init(_ file: URL) throws {
            _ = FileManager.default.createFile(atPath: file.path, contents: nil)  // if it could not be, the handle says why
            handle = try FileHandle(forWritingTo: file)
        }

        func add(_ row: any SQLRow) {
            do {
                buffer.append(contentsOf: Array((count == 0 ? "\n" : ",\n").utf8))
                buffer.append(contentsOf: Array(try row.decode(column: "j", as: String.self).utf8))
                count += 1
                if buffer.count > 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    buffer.removeAll(keepingCapacity: true)
                }
            } catch {
                failure = failure ?? error
            }
        }

        func finish() throws -> Int {
            defer { try? handle.close() }
            if let failure { throw failure }
            buffer.append(contentsOf: Array("\n]\n".utf8))
            try handle.write(contentsOf: buffer)
            return count
        }
    }

    private static func quoted(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
}
