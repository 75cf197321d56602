import AsharNetwork
import Fluent
import Foundation
import Reporting
import SQLKit
import Vapor

/// Work a serving Ashar does by itself: a turn at once, then one every `every` (a second at the least)
/// until the server stops. A turn that fails is logged by its error's type — not its text, which may
/// quote a row — and the next turn tries again.
final class RepeatingWork: LifecycleHandler, Sendable {
    private let task: Task<Void, Never>

    init(_ what: String, every interval: Duration, logger: Logger, turn: @escaping @Sendable () async throws -> Void) {
        task = Task {
            while !Task.isCancelled {
                do {
                    try await turn()
                } catch {
                    logger.warning("\(what) failed", metadata: ["type": .string(String(describing: type(of: error)))])
                }
                try? await Task.sleep(for: max(.seconds(1), interval))
            }
        }
    }

    func shutdown(_ application: Application) { task.cancel() }
}

extension Application {
    /// What a serving Ashar (`serve`, `demo`) repeats beside answering requests: forgetting `Idempotency-Key`
    /// answers past their time, counting the survey's needs for the dashboard, an office server's sync
    /// with the centre, and giving back memory once quiet.
    func startRepeatingWork() {
        let db = self.db
        lifecycle.use(RepeatingWork("forgetting old Idempotency-Key answers", every: .seconds(6 * 3600), logger: logger) {
            try await db.writeTransaction { tx in
                try await IdempotencyReceipt.forget(before: Date().addingTimeInterval(-IdempotencyReceipt.keptFor), on: tx as! any SQLDatabase)
            }
        })
        // The dashboard's needs by district count every answer of the baseline survey, a second or more
        // with a million: counted as the server starts, and again after another server stored submissions
        // (this one adds its own to the counts it keeps), not while the first to open the dashboard waits.
        let reports = backgroundReadsDB
        lifecycle.use(RepeatingWork(Self.countingNeeds, every: .seconds(600), logger: logger) {
            _ = try await NeedsCoverageReport(db: reports).byDistrict()
        })
        if let officeSync { lifecycle.use(OfficeSyncLoop.work(sync: officeSync, logger: logger)) }
        if let quietMemory = storage[QuietMemoryKey.self] {
            lifecycle.use(RepeatingWork("giving memory back", every: QuietMemory.lookEvery, logger: logger) { await quietMemory.look() })
        }
    }

    private static let countingNeeds = "counting the survey's needs for the dashboard"

    /// After an import, the dashboard's needs counted at once, in the background, when they were not kept
    /// to be carried forward (none had opened the dashboard yet): whoever opens it next finds them
    /// counted, or joins the count under way, rather than waiting for the next turn.
    func countNeedsForTheDashboard() {
        let reports = backgroundReadsDB, logger = logger
        Task {
            do {
                _ = try await NeedsCoverageReport(db: reports).byDistrict()
            } catch {
                logger.warning("\(Self.countingNeeds) failed", metadata: ["type": .string(String(describing: type(of: error)))])
            }
        }
    }
}
