#if canImport(CMalloc)
import CMalloc
#endif
import Synchronization

/// glibc gives memory freed at the top of its heaps back to the system at once, and each batch of a bulk
/// load faults fresh zeroed pages in again for its large statements: a quarter of a generated history's
/// time (`perf`, docs/PERFORMANCE.md). A command that loads in bulk keeps freed memory for reuse from its
/// very start — set when the load begins, once the event loops' heaps exist, it made no difference — and
/// gives it back when the load ends (`Application.bulkLoad`). A serving server's large requests give back
/// what they freed once it is quiet again (`large`).
enum BulkLoadMemory {
    /// Whether a command line starts a bulk load: `ashar seed …`, `ashar demo --scale …`.
    static func isBulkLoad(_ arguments: [String]) -> Bool {
        arguments.dropFirst().first == "seed" || (arguments.dropFirst().first == "demo" && arguments.contains("--scale"))
    }

    static func keepFreed() {
        #if canImport(CMalloc)
        mallopt(M_TRIM_THRESHOLD, 1 << 30)
        mallopt(M_TOP_PAD, 256 << 20)
        #endif
    }

    /// glibc's defaults back (128 KiB each), and what is free handed back to the system.
    static func giveBack() {
        #if canImport(CMalloc)
        mallopt(M_TRIM_THRESHOLD, 128 << 10)
        mallopt(M_TOP_PAD, 128 << 10)
        malloc_trim(0)
        #endif
    }

    /// Runs a large request's work — a survey import holds half a gigabyte for 100,000 rows — and hands
    /// what it freed back to the system once no other has begun or ended for a few seconds. glibc gives
    /// back only the free memory at the top of each thread's heap; the rest stayed resident, 400 MB with
    /// the server idle after one import (docs/PERFORMANCE.md). Not at once: imports that follow one
    /// another reuse it.
    static func large<Result>(_ work: () async throws -> Result) async rethrows -> Result {
        largeWork.withLock { $0 += 1 }
        defer {
            let ended = largeWork.withLock { $0 += 1; return $0 }
            Task.detached(priority: .background) {
                try? await Task.sleep(for: quietBeforeGivingBack)
                // Another began or ended since: the give-back after it is the one to run.
                guard largeWork.withLock({ $0 == ended }) else { return }
                #if canImport(CMalloc)
                malloc_trim(0)
                #endif
            }
        }
        return try await work()
    }

    static let quietBeforeGivingBack = Duration.seconds(5)
    /// Large works begun and ended so far.
    private static let largeWork = Mutex(0)
}
