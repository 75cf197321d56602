import AsharNetwork
import Fluent
import Foundation
import Kernel
import Referrals
import Vapor

/// `ashar referrals anonymise [--months N]`: closed cases older than the network's retention period
/// (`ASHAR_RETENTION_MONTHS`, default 24) lose everything that could point at the woman; meant for a
/// daily timer (cron, systemd). `ashar referrals rotate-key`: with the new key in `ASHAR_NOTES_KEY` and
/// the old in `ASHAR_NOTES_KEY_PREVIOUS`, seals every note again under the new key. Both print, and log,
/// what they did in counts only.
struct ReferralsCommand: AsyncCommand {
    var help: String { "Referral data care: ashar referrals anonymise [--months N] | ashar referrals rotate-key" }

    struct Signature: CommandSignature {
        @Argument(name: "action", help: "anonymise or rotate-key")
        var action: String
        @Option(name: "months", help: "retention period in months (default ASHAR_RETENTION_MONTHS or 24)")
        var months: Int?
    }

    static let defaultRetentionMonths = 24

    func run(using context: CommandContext, signature: Signature) async throws {
        let app = context.application
        try await migrate(app)
        let cases = CaseService(db: app.db, cipher: app.noteCipher)
        let actor = Actor(userID: nil, login: "cli")
        switch signature.action {
        case "anonymise", "anonymize":
            let months = signature.months ?? Environment.get("ASHAR_RETENTION_MONTHS").flatMap(Int.init) ?? Self.defaultRetentionMonths
            guard months > 0, let cutoff = Calendar(identifier: .gregorian).date(byAdding: .month, value: -months, to: Date()) else {
                throw ReferralsCommandError.usage
            }
            let count = try await cases.anonymise(closedBefore: cutoff, by: actor)
            app.logger.notice("referrals anonymised", metadata: ["cases": "\(count)", "months": "\(months)"])
            context.console.print("Anonymised \(count) closed case(s) older than \(months) months.")
        case "rotate-key":
            let count = try await cases.resealStale(by: actor)
            app.logger.notice("referral texts sealed under the current key", metadata: ["texts": "\(count)", "key": "\(app.noteCipher.currentKeyID)"])
            context.console.print("Sealed \(count) text(s) again under key \(app.noteCipher.currentKeyID). The previous key is no longer needed.")
        default:
            context.console.error("Usage: ashar referrals anonymise [--months N] | ashar referrals rotate-key")
            throw ReferralsCommandError.usage
        }
    }
}

enum ReferralsCommandError: Error {
    case usage
}
