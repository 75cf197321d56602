import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Vapor

/// Moments are stored in UTC and shown in Bishkek time.
enum BishkekTime {
    static let zone = BishkekCalendar.zone

    static func format(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return String(format: "%04d-%02d-%02d %02d:%02d", c.year!, c.month!, c.day!, c.hour!, c.minute!)
    }

    static func time(_ date: Date) -> String {
        String(format(date).suffix(5))
    }
}

/// Links and buttons for moving through a paginated list.
struct Pager: Encodable {
    let page: Int
    let pageCount: Int
    let total: Int
    let previous: Int?
    let next: Int?

    init(page: Int, pageCount: Int, total: Int) {
        self.page = page
        self.pageCount = pageCount
        self.total = total
        previous = page > 1 ? page - 1 : nil
        next = page < pageCount ? page + 1 : nil
    }
}
