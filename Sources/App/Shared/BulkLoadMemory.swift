#if canImport(CMalloc)
import CMalloc
#endif

/// glibc gives memory freed at the top of its heaps back to the system at once, and each batch of a bulk
/// load faults fresh zeroed pages in again for its large statements: a quarter of a generated history's
/// time (`perf`, docs/PERFORMANCE.md). A command that loads in bulk keeps freed memory for reuse from its
/// very start — set when the load begins, once the event loops' heaps exist, it made no difference — and
/// gives it back when the load ends (`Application.bulkLoad`). A serving server gives back what it freed
/// once it is quiet again (`QuietMemory`).
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
        #endif
        trim()
    }

    /// Free memory at the top of each heap, and whole free pages within them, handed back to the system.
    static func trim() {
        #if canImport(CMalloc)
        malloc_trim(0)
        #endif
    }
}
