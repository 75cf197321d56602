import Foundation
import Kernel
import Testing

@Suite("Time-ordered UUIDs")
struct TimeOrderedUUIDTests {
    @Test("Version 7, RFC variant, the time in the first 48 bits")
    func layout() {
        let date = Date(timeIntervalSince1970: 1_795_800_000.123)
        let id = UUID.timeOrdered(at: date)
        let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
        #expect(bytes[6] >> 4 == 7)
        #expect(bytes[8] >> 6 == 0b10)
        let milliseconds = bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_795_800_000_123)
    }

    @Test("Later ids sort after earlier ones, as text too; ids of one millisecond differ")
    func order() {
        let start = Date(timeIntervalSince1970: 1_795_800_000)
        let ids = (0..<200).map { UUID.timeOrdered(at: start.addingTimeInterval(Double($0) / 100)) }
        let texts = ids.map(\.uuidString)
        for (earlier, later) in zip(texts, texts.dropFirst()) where earlier.prefix(13) != later.prefix(13) {
            #expect(earlier < later)
        }
        #expect(texts.first! < texts.last!)
        let sameMoment = (0..<1000).map { _ in UUID.timeOrdered(at: start) }
        #expect(Set(sameMoment).count == 1000)
    }

    @Test("Ids made together: version 7 of that moment, ascending as text, each different, and another batch's different again")
    func together() {
        let date = Date(timeIntervalSince1970: 1_795_800_000.123)
        let batch = UUID.timeOrdered(count: 5_000, at: date), another = UUID.timeOrdered(count: 5_000, at: date)
        for id in [batch.first!, batch.last!] {
            let bytes = withUnsafeBytes(of: id.uuid) { Array($0) }
            #expect(bytes[6] >> 4 == 7 && bytes[8] >> 6 == 0b10)
            #expect(bytes[0..<6].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } == 1_795_800_000_123)
        }
        let texts = batch.map(\.uuidString)
        #expect(zip(texts, texts.dropFirst()).allSatisfy { $0 < $1 })
        #expect(Set(batch + another).count == 10_000)
    }
}
