import Synchronization
import Vapor

/// Memory a busy server took and no longer uses, handed back once no request has begun or ended for a
/// couple of seconds. glibc keeps what is freed in the middle of a thread's heap (an import left 400 MB
/// resident with the server idle), and the SQLite writer keeps its page cache full (32 MB) after any
/// spell of writes: an idle server held 124 MB where it started with 57 (docs/PERFORMANCE.md). Not while
/// requests come: work that follows work reuses both.
final class QuietMemory: AsyncMiddleware, Sendable {
    /// How often the server looks whether it has turned quiet (`Application.startRepeatingWork`).
    static let lookEvery = Duration.seconds(2)

    private let watch = Mutex(QuietWatch())
    private let writer: SQLiteLedgerWriter?

    init(writer: SQLiteLedgerWriter?) { self.writer = writer }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        watch.withLock { $0.begin() }
        defer { watch.withLock { $0.end() } }
        return try await next.respond(to: request)
    }

    /// Gives back what is free when the server has turned quiet since it last looked.
    func look() async {
        guard watch.withLock({ $0.look() }) else { return }
        await writer?.releaseCache()
        BulkLoadMemory.trim()
    }
}

/// Requests begun and ended, as the server looks now and then whether it has turned quiet.
struct QuietWatch {
    private var running = 0
    /// Requests begun plus requests ended, so far; at the last look; when memory was last given back.
    private var events = 0, eventsAtLastLook = 0, eventsAtGiveBack = 0

    mutating func begin() { running += 1; events += 1 }
    mutating func end() { running -= 1; events += 1 }

    /// Whether memory is to be given back now: requests came since it last was, none is running, and
    /// none began or ended since the last look.
    mutating func look() -> Bool {
        defer { eventsAtLastLook = events }
        guard running == 0, events == eventsAtLastLook, events != eventsAtGiveBack else { return false }
        eventsAtGiveBack = events
        return true
    }
}

struct QuietMemoryKey: StorageKey { typealias Value = QuietMemory }
