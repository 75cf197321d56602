import Foundation

/// Calendar days as people in Kyrgyzstan live them: in Bishkek's time zone, written YYYY-MM-DD.
public enum BishkekCalendar {
    public static let zone = TimeZone(identifier: "Asia/Bishkek")!

    /// Made once: every exchange booked asks it for today's date, a bulk load millions of times.
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }()

    /// The day a moment falls on in Bishkek.
    public static func day(of date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return "\(c.year!.zeroPadded(4))-\(c.month!.zeroPadded(2))-\(c.day!.zeroPadded(2))"
    }

    /// The moment a Bishkek day (YYYY-MM-DD) begins; nil when the text is not a real day.
    public static func start(of day: String) -> Date? {
        let parts = day.trimmedOfSpaces.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              let date = calendar.date(from: DateComponents(year: y, month: m, day: d)),
              calendar.component(.day, from: date) == d, calendar.component(.month, from: date) == m else { return nil }
        return date
    }

    /// The day `days` after (or before, when negative) a day; the day itself when it is not a real day.
    public static func adding(days: Int, to day: String) -> String {
        guard let start = start(of: day), let moved = calendar.date(byAdding: .day, value: days, to: start) else { return day }
        return Self.day(of: moved)
    }
}
