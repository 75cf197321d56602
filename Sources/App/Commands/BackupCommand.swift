import AsharNetwork
import Fluent
import Foundation
import SQLKit
import Vapor

/// `ashar backup DIR`: a consistent copy of what Ashar keeps, taken while it serves. `ashar restore DIR`
/// puts one back into an empty data directory (SQLite) or the database `DATABASE_URL` names (PostgreSQL).
struct BackupCommand: AsyncCommand {
    var help: String { "Copies the database and the files beside it into DIR, while Ashar serves: ashar backup DIR" }

    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "an empty or new folder")
        var directory: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let written = try await Backup.take(context.application, to: URL(fileURLWithPath: signature.directory))
        context.console.print("Backed up into \(signature.directory): \(written.joined(separator: ", ")).")
        context.console.print("The notes key is not in it: keep ASHAR_NOTES_KEY (or notes.key) apart from the backups.")
    }
}

struct RestoreCommand: AsyncCommand {
    var help: String { "Puts a backup made by `ashar backup` back: ashar restore DIR (into an empty data directory, or DATABASE_URL's database)" }

    struct Signature: CommandSignature {
        @Argument(name: "directory", help: "a folder written by ashar backup")
        var directory: String
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        try await Backup.restore(context.application, from: URL(fileURLWithPath: signature.directory))
        context.console.print("Restored from \(signature.directory). Start Ashar with the same notes key as when the backup was taken.")
    }
}

/// The database — SQLite's `VACUUM INTO` (a snapshot in one read transaction, while writers go on) or
/// PostgreSQL's `pg_dump` — and the files beside it: scanned agreements, certification documents,
/// logos and photos. The notes key is left out on purpose: a backup that falls into the wrong hands
/// must not open the referral notes.
enum Backup {
    enum Failure: Error, CustomStringConvertible {
        case notEmpty(String)
        case nothingToRestore(String)
        case tool(String, Int32)

        var description: String {
            switch self {
            case .notEmpty(let path): "\(path) already holds a database: choose an empty folder"
            case .nothingToRestore(let path): "\(path) holds no backup of Ashar"
            case .tool(let name, let status): "\(name) failed (exit status \(status))"
            }
        }
    }

    static let sqliteName = "ashar.sqlite", dumpName = "ashar.dump"

    /// What was written, by name.
    static func take(_ app: Application, to directory: URL) async throws -> [String] {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in [sqliteName, dumpName] where files.fileExists(atPath: directory.appendingPathComponent(name).path) {
            throw Failure.notEmpty(directory.path)
        }
        var written: [String] = []
        if app.storage[SQLiteFileKey.self] != nil, let sql = app.db as? any SQLDatabase {
            try await sql.raw("VACUUM INTO \(bind: directory.appendingPathComponent(sqliteName).path)").run()
            written.append(sqliteName)
        } else if let url = Environment.get("DATABASE_URL") {
            var arguments = ["--format=custom", "--file", directory.appendingPathComponent(dumpName).path, "--dbname", url]
            if let schema = Environment.get("DATABASE_SCHEMA").flatMap({ $0.isEmpty ? nil : $0 }) { arguments += ["--schema", schema] }
            try run("pg_dump", arguments)
            written.append(dumpName)
        }
        for folder in folders(app) where files.fileExists(atPath: folder.source.path) {
            try files.copyItem(at: folder.source, to: directory.appendingPathComponent(folder.name))
            written.append(folder.name + "/")
        }
        return written
    }

    static func restore(_ app: Application, from directory: URL) async throws {
        let files = FileManager.default
        let snapshot = directory.appendingPathComponent(sqliteName), dump = directory.appendingPathComponent(dumpName)
        if let target = app.storage[SQLiteFileKey.self] {
            guard files.fileExists(atPath: snapshot.path) else { throw Failure.nothingToRestore(directory.path) }
            // Into an empty place only: a database is never overwritten (this command opens none).
            let size = (try? files.attributesOfItem(atPath: target)[.size] as? Int) ?? 0
            if size > 0 { throw Failure.notEmpty(target) }
            for suffix in ["", "-wal", "-shm"] { try? files.removeItem(atPath: target + suffix) }
            try files.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try files.copyItem(at: snapshot, to: URL(fileURLWithPath: target))
        } else if let url = Environment.get("DATABASE_URL") {
            guard files.fileExists(atPath: dump.path) else { throw Failure.nothingToRestore(directory.path) }
            try run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--dbname", url, dump.path])
        }
        for folder in folders(app) {
            let saved = directory.appendingPathComponent(folder.name)
            guard files.fileExists(atPath: saved.path) else { continue }
            try? files.removeItem(at: folder.source)
            try files.createDirectory(at: folder.source.deletingLastPathComponent(), withIntermediateDirectories: true)
            try files.copyItem(at: saved, to: folder.source)
        }
    }

    private static func folders(_ app: Application) -> [(name: String, source: URL)] {
        [("agreements", app.agreementScans), ("certification", app.certificationFiles.root)]
    }

    private static func run(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw Failure.tool(tool, process.terminationStatus) }
    }
}
