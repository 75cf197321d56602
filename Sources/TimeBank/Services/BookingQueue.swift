import AsharNetwork
import FluentKit
import Foundation

/// Group commit: transfers that arrive while a batch is being booked wait, and are booked together in
/// the next transaction. One commit — one wait for the disk — then serves them all, and each caller is
/// answered only after that commit, so an answered transfer is as durable as one booked alone.
public actor BookingQueue {
    /// A batch's statements grow with its size; past this the wait for the disk is well shared anyway.
    static let largestBatch = 256

    /// The embedded SQLite's own writer; nil: each batch runs on the database its first caller came with.
    private let writer: (any DedicatedWriter)?
    private var waiting: [(request: BookingRequest, db: any Database, reply: CheckedContinuation<TransferRecord, any Error>)] = []
    private var booking = false

    public init(writer: (any DedicatedWriter)? = nil) {
        self.writer = writer
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
                Task { await self.bookWaiting() }
            }
        }
    }

    private func bookWaiting() async {
        while !waiting.isEmpty {
            let batch = Array(waiting.prefix(Self.largestBatch))
            waiting.removeFirst(batch.count)
            do {
                let requests = batch.map(\.request)
                // The batch keeps each request's answer itself: it claims no key of the request that started it.
                // On PostgreSQL, a batch stuck on a closed connection is given up (`StuckWrites`).
                let results = try await IdempotencySlot.$current.withValue(nil) { [writer] in
                    guard let writer else { return try await batch[0].db.writeTransaction { tx in try await Ledger.book(requests, on: tx) } }
                    return try await writer.transaction { tx in try await Ledger.book(requests, on: tx) }
                }
                for (result, waiter) in zip(results, batch) { waiter.reply.resume(with: result) }
            } catch {
                for waiter in batch { waiter.reply.resume(throwing: error) }
            }
        }
        booking = false
    }
}
