import Kernel
import Testing

@Suite("Arrays in chunks")
struct ArrayChunksTests {
    @Test("Runs of at most the size, in order, the last one short; none for an empty array")
    func chunks() {
        let runs = Array(1...1_001).chunks(of: 500)
        #expect(runs.map(\.count) == [500, 500, 1])
        #expect(runs.flatMap { $0 } == Array(1...1_001))
        #expect([Int]().chunks(of: 500).isEmpty)
        #expect([1, 2].chunks(of: 2).map(Array.init) == [[1, 2]])
    }
}
