import AsharNetwork
import FluentKit
import Foundation

/// Group commit: transfers that arrive while a batch is being booked wait, and are booked together in
/// the next transaction. One commit — one wait for the disk — then serves them all, and each caller is
/// answered only after that commit, so an answered transfer is as durable as one booked alone.
public actor BookingQueue {
    /// A batch's statements grow with its size; past this the wait for the disk is well shared anyway.
    static let largestBatch = 256

    private let db: any Database
    private let executor: (any TaskExecutor)?
    private var waiting: [(request: BookingRequest, reply: CheckedContinuation<TransferRecord, any Error>)] = []
    private var booking = false

    /// `executor`: where the batches run, if not on the shared threads (the embedded SQLite's own writer).
    public init(db: any Database, executor: (any TaskExecutor)? = nil) {
        self.db = db
        self.executor = executor
    }

    public func book(_ request: BookingRequest) async throws -> TransferRecord {
        let request = try request.normalized()
        return try await withCheckedThrowingContinuation { reply in
            waiting.append((request, reply))
            if !booking {
                booking = true
                Task(executorPreference: executor) { await self.bookWaiting() }
            }
        }
    }

    private func bookWaiting() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.largestBatch))
            waiting.removeFirst(batch.count)
            do {
                let requests = batch.map(\.request)
                let results = try await db.writeTransaction { tx in try await Ledger.book(requests, on: tx) }
                for (result, waiter) in zip(results, batch) { waiter.reply.resume(with: result) }
            } catch {
                for waiter in batch { waiter.reply.resume(throwing: error) }
            }
        }
        booking = false
    }
}
