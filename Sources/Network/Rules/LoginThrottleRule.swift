import Foundation

/// Five failed logins within fifteen minutes lock the login (or the address) for fifteen minutes.
public enum LoginThrottleRule {
    public static let maxFailures = 5
    public static let window: TimeInterval = 15 * 60

    /// - Parameter failures: failure times, any order.
    /// - Returns: the moment the lock ends, or nil when not locked.
    public static func lockedUntil(failures: [Date], now: Date) -> Date? {
        let recent = failures.sorted(by: >).prefix(maxFailures)
        guard recent.count == maxFailures, let newest = recent.first, let oldest = recent.last else { return nil }
        guard newest.timeIntervalSince(oldest) <= window else { return nil }
        let until = newest.addingTimeInterval(window)
        return now < until ? until : nil
    }
}
