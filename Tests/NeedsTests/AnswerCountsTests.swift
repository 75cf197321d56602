import Foundation
@testable import Needs
import Synchronization
import Testing

@Suite("Counts of answers kept between submissions")
struct AnswerCountsTests {
    static func key() -> AnswerCounts.Key {
        AnswerCounts.Key(form: UUID(), version: 3, row: "needs", column: "district", weight: nil)
    }

    @Test("Asked for the same counts at the same time, the database counts once and every asker gets them")
    func countedOnce() async throws {
        final class Counter: Sendable { let value = Atomic(0) }
        let key = Self.key(), counted = Counter()
        let answers = try await withThrowingTaskGroup(of: [AnswerCount].self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await AnswerCounts.kept(key) {
                        counted.value.add(1, ordering: .relaxed)
                        try await Task.sleep(for: .milliseconds(200))
                        return [AnswerCount(row: "water", column: "Kara-Suu", count: 7, weight: 7, weightSquared: 7)]
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counted.value.load(ordering: .relaxed) == 1)
        #expect(answers.count == 5 && answers.allSatisfy { $0.map(\.count) == [7] })
        #expect(AnswerCounts.kept(key)?.map(\.count) == [7])
    }

    @Test("A count that fails is not kept: the next asker counts again")
    func failureNotKept() async throws {
        struct Gone: Error {}
        let key = Self.key()
        await #expect(throws: Gone.self) { try await AnswerCounts.kept(key) { throw Gone() } }
        #expect(AnswerCounts.kept(key) == nil)
        let again = try await AnswerCounts.kept(key) { [AnswerCount(row: nil, column: nil, count: 2, weight: 2, weightSquared: 2)] }
        #expect(again.map(\.count) == [2])
    }
}
