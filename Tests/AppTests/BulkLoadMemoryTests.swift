@testable import App
import Testing

@Suite("Memory given back")
struct BulkLoadMemoryTests {
    @Test("Only the commands that load in bulk keep freed memory from their start")
    func bulkLoadCommands() {
        #expect(BulkLoadMemory.isBulkLoad(["ashar", "seed", "--transfers", "1000"]))
        #expect(BulkLoadMemory.isBulkLoad(["ashar", "demo", "--scale", "national"]))
        #expect(!BulkLoadMemory.isBulkLoad(["ashar", "demo"]))
        #expect(!BulkLoadMemory.isBulkLoad(["ashar", "serve"]))
        #expect(!BulkLoadMemory.isBulkLoad(["ashar", "user", "create", "--login", "seed"]))
    }

    @Test("A server gives memory back once it has turned quiet after requests: not before any came, not while one runs, not twice")
    func quietWatch() {
        var watch = QuietWatch()
        var givenBack: [Bool] = []
        givenBack.append(watch.look())  // nothing came yet
        watch.begin()
        givenBack.append(watch.look())  // one runs
        givenBack.append(watch.look())  // still running, however long
        watch.end()
        givenBack.append(watch.look())  // it ended since the last look
        givenBack.append(watch.look())  // quiet since: given back
        givenBack.append(watch.look())  // nothing came since
        watch.begin(); watch.end(); watch.begin()
        givenBack.append(watch.look())
        watch.end()
        givenBack.append(watch.look())
        givenBack.append(watch.look())
        #expect(givenBack == [false, false, false, false, true, false, false, false, true])
    }
}
