import Foundation
import Kernel
import Testing

@Suite("UUID text")
struct UUIDTextTests {
    @Test("Written and read as Foundation writes and reads them")
    func sameAsFoundation() {
        for _ in 0..<2_000 {
            let id = UUID()
            #expect(id.upperText == id.uuidString)
            #expect(UUID(text: id.uuidString) == id)
            #expect(UUID(text: id.uuidString.lowercased()) == id)
        }
        let timeOrdered = UUID.timeOrdered()
        #expect(timeOrdered.upperText == timeOrdered.uuidString)
    }

    @Test("Anything else is not a UUID, as for Foundation")
    func refused() {
        let id = UUID().uuidString
        for text in ["", "not an id", String(id.dropLast()), id + "0", id.replacingOccurrences(of: "-", with: ""),
                     "{" + id + "}", String(id.prefix(8)) + "_" + String(id.dropFirst(9)), "G" + id.dropFirst(),
                     "00000000-0000-0000-0000-00000000000é", String(id.prefix(35)) + "-"] {
            #expect(UUID(text: text) == nil, "\(text)")
            #expect(UUID(uuidString: text) == nil, "Foundation too: \(text)")
        }
    }
}
