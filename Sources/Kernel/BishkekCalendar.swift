import Foundation

/// Calendar days as people in Kyrgyzstan live them: in Bishkek's time zone, written YYYY-MM-DD.
public enum BishkekCalendar {
    public static let zone = TimeZone(identifier: "Asia/Bishkek")!

    public static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        return calendar
    }

    /// The day a moment falls on in Bishkek.
    public static func day(of date: Date) -> String {
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
