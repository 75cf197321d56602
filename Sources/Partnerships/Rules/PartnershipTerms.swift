import Foundation
import Kernel

/// The kind of actor a stakeholder is, as the pilot's stakeholder map sorts them.
public enum Sector: String, Codable, Sendable, CaseIterable {
    case state, localGovernment = "local_government", ngo, business, financial, community, international
}

/// What a stakeholder could give.
public enum Input: String, Codable, Sendable, CaseIterable {
    case premises, staffTime = "staff_time", expertise, money, goods
}

/// A service a partner delivers: the words the baseline survey's services and the referrals use.
public enum ServiceKind: String, Codable, Sendable, CaseIterable {
    case training, credit, childcare, legal, psychological, crisisShelter = "crisis_shelter", health, markets, certification, equipment
}

public enum AgreementStatus: String, Codable, Sendable, CaseIterable {
    case draft, signed, active, expired, terminated
}

public enum ObligationStatus: String, Codable, Sendable, CaseIterable {
    case open, done, waived
}

/// How often an obligation comes back; done once, a recurring one moves to its next due date.
public enum Recurrence: String, Codable, Sendable, CaseIterable {
    case once, monthly, quarterly, yearly

    /// The due date after `day` (`YYYY-MM-DD`), or nil for an obligation done once.
    public func next(after day: String) -> String? {
        let months = switch self {
        case .once: 0
        case .monthly: 1
        case .quarterly: 3
        case .yearly: 12
        }
        guard months > 0, let start = BishkekCalendar.start(of: day),
              let next = BishkekCalendar.calendar.date(byAdding: .month, value: months, to: start) else { return nil }
        return BishkekCalendar.day(of: next)
    }
}

/// Where a stakeholder sits on the power–interest grid, and what that asks of the network.
public enum GridQuadrant: String, Sendable, CaseIterable {
    case manageClosely = "manage_closely", keepSatisfied = "keep_satisfied", keepInformed = "keep_informed", monitor

    /// Influence and interest from 1 to 5; 4 and 5 are high.
    public init(influence: Int, interest: Int) {
        switch (influence >= 4, interest >= 4) {
        case (true, true): self = .manageClosely
        case (true, false): self = .keepSatisfied
        case (false, true): self = .keepInformed
        case (false, false): self = .monitor
        }
    }
}

/// What the coordinator should look at: obligations past their due date, agreements ending or due for
/// review soon.
public enum AgreementAttention {
    /// An agreement ends within this many days: time to renew it.
    public static let endingWithinDays = 60
    /// Its review is this close.
    public static let reviewWithinDays = 30

    public static func isOverdue(due: String?, status: ObligationStatus, today: String) -> Bool {
        status == .open && (due.map { $0 < today } ?? false)
    }

    /// The status as it stands today: a signed or active agreement past its end has expired.
    public static func status(_ stored: AgreementStatus, validUntil: String?, today: String) -> AgreementStatus {
        if stored == .signed || stored == .active, let end = validUntil, end < today { return .expired }
        return stored
    }

    public static func isEnding(_ status: AgreementStatus, validUntil: String?, today: String) -> Bool {
        guard status == .signed || status == .active, let end = validUntil, end >= today else { return false }
        return days(from: today, to: end).map { $0 <= endingWithinDays } ?? false
    }

    public static func isReviewDue(_ status: AgreementStatus, reviewOn: String?, today: String) -> Bool {
        guard status == .signed || status == .active, let review = reviewOn else { return false }
        return days(from: today, to: review).map { $0 <= reviewWithinDays } ?? false
    }

    static func days(from: String, to: String) -> Int? {
        guard let a = BishkekCalendar.start(of: from), let b = BishkekCalendar.start(of: to) else { return nil }
        return BishkekCalendar.calendar.dateComponents([.day], from: a, to: b).day
    }
}

/// Checks a calendar date typed in a form: `YYYY-MM-DD`, a real day.
enum CalendarDay {
    static func checked(_ text: String?, field: String) throws -> String? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard BishkekCalendar.start(of: text) != nil else {
            throw DomainError("partnerships.date-invalid", field: field, arguments: ["value": text])
        }
        return text
    }
}
