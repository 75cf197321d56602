import Foundation
import Kernel

/// One side of an exchange: a member account and the minutes she gave or received.
public struct Leg: Hashable, Sendable {
    public let accountID: UUID
    public let minutes: Int

    public init(accountID: UUID, minutes: Int) {
        self.accountID = accountID
        self.minutes = minutes
    }
}

/// Turns an exchange into ledger postings: each provider earns what she gave, each recipient pays what
/// she received, and the postings sum to zero. Several providers for one recipient (a wedding) and one
/// provider for several recipients are one exchange.
public enum Posting {
    /// - Returns: the change to each account, by account id, summing to zero.
    public static func plan(providers: [Leg], recipients: [Leg]) throws -> [UUID: Int] {
        guard !providers.isEmpty else { throw DomainError("timebank.provider-required", field: "provider") }
        guard !recipients.isEmpty else { throw DomainError("timebank.recipient-required", field: "recipient") }
        for leg in providers + recipients where leg.minutes <= 0 {
            throw DomainError("timebank.minutes-invalid", field: "minutes")
        }
        let given = providers.reduce(0) { $0 + $1.minutes }
        let received = recipients.reduce(0) { $0 + $1.minutes }
        guard given == received else {
            throw DomainError("timebank.minutes-unbalanced", field: "minutes",
                              arguments: ["given": String(given), "received": String(received)])
        }
        let providerIDs = Set(providers.map(\.accountID)), recipientIDs = Set(recipients.map(\.accountID))
        guard providerIDs.isDisjoint(with: recipientIDs) else {
            throw DomainError("timebank.same-member", field: "recipient")
        }
        var changes: [UUID: Int] = [:]
        for leg in providers { changes[leg.accountID, default: 0] += leg.minutes }
        for leg in recipients { changes[leg.accountID, default: 0] -= leg.minutes }
        return changes
    }

    /// The postings that undo a transfer: every entry negated.
    public static func reversal(of entries: [UUID: Int]) -> [UUID: Int] {
        entries.mapValues { -$0 }
    }
}

/// Service dates are calendar days in Bishkek, written YYYY-MM-DD.
public enum ServiceDate {
    public static let zone = BishkekCalendar.zone

    /// The date if it is a real calendar day, not after `today` and not before 2000.
    public static func validate(_ text: String, today: Date = Date()) throws -> String {
        let trimmed = text.trimmedOfSpaces
        guard BishkekCalendar.start(of: trimmed) != nil, trimmed >= "2000" else {
            throw DomainError("timebank.service-date-invalid", field: "service_date")
        }
        guard trimmed <= string(today) else {
            throw DomainError("timebank.service-date-in-future", field: "service_date")
        }
        return trimmed
    }

    public static func string(_ date: Date) -> String {
        BishkekCalendar.day(of: date)
    }
}
