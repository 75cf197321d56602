import Foundation

extension UUID {
    /// A version 7 UUID (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random.
    /// Rows keyed by these are appended at the right edge of their index, so a batch of new rows touches
    /// one or two B-tree pages instead of one random page each — for an append-only ledger, most of the
    /// data written per commit. The text form sorts the same way (hex digits, fixed width).
    public static func timeOrdered(at date: Date = Date()) -> UUID {
        let milliseconds = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var random = SystemRandomNumberGenerator()
        let tail = random.next() as UInt64
        let middle = random.next() as UInt16
        // Built in place: an array per UUID was a heap allocation for each of a bulk load's millions of rows.
        func byte(_ value: UInt64, _ index: Int) -> UInt8 { UInt8(truncatingIfNeeded: value >> (8 * (7 - index))) }
        let high = milliseconds << 16 | 0x7000 | UInt64(middle & 0x0FFF)  // version 7
        let low = 0x8000_0000_0000_0000 | tail & 0x3FFF_FFFF_FFFF_FFFF  // RFC 9562 variant
        return UUID(uuid: (byte(high, 0), byte(high, 1), byte(high, 2), byte(high, 3), byte(high, 4), byte(high, 5), byte(high, 6), byte(high, 7),
                           byte(low, 0), byte(low, 1), byte(low, 2), byte(low, 3), byte(low, 4), byte(low, 5), byte(low, 6), byte(low, 7)))
    }
}
