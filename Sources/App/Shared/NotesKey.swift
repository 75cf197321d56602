import Fluent
import Foundation
import Referrals
import Vapor

/// The key that seals referral notes. `ASHAR_NOTES_KEY` (32 bytes, base64) when set, with
/// `ASHAR_NOTES_KEY_PREVIOUS` (comma-separated) still able to open what older keys sealed. Without it,
/// `notes.key` beside the SQLite file, made on the first start, readable by its owner only — to be
/// backed up with the database, and apart from it. Tests use a fresh key in memory.
enum NotesKey {
    static func cipher(testing: Bool, database: DatabaseChoice) throws -> NoteCipher {
        if testing { return try NoteCipher(current: NoteCipher.newKey()) }
        let previous = try (Environment.get("ASHAR_NOTES_KEY_PREVIOUS") ?? "").split(separator: ",").map { try decode(String($0)) }
        if let key = Environment.get("ASHAR_NOTES_KEY"), !key.isEmpty {
            return try NoteCipher(current: try decode(key), previous: previous)
        }
        let directory: String
        if case .sqliteFile(let path) = database { directory = (path as NSString).deletingLastPathComponent } else { directory = DatabaseChoice.dataDirectory() }
        let file = URL(fileURLWithPath: directory).appendingPathComponent("notes.key")
        if let stored = try? String(contentsOf: file, encoding: .utf8) {
            return try NoteCipher(current: try decode(stored), previous: previous)
        }
        let key = NoteCipher.newKey()
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: file.path, contents: Data((key.base64EncodedString() + "\n").utf8),
                                             attributes: [.posixPermissions: 0o600]) else { throw Abort(.internalServerError, reason: "cannot write \(file.path)") }
        return try NoteCipher(current: key, previous: previous)
    }

    static func decode(_ text: String) throws -> Data {
        guard let data = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)), data.count == 32 else {
            throw Abort(.internalServerError, reason: "a notes key is 32 bytes in base64 (openssl rand -base64 32)")
        }
        return data
    }
}

extension Application {
    private struct NoteCipherKey: StorageKey { typealias Value = NoteCipher }

    var noteCipher: NoteCipher {
        get { storage[NoteCipherKey.self]! }
        set { storage[NoteCipherKey.self] = newValue }
    }
}

extension Request {
    var cases: CaseService { CaseService(db: db, cipher: application.noteCipher) }
}
