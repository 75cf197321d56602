import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

/// How a submission reached Ashar.
public enum SubmissionSource: String, Sendable, Codable {
    case web, api, kobo, odk
}

/// A submission as stored.
public struct SubmissionRecord: Sendable, Equatable {
    public let id: UUID
    public let formID: UUID
    public let instanceKey: String
    public let source: SubmissionSource
    public let submittedAt: Date?
    public let answers: Answers
    public let recordedBy: String
    public let personID: UUID?
    /// How and when she agreed to be linked, when she is.
    public let consent: RespondentConsent?
}

/// What an import stored: new submissions, and those already there (or twice in the file).
public struct ImportResult: Sendable, Equatable {
    public let imported: Int
    public let duplicates: Int

    public init(imported: Int, duplicates: Int) {
        self.imported = imported
        self.duplicates = duplicates
    }
}

/// Filled forms: typed in the web, sent to the API, or imported from exports. Each instance id is
/// stored once per form, so sending or importing the same submission again changes nothing.
public struct SubmissionService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Keeps answers typed in or sent, once they meet every rule of the form (`ValidationErrors` with
    /// each problem's question as its field, `<repeat>[<n>].<question>` inside a repeat). The same
    /// instance id again returns the stored submission and `created: false`.
    public func submit(form formID: UUID, answers: Answers, instanceKey: String?, source: SubmissionSource,
                       by actor: Actor, language: String) async throws -> (record: SubmissionRecord, created: Bool) {
        let form = try await FormService(db: db).form(formID)
        let key = instanceKey.map(ExportReading.instanceKey) ?? UUID().uuidString.lowercased()
        guard !key.isEmpty, key.count <= 200 else { throw DomainError("needs.submission.key-invalid", field: "instanceID") }
        let (kept, problems) = AnswerCheck(form.definition).check(answers, language: language, today: BishkekCalendar.day(of: Date()))
        try ValidationErrors.throwIfAny(problems.map { problem in
            DomainError(problem.error.code, field: problem.instance.map { "\(form.definition.repeatOf(problem.question) ?? "")[\($0)].\(problem.question)" } ?? problem.question,
                        arguments: problem.error.arguments)
        })
        let incoming = IncomingSubmission(key: key, submittedAt: Date(), answers: kept, line: 0)
        let (record, version) = try await db.writeTransaction { tx -> (SubmissionRecord, Int?) in
            let sql = tx as! any SQLDatabase
            if let existing = try await Self.find(form: formID, key: key, on: sql) { return (existing, nil) }
            let id = UUID.timeOrdered(at: Date())
            try await Self.insert(Self.rows([incoming], ids: [id], form: formID, source: source, by: actor), on: sql)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "needs_submission", entityID: id,
                                      changes: [FieldChange(field: "source", from: nil, to: source.rawValue)])
            return (try await Self.find(id: id, on: sql)!, try await AnswerCounts.moveOn(form: formID, on: sql))
        }
        if let version { AnswerCounts.carryForward(form: formID, to: version, adding: [kept]) }
        return (record, version != nil)
    }

    /// Imports an export of this form, all or nothing: any line with a problem throws `ImportFailed`
    /// naming its file and line, and nothing is stored.
    public func importExport(form formID: UUID, files: [ExportFile], source: ExportSource, by actor: Actor) async throws -> ImportResult {
        let form = try await FormService(db: db).form(formID)
        let counting = AnswerCounts.questionsKept(form: formID)
        let read = try ExportReading.read(files, source: source, form: form.definition, counting: counting)
        // Where each submission to store is in `read`, in order: the submissions are not copied to be sorted.
        let order = Self.onceEach(Self.inKeyOrder(read), of: read)
        // A statement's thousand rows are made while the one before is written: the database's writer keeps
        // to one core (`SQLiteLedgerWriter`) and they are made on the other, not before the write begins.
        let kind = SubmissionSource(rawValue: source.rawValue)!, now = Date()
        let ids = UUID.timeOrdered(count: order.count, at: now)
        let starts = Array(stride(from: 0, to: order.count, by: 1_000))
        @Sendable func rows(from start: Int) -> Task<JSONRows, Never> {
            Task.detached {
                let end = min(start + 1_000, order.count)
                return Self.rows(order[start..<end].lazy.map { read[$0] }, ids: ids[start..<end], form: formID, source: kind, by: actor)
            }
        }
        let first = starts.first.map(rows(from:))
        let (result, imported, version) = try await db.writeTransaction { tx -> (ImportResult, Set<String>, Int?) in
            let sql = tx as! any SQLDatabase
            var imported = Set<String>(minimumCapacity: order.count)
            var following = starts.dropFirst().makeIterator(), next = first
            while let making = next {
                next = following.next().map(rows(from:))
                imported.formUnion(try await Self.insertNew(await making.value, on: sql))
            }
            let result = ImportResult(imported: imported.count, duplicates: read.count - imported.count)
            try await AuditLog.record(on: tx, actor: actor, action: "import", entity: "needs_form", entityID: formID,
                                      changes: [FieldChange(field: "source", from: nil, to: source.rawValue),
                                                FieldChange(field: "imported", from: nil, to: String(result.imported)),
                                                FieldChange(field: "duplicates", from: nil, to: String(result.duplicates))])
            return (result, imported, imported.isEmpty ? nil : try await AnswerCounts.moveOn(form: formID, on: sql))
        }
        if let version {
            let added = imported.count == order.count ? order : order.filter { imported.contains(read[$0].key) }  // all, as a rule
            AnswerCounts.carryForward(form: formID, to: version, adding: added.map { read[$0].countedAnswers }, answering: counting)
        }
        return result
    }

    /// Where each submission is, in the order of their instance keys, those of one key in the file's order. Stored in
    /// that order, they walk the form's index of keys page after page; in an export's own order
    /// (KoboToolbox's keys are random) each went to a page of its own, and the database's part of a
    /// 100,000-answer import took a third longer (docs/PERFORMANCE.md).
    static func inKeyOrder(_ submissions: [IncomingSubmission]) -> [Int] {
        // A key's first eight bytes, as a number, settle nearly every comparison without comparing text.
        let prefixes = submissions.map { submission in
            submission.key.utf8.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (56 - 8 * $1.offset) }
        }
        return submissions.indices.sorted { a, b in
            if prefixes[a] != prefixes[b] { return prefixes[a] < prefixes[b] }
            let (keyA, keyB) = (submissions[a].key, submissions[b].key)
            return keyA != keyB ? keyA < keyB : a < b
        }
    }

    /// The first submission of each key, of those `order` points at: a later one with the same key is a duplicate.
    static func onceEach(_ order: [Int], of submissions: [IncomingSubmission]) -> [Int] {
        var seen = Set<String>(minimumCapacity: order.count)
        return order.filter { seen.insert(submissions[$0].key).inserted }
    }

    public func submission(_ id: UUID) async throws -> SubmissionRecord {
        guard let record = try await Self.find(id: id, on: db as! any SQLDatabase) else { throw DomainError.notFound("needs.submission") }
        return record
    }

    public func count(form formID: UUID) async throws -> Int {
        try await (db as! any SQLDatabase).raw("SELECT COUNT(*) AS n FROM needs_submissions WHERE form_id = \(bind: formID)").first()?
            .decode(column: "n", as: Int.self) ?? 0
    }

    /// A form's submissions, newest first.
    public func submissions(form formID: UUID, page: PageQuery) async throws -> Paged<SubmissionRecord> {
        _ = try await FormService(db: db).form(formID)
        let sql = db as! any SQLDatabase
        let total = try await count(form: formID)
        let rows = try await sql.raw("""
            SELECT \(Self.columns(sql))
            FROM needs_submissions WHERE form_id = \(bind: formID)
            ORDER BY created_at DESC, instance_key LIMIT \(bind: page.per) OFFSET \(bind: page.offset)
            """).all()
        return Paged(items: try rows.map(Self.record), total: total, request: page)
    }

    /// The submissions linked to one woman (with her consent), newest first.
    public func submissions(of personID: UUID) async throws -> [SubmissionRecord] {
        let sql = db as! any SQLDatabase
        return try await sql.raw("""
            SELECT \(Self.columns(sql)) FROM needs_submissions WHERE person_id = \(bind: personID) ORDER BY created_at DESC
            """).all().map(Self.record)
    }

    /// Links a submission to the woman who answered it, in the people registry, only when she agreed:
    /// without `consentGiven` it is refused and nothing changes.
    public func linkRespondent(_ id: UUID, person personID: UUID, consentGiven: Bool, method: ConsentMethod, by actor: Actor) async throws {
        guard consentGiven else { throw DomainError("needs.submission.consent-required", field: "consent") }
        try await db.writeTransaction { tx in
            let sql = tx as! any SQLDatabase
            guard try await Self.find(id: id, on: sql) != nil else { throw DomainError.notFound("needs.submission") }
            guard try await Person.find(personID, on: tx) != nil else { throw DomainError.notFound("network.person") }
            try await sql.raw("""
                UPDATE needs_submissions SET person_id = \(bind: personID), consent_recorded_at = \(bind: Date()),
                consent_method = \(bind: method.rawValue) WHERE id = \(bind: id)
                """).run()
            try await AuditLog.record(on: tx, actor: actor, action: "link-respondent", entity: "needs_submission", entityID: id,
                                      changes: [FieldChange(field: "consent", from: nil, to: method.rawValue)])
        }
    }

    // MARK: Rows

    /// Submissions' rows, as `insert` and `insertNew` take them, each with its id.
    static func rows(_ submissions: some Collection<IncomingSubmission>, ids: some Collection<UUID>, form formID: UUID,
                     source: SubmissionSource, by actor: Actor) -> JSONRows {
        var rows = JSONRows([("id", .uuid), ("form_id", .uuid), ("instance_key", .text), ("source", .text), ("submitted_at", .time),
                             ("answers", .jsonb), ("repeats", .jsonb), ("recorded_by_login", .text)])
        for (submission, id) in zip(submissions, ids) {
            let repeats = submission.repeats
            rows.append(.uuid(id), .uuid(formID), .text(submission.key), .text(source.rawValue), .time(submission.submittedAt),
                        .jsonb(submission.values), .jsonb(repeats.isEmpty ? nil : AnswerStore.encode(repeats)), .text(actor.login))
        }
        return rows
    }

    /// Stores submissions' rows (`rows`), recorded now: a statement for all, the rows in one bind. The
    /// caller moves the form's version on in the same transaction.
    static func insert(_ rows: JSONRows, on sql: any SQLDatabase) async throws {
        try await sql.raw(insertStatement(rows, on: sql)).run()
    }

    /// Stores the rows whose instance key the form has not stored yet, as `insert` does, and returns their
    /// keys. The form's index of keys says which it has, as each row is stored: asking it first, apart,
    /// read the index a second time (a fifth of the database's part of an import).
    static func insertNew(_ rows: JSONRows, on sql: any SQLDatabase) async throws -> Set<String> {
        var keys = Set<String>(minimumCapacity: rows.count)
        for row in try await sql.raw("\(insertStatement(rows, on: sql)) ON CONFLICT (form_id, instance_key) DO NOTHING RETURNING instance_key").all() {
            keys.insert(try row.decode(column: "instance_key", as: String.self))
        }
        return keys
    }

    private static func insertStatement(_ rows: JSONRows, on sql: any SQLDatabase) -> SQLQueryString {
        """
        INSERT INTO needs_submissions (id, form_id, instance_key, source, submitted_at, answers, repeats, recorded_by_login, created_at) \
        \(rows.select(", \(bind: Date())", on: sql))
        """
    }

    static func columns(_ sql: any SQLDatabase) -> SQLQueryString {
        let store = AnswerStore(sql: sql)
        return """
            id, form_id, instance_key, source, submitted_at, recorded_by_login, person_id, consent_recorded_at, consent_method, \
            \(store.text("answers")), \(store.text("repeats"))
            """
    }

    static func find(form formID: UUID, key: String, on sql: any SQLDatabase) async throws -> SubmissionRecord? {
        try await sql.raw("""
            SELECT \(columns(sql))
            FROM needs_submissions WHERE form_id = \(bind: formID) AND instance_key = \(bind: key)
            """).first().map(record)
    }

    static func find(id: UUID, on sql: any SQLDatabase) async throws -> SubmissionRecord? {
        try await sql.raw("""
            SELECT \(columns(sql))
            FROM needs_submissions WHERE id = \(bind: id)
            """).first().map(record)
    }

    static func record(_ row: any SQLRow) throws -> SubmissionRecord {
        let values = try JSONDecoder().decode([String: String].self, from: Data(try row.decode(column: "answers", as: String.self).utf8))
        let repeats = try row.decodeNil(column: "repeats") ? [:]
            : try JSONDecoder().decode([String: [[String: String]]].self, from: Data(try row.decode(column: "repeats", as: String.self).utf8))
        return SubmissionRecord(
            id: try row.decode(column: "id", as: UUID.self), formID: try row.decode(column: "form_id", as: UUID.self),
            instanceKey: try row.decode(column: "instance_key", as: String.self),
            source: SubmissionSource(rawValue: try row.decode(column: "source", as: String.self)) ?? .api,
            submittedAt: try row.decode(column: "submitted_at", as: Date?.self), answers: Answers(values: values, repeats: repeats),
            recordedBy: try row.decode(column: "recorded_by_login", as: String.self),
            personID: try row.decode(column: "person_id", as: UUID?.self),
            consent: try row.decode(column: "consent_recorded_at", as: Date?.self).map { at in
                RespondentConsent(method: ConsentMethod(rawValue: try row.decode(column: "consent_method", as: String?.self) ?? "") ?? .spoken, recordedAt: at)
            })
    }
}

extension FormDefinition {
    /// The repeat the question of this name is asked in, if any.
    func repeatOf(_ name: String) -> String? { question(name).flatMap(repeatName(of:)) }
}
