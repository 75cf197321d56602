import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// `ashar sync`: one round between this office server and the centre (ASHAR_SYNC_CENTRE, with the
/// token in ASHAR_SYNC_TOKEN). The first time, `--bank ID` (once per bank) makes this empty server
/// the home of those banks and copies in what the centre holds of them.
struct SyncCommand: AsyncCommand {
    var help: String { "Syncs this office server's time banks with the centre: ashar sync [--bank ID]…" }

    struct Signature: CommandSignature {
        @Option(name: "bank", help: "the first time: a bank this office keeps (repeat for several, comma-separated)")
        var bank: String?
    }

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await migrate(app)
        guard let sync = app.officeSync else {
            context.console.error("Set ASHAR_SYNC_CENTRE (the centre's address) and ASHAR_SYNC_TOKEN (a token of a user who runs the banks).")
            throw SyncCommandError.notConfigured
        }
        let banks = try (signature.bank ?? "").split(separator: ",").map { text in
            guard let id = UUID(uuidString: text.trimmingCharacters(in: .whitespaces)) else { throw SyncCommandError.badBank(String(text)) }
            return id
        }
        let round: OfficeSync.Round
        if !banks.isEmpty {
            do {
                round = try await sync.setUp(homeOf: Set(banks))
            } catch let refused as DomainError {
                context.console.error(Translations.bundled[.en].text(refused.key, refused.arguments))
                throw refused
            }
        } else {
            guard try await !TimeBankSync(db: app.db).homeBanks().isEmpty else {
                context.console.error("This server keeps no bank yet: run ashar sync --bank ID the first time.")
                throw SyncCommandError.notConfigured
            }
            round = try await sync.run()
        }
        context.console.print("Sent \(round.sent), refused by the centre \(round.refused), received \(round.pulled).")
    }
}

enum SyncCommandError: Error {
    case notConfigured
    case badBank(String)
}

extension Application {
    /// How this server syncs with the centre, when it is an office (ASHAR_SYNC_CENTRE set); nil on the centre.
    var officeSync: OfficeSync? {
        guard let centre = Environment.get("ASHAR_SYNC_CENTRE").flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        return OfficeSync(db: db, client: client, centre: centre.hasSuffix("/") ? String(centre.dropLast()) : centre,
                          token: Environment.get("ASHAR_SYNC_TOKEN") ?? "")
    }
}
