import Foundation
import Kernel
import Testing

@Suite("Bishkek calendar")
struct BishkekCalendarTests {
    @Test("A moment's day is Bishkek's (UTC+6), written YYYY-MM-DD with its zeros")
    func dayOfAMoment() {
        // 2026-01-04 18:30 UTC is already the 5th in Bishkek.
        let moment = Date(timeIntervalSince1970: 1_767_551_400)
        #expect(BishkekCalendar.day(of: moment) == "2026-01-05")
        #expect(BishkekCalendar.day(of: moment.addingTimeInterval(-6 * 3_600)) == "2026-01-04")
        #expect(BishkekCalendar.day(of: Date(timeIntervalSince1970: 0)) == "1970-01-01")
        #expect(BishkekCalendar.adding(days: 58, to: "2024-01-03") == "2024-03-01")
    }

    @Test("A day's text is read with spaces around it, and refused when it is not a real day")
    func startOfADay() {
        #expect(BishkekCalendar.start(of: " 2026-02-28 ") == BishkekCalendar.start(of: "2026-02-28"))
        #expect(BishkekCalendar.start(of: "2026-02-29") == nil)
        #expect(BishkekCalendar.start(of: "2026-2-28") == nil)
    }

    @Test("Zero padding and trimming, as the dates use them")
    func paddingAndTrimming() {
        #expect(7.zeroPadded(4) == "0007")
        #expect(2026.zeroPadded(2) == "2026")
        #expect(0.zeroPadded(2) == "00")
        #expect("  12 \t".trimmedOfSpaces == "12")
        #expect("12".trimmedOfSpaces == "12")
        #expect("".trimmedOfSpaces == "")
        #expect(" ".trimmedOfSpaces == "")
    }
}
