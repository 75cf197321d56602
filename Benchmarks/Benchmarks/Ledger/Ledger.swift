import App
import AsharNetwork
import Benchmark
import BenchmarkSupport
import DemoData
import Foundation
import Kernel
import TimeBank
import Vapor

/// The ledger on the embedded SQLite with Ashar's settings (WAL, synchronous=FULL), without HTTP:
/// booking a transfer, reading a balance, and a statement page with 100,000 entries behind it.
/// Figures and how they compare with the HTTP load test: docs/PERFORMANCE.md.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .throughput], maxDuration: .seconds(10), maxIterations: 20_000)

    Benchmark("Ledger.record: one transfer, one commit") { benchmark, world in
        for _ in benchmark.scaledIterations {
            let (a, b) = world.pair()
            blackHole(try await Ledger(db: world.app.db).record(
                ExchangeDraft(bankID: world.bank, provider: a, recipient: b, minutes: 15, serviceDate: "2026-11-20"), by: .system))
        }
    } setup: {
        try await World.make(transfers: 0)
    } teardown: {
        try await BenchmarkApps.closeAll()
    }

    Benchmark("Ledger.account: a balance read") { benchmark, world in
        for _ in benchmark.scaledIterations {
            blackHole(try await Ledger(db: world.app.db).account(world.bank, member: world.heavy))
        }
    } setup: {
        try await World.make(transfers: 1_000)
    } teardown: {
        try await BenchmarkApps.closeAll()
    }

    Benchmark("Ledger.statement: the last page of 100 lines, 100,000 entries behind it", configuration: .init(maxIterations: 2_000)) { benchmark, world in
        for _ in benchmark.scaledIterations {
            blackHole(try await Ledger(db: world.app.db).statement(world.bank, member: world.heavy, from: nil, to: nil,
                                                                   page: PageQuery(page: 1_000, per: 100)))
        }
    } setup: {
        try await World.make(transfers: 100_000)
    } teardown: {
        try await BenchmarkApps.closeAll()
    }
}

/// A bank on a file database, with members and, when asked, a long history for one of them.
final class World: @unchecked Sendable {
    let app: Application
    let bank: UUID
    let members: [UUID]
    /// The member in every one of the seeded transfers.
    let heavy: UUID
    let today = ServiceDate.string(Date())
    private var counter = 0

    init(app: Application, bank: UUID, members: [UUID]) {
        self.app = app
        self.bank = bank
        self.members = members
        self.heavy = members[0]
    }

    func pair() -> (UUID, UUID) {
        counter += 1
        let a = members[counter % members.count], b = members[(counter * 7 + 1) % members.count]
        return a == b ? (a, members[(counter + 1) % members.count]) : (a, b)
    }

    static func make(transfers: Int) async throws -> World {
        let app = try await BenchmarkApps.open()
        let make = Factories(db: app.db)
        let village = try await make.village()
        let org = try await make.organisation("Бенчмарк банкы", kind: .timeBank, in: village)
        let bank = try await TimeBankService(db: app.db).open(org.id, settings: .init(lowerLimitMinutes: -1_000_000_000), by: .system)
        var members: [UUID] = []
        for i in 0..<50 {
            let given = ["Айгүл", "Бурул", "Чолпон", "Динара", "Элмира"][i % 5]
            let person = try await make.person("Мүчө \(given) \(String(repeating: "а", count: i / 5 + 1))", in: village, born: 1950 + i)
            members.append(try await TimeBankService(db: app.db).join(bank.id, personID: person.id, by: .system).id)
        }
        // The history in a few large transactions: seeding is not what is measured.
        let batch = 5_000
        let people = members
        for start in stride(from: 0, to: transfers, by: batch) {
            try await app.db.writeTransaction { tx in
                for i in start..<min(start + batch, transfers) {
                    _ = try await Ledger(db: tx).record(ExchangeDraft(
                        bankID: bank.id, provider: i % 2 == 0 ? people[0] : people[1 + i % 49],
                        recipient: i % 2 == 0 ? people[1 + i % 49] : people[0], minutes: 10, serviceDate: "2026-11-20"), by: .system)
                }
            }
        }
        return World(app: app, bank: bank.id, members: members)
    }
}
