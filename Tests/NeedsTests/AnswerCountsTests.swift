import FluentKit
import Foundation
import Kernel
@testable import Needs
import SQLKit
import Synchronization
import Testing
import TestSupport

@Suite("Counts of answers kept between submissions")
struct AnswerCountsTests {
    static func key() -> AnswerCounts.Key {
        AnswerCounts.Key(form: UUID(), version: 3, recipe: .init(row: .init(question: "needs", inEntry: false),
                                                                 column: .init(question: "district", inEntry: false), weight: nil, entries: nil))
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
                        return ([AnswerCount(row: "water", column: "Kara-Suu", count: 7, weight: 7, weightSquared: 7)], keep: true)
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
        let again = try await AnswerCounts.kept(key) { ([AnswerCount(row: nil, column: nil, count: 2, weight: 2, weightSquared: 2)], keep: true) }
        #expect(again.map(\.count) == [2])
    }
}

@Suite("Counts carried forward by the server that writes submissions")
struct CarriedCountsTests {
    typealias Recipe = AnswerCounts.Recipe

    /// Tables of the household form: plain, two questions, a repeat's entries, weighted.
    static let recipes: [Recipe] = [
        Recipe(row: .init(question: "income_sources", inEntry: false), column: nil, weight: nil, entries: nil),
        Recipe(row: .init(question: "services_wanted", inEntry: false), column: .init(question: "remittances", inEntry: false), weight: nil, entries: nil),
        Recipe(row: .init(question: "member_age", inEntry: true), column: .init(question: "remittances", inEntry: false), weight: nil, entries: "member"),
        Recipe(row: .init(question: "member_age", inEntry: true), column: nil, weight: "household_size", entries: "member"),
        Recipe(row: .init(question: "remittances", inEntry: false), column: .init(question: "training_topic", inEntry: false), weight: "remittance_months", entries: nil),
    ]

    /// A table as comparable rows, in one order.
    static func rows(_ counts: [AnswerCount]) -> [String] {
        counts.map { "\($0.row ?? "∅")|\($0.column ?? "∅")|\($0.count)|\($0.weight)|\($0.weightSquared)" }.sorted()
    }

    @Test("After an import and a submission the kept tables are the new submissions added, equal to the database's own count")
    func carriedEqualsCounted() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await SubmissionServiceTests.householdForm(on: db)
            let service = SubmissionService(db: db), sql = db as! any SQLDatabase
            _ = try await service.importExport(form: form.id, files: [try SubmissionRulesTests.file("household-kobo.csv")], source: .kobo,
                                               by: SubmissionServiceTests.actor)
            for recipe in Self.recipes {
                _ = try await AnswerCounts.counts(form: form.id, recipe: recipe, on: sql) { try await AnalysisService.count(recipe, form: form.id, on: db) }
            }
            // Asked at once, as a cross-tab straight after the import would be: the carried table, or the
            // carrying still under way, which it waits for — never all the answers counted again.
            func expectCarried() async throws {
                for recipe in Self.recipes {
                    let carried = try await AnswerCounts.counts(form: form.id, recipe: recipe, on: sql) {
                        Issue.record("counted again instead of carried")
                        return []
                    }
                    #expect(Self.rows(carried) == Self.rows(try await AnalysisService.count(recipe, form: form.id, on: db)))
                }
            }
            let odk = [try SubmissionRulesTests.file("household-odk.csv"), try SubmissionRulesTests.file("household-odk-member.csv")]
            #expect(try await service.importExport(form: form.id, files: odk, source: .odk, by: SubmissionServiceTests.actor).imported == 2)
            try await expectCarried()
            let answers = Answers(values: ["household_size": "3", "children": "1", "income_sources": "trade other", "remittances": "no",
                                           "interview_date": "2026-11-20"], repeats: ["member": [["member_age": "40"], ["member_age": "12"]]])
            _ = try await service.submit(form: form.id, answers: answers, instanceKey: nil, source: .web, by: SubmissionServiceTests.actor, language: "en")
            try await expectCarried()
            // An import that adds nothing leaves the version, and the tables, as they were.
            let before = try await AnswerCounts.version(of: form.id, on: sql)
            #expect(try await service.importExport(form: form.id, files: odk, source: .odk, by: SubmissionServiceTests.actor).imported == 0)
            #expect(try await AnswerCounts.version(of: form.id, on: sql) == before)
            try await expectCarried()
        }
    }

    @Test("A table that reads a question an import did not keep answers to is not carried forward: counted again when asked")
    func notCarriedWithoutItsAnswers() async throws {
        let form = UUID(), recipe = Self.recipes[1], kept = [AnswerCount(row: "training", column: "no", count: 2, weight: 0, weightSquared: 0)]
        AnswerCounts.keep(kept, for: AnswerCounts.Key(form: form, version: 1, recipe: recipe))
        #expect(AnswerCounts.questionsKept(form: form) == ["services_wanted", "remittances"])
        let added = [Answers(values: ["services_wanted": "training"])]
        AnswerCounts.carryForward(form: form, to: 2, adding: added, answering: ["services_wanted"])
        let recounted = [AnswerCount(row: "recounted", column: nil, count: 0, weight: 0, weightSquared: 0)]
        let second = try await AnswerCounts.kept(AnswerCounts.Key(form: form, version: 2, recipe: recipe)) { (recounted, keep: false) }
        #expect(Self.rows(second) == Self.rows(recounted))
        // With the answers it reads, carried: the kept table and what the submissions add.
        AnswerCounts.keep(kept, for: AnswerCounts.Key(form: form, version: 3, recipe: recipe))
        AnswerCounts.carryForward(form: form, to: 4, adding: added, answering: ["services_wanted", "remittances"])
        let fourth = try await AnswerCounts.kept(AnswerCounts.Key(form: form, version: 4, recipe: recipe)) {
            Issue.record("counted again instead of carried")
            return ([], keep: false)
        }
        #expect(Self.rows(fourth) == Self.rows(kept + [AnswerCount(row: "training", column: nil, count: 1, weight: 1, weightSquared: 1)]))
    }

    @Test("A table counted while another server wrote submissions is not kept: it could hold them under the version before")
    func notKeptWhenMovedOnMeanwhile() async throws {
        try await TestDatabase.withDatabase { db in
            let form = try await SubmissionServiceTests.householdForm(on: db)
            let sql = db as! any SQLDatabase, recipe = Self.recipes[0]
            let version = try await AnswerCounts.version(of: form.id, on: sql)
            let counted = try await AnswerCounts.counts(form: form.id, recipe: recipe, on: sql) {
                _ = try await AnswerCounts.moveOn(form: form.id, on: sql)
                return [AnswerCount(row: "trade", column: nil, count: 1, weight: 1, weightSquared: 1)]
            }
            #expect(counted.map(\.count) == [1])
            #expect(AnswerCounts.kept(AnswerCounts.Key(form: form.id, version: version, recipe: recipe)) == nil)
            _ = try await AnswerCounts.counts(form: form.id, recipe: recipe, on: sql) { [] }
            #expect(AnswerCounts.kept(AnswerCounts.Key(form: form.id, version: version + 1, recipe: recipe))?.isEmpty == true)
        }
    }
}
