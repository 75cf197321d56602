@testable import App
import Testing

@Suite("Bulk load memory")
struct BulkLoadMemoryTests {
    @Test("Only the commands that load in bulk keep freed memory from their start")
    func bulkLoadCommands() {
        #expect(BulkLoadMemory.isBulkLoad(["ashar", "seed", "--transfers", "1000"]))
        #expect(BulkLoadMemory.isBulkLoad(["ashar", "demo", "--scale", "national"]))
        #expect(!BulkLoadMemory.isBulkLoad(["ashar", "demo"]))
        #expect(!BulkLoadMemory.isBulkLoad(["ashar", "serve"]))
        #expect(!BulkLoadMemory.isBulkLoad(["ashar", "user", "create", "--login", "seed"]))
    }
}
