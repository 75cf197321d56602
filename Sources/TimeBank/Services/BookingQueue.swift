import AsharNetwork
import FluentKit
import Foundation
import Synchronization

/// Group commit: transfers that arrive while a batch is being booked wait, and are booked together in
/// the next transaction. One commit — one wait for the disk — then serves them all, and each caller is
/// answered only after that commit, so an answered transfer is as durable as one booked alone.
public actor BookingQueue {
    /// A batch's statements grow with its size; past this the wait for the disk is well shared anyway.
    static let largestBatch = 256

    /// The embedded SQLite's own writer; nil: each batch runs on the database its first caller came with.
    private let db: (any Database)?
    private let executor: (any TaskExecutor)?
    private var waiting: [(request: BookingRequest, db: any Database, reply: CheckedContinuation<TransferRecord, any Error>)] = []
    private var booking = false

    /// `executor`: where the batches run, if not on the shared threads (the embedded SQLite's own writer).
    public init(db: (any Database)? = nil, executor: (any TaskExecutor)? = nil) {
        self.db = db
        self.executor = executor
    }

    /// `db`: the caller's database (its request's), used when the queue has no writer of its own. A
    /// database held for the server's life would keep its connections however they fail: after a
    /// PostgreSQL restart under load, its batches never came back.
    public func book(_ request: BookingRequest, on db: any Database) async throws -> TransferRecord {
        let request = try request.normalized()
        return try await withCheckedThrowingContinuation { reply in
            waiting.append((request, db, reply))
            if !booking {
                booking = true
                Task(executorPreference: executor) { await self.bookWaiting() }
            }
        }
    }

    /// A batch takes milliseconds. One that has not ended in this long lost its connection in a way the
    /// driver never reports (seen when PostgreSQL restarted mid-batch): its callers are told the database
    /// is unavailable and the queue goes on — it would otherwise wait for ever, and every booking after it.
    static let longestBatch: Duration = .seconds(20)

    /// The work's result, or `DatabaseUnavailable` once `limit` has passed without one.
    static func within<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let answered = Mutex(false)
        return try await withCheckedThrowingContinuation { (reply: CheckedContinuation<T, any Error>) in
            let first: @Sendable (Result<T, any Error>) -> Bool = { result in
                guard answered.withLock({ done in defer { done = true }; return !done }) else { return false }
                reply.resume(with: result)
                return true
            }
            let task = Task {
                do { _ = first(.success(try await work())) } catch { _ = first(.failure(error)) }
            }
            Task {
                try? await Task.sleep(for: limit)
                if first(.failure(DatabaseUnavailable())) { task.cancel() }
            }
        }
    }

    private func bookWaiting() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.largestBatch))
            waiting.removeFirst(batch.count)
            do {
                let requests = batch.map(\.request)
                let db = self.db ?? batch[0].db
                let results = try await Self.within(Self.longestBatch) {
                    try await db.writeTransaction { tx in try await Ledger.book(requests, on: tx) }
                }
                for (result, waiter) in zip(results, batch) { waiter.reply.resume(with: result) }
            } catch {
                for waiter in batch { waiter.reply.resume(throwing: error) }
            }
        }
        booking = false
    }
}

/// The database did not answer in time; nothing of the request is known to be written.
public struct DatabaseUnavailable: Error, Sendable {}

