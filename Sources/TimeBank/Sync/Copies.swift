import AsharNetwork
import Foundation

/// Rows of the time bank as they travel between an office server and the centre (docs/sync.md): each
/// keeps the id it was made with, so applying one that is already there changes nothing.

/// An account a copied row touches, with what a server that lacks it needs to open it.
public struct AccountCopy: Sendable, Equatable {
    public let id: UUID
    public let bankID: UUID
    public let kind: AccountKind
    public let memberID: UUID?
    public let counterpartBankID: UUID?
    public let lowerLimitMinutes: Int?
    public let upperLimitMinutes: Int?

    public init(id: UUID, bankID: UUID, kind: AccountKind, memberID: UUID?, counterpartBankID: UUID?,
                lowerLimitMinutes: Int?, upperLimitMinutes: Int?) {
        self.id = id
        self.bankID = bankID
        self.kind = kind
        self.memberID = memberID
        self.counterpartBankID = counterpartBankID
        self.lowerLimitMinutes = lowerLimitMinutes
        self.upperLimitMinutes = upperLimitMinutes
    }

    init(_ a: TimeAccount) {
        self.init(id: a.id!, bankID: a.bankID, kind: a.kind, memberID: a.memberID, counterpartBankID: a.counterpartBankID,
                  lowerLimitMinutes: a.lowerLimitMinutes, upperLimitMinutes: a.upperLimitMinutes)
    }

    /// The account, empty: its balance comes from the entries copied after it.
    var opened: TimeAccount {
        let a = TimeAccount()
        a.id = id
        a.bankID = bankID
        a.kind = kind
        a.memberID = memberID
        a.counterpartBankID = counterpartBankID
        a.balanceMinutes = 0
        a.entryCount = 0
        a.lowerLimitMinutes = lowerLimitMinutes
        a.upperLimitMinutes = upperLimitMinutes
        return a
    }
}

/// A membership with the person behind it and her account.
public struct MemberCopy: Sendable {
    public let id: UUID
    public let bankID: UUID
    public let memberNumber: String
    public let joinedOn: String
    public let personID: UUID
    public let person: PersonDraft
    public let account: AccountCopy
    /// When it was made on the server it comes from: the order of the centre's feed.
    public let createdAt: Date

    public init(id: UUID, bankID: UUID, memberNumber: String, joinedOn: String, personID: UUID, person: PersonDraft,
                account: AccountCopy, createdAt: Date) {
        self.id = id
        self.bankID = bankID
        self.memberNumber = memberNumber
        self.joinedOn = joinedOn
        self.personID = personID
        self.person = person
        self.account = account
        self.createdAt = createdAt
    }
}

/// One side of a copied transfer.
public struct EntryCopy: Sendable {
    public let account: AccountCopy
    public let minutes: Int

    public init(account: AccountCopy, minutes: Int) {
        self.account = account
        self.minutes = minutes
    }
}

/// A transfer with its entries — on the centre's side of the feed, only those on the asking office's
/// accounts (a bank's own entries sum to zero, clearing included).
public struct TransferCopy: Sendable {
    public let id: UUID
    public let bankID: UUID
    public let minutes: Int
    public let serviceDate: String
    public let categoryID: UUID?
    public let note: String?
    public let slipNumber: String?
    public let reversesID: UUID?
    public let overrideReason: String?
    public let purpose: TransferPurpose?
    public let recordedAt: Date
    public let recordedByLogin: String
    public let entries: [EntryCopy]

    public init(id: UUID, bankID: UUID, minutes: Int, serviceDate: String, categoryID: UUID?, note: String?, slipNumber: String?,
                reversesID: UUID?, overrideReason: String?, purpose: TransferPurpose?, recordedAt: Date, recordedByLogin: String,
                entries: [EntryCopy]) {
        self.id = id
        self.bankID = bankID
        self.minutes = minutes
        self.serviceDate = serviceDate
        self.categoryID = categoryID
        self.note = note
        self.slipNumber = slipNumber
        self.reversesID = reversesID
        self.overrideReason = overrideReason
        self.purpose = purpose
        self.recordedAt = recordedAt
        self.recordedByLogin = recordedByLogin
        self.entries = entries
    }
}

/// Where a feed stopped: the time a row was written on the centre and its id, the order the feed reads in.
public struct SyncCursor: Sendable, Equatable, LosslessStringConvertible {
    public let at: Date
    public let id: UUID

    public init(at: Date, id: UUID) {
        self.at = at
        self.id = id
    }

    /// `<seconds since 1970>_<id>`.
    public init?(_ text: String) {
        let parts = text.split(separator: "_")
        guard parts.count == 2, let seconds = Double(parts[0]), seconds.isFinite, let id = UUID(uuidString: String(parts[1])) else { return nil }
        self.init(at: Date(timeIntervalSince1970: seconds), id: id)
    }

    public var description: String { "\(at.timeIntervalSince1970)_\(id.uuidString)" }

    /// The cursor's time as a window: a time read back and written again may come back a bit or two off
    /// (Foundation keeps dates from 2001, SQLite from 1970), and rows written together share one time.
    /// Rows in the window are told apart by id; times 10 µs apart are never one batch.
    var earliest: Date { at.addingTimeInterval(-Self.sameTime) }
    var latest: Date { at.addingTimeInterval(Self.sameTime) }
    static let sameTime: TimeInterval = 0.000_01

    /// Where to start reading again: a while before, since a row written in a transaction that committed
    /// late can carry a time before rows already read. Rows read twice are applied once.
    public var rewound: SyncCursor { SyncCursor(at: at.addingTimeInterval(-Self.lateCommit), id: Self.before) }
    static let lateCommit: TimeInterval = 300
    static let before = UUID(uuidString: "00000000-0000-0000-0000-000000000000")!
}

/// What became of a row sent to the other server.
public enum CopyOutcome: Sendable, Equatable {
    /// Written now.
    case written
    /// It was there already: sent before, its answer lost.
    case alreadyThere
}
