import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Synchronization

/// A form as stored: its id, the form's own id and version, and the definition read from the file.
public struct FormRecord: Sendable, Equatable {
    public let id: UUID
    public let definition: FormDefinition
    public let importedAt: Date?
}

/// How a form file is written.
public enum FormFileKind: Sendable {
    case xlsx, csv
}

/// Survey forms: imported from an XLSForm file, one stored version per (form id, version).
public struct FormService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Reads the file and keeps the form. A malformed form throws `FormRefused` with every problem; a
    /// version already imported is refused (a changed form needs a new `version` in its settings).
    public func importForm(_ data: Data, kind: FormFileKind, by actor: Actor) async throws -> FormRecord {
        let sheets = switch kind {
        case .xlsx: try FormFiles.sheets(xlsx: data)
        case .csv: try FormFiles.sheets(csv: String(decoding: data, as: UTF8.self))
        }
        let definition = try FormDefinition.read(sheets)
        return try await db.writeTransaction { tx in
            if try await SurveyForm.query(on: tx).filter(\.$formKey == definition.formID).filter(\.$version == definition.version).first() != nil {
                throw DomainError("needs.form.version-exists", kind: .conflict,
                                  arguments: ["form": definition.formID, "version": definition.version])
            }
            let form = SurveyForm()
            form.formKey = definition.formID
            form.version = definition.version
            form.title = definition.title[definition.defaultLanguage] ?? definition.title.values.sorted().first ?? definition.formID
            form.questionCount = definition.questionCount
            form.definition = String(decoding: try JSONEncoder().encode(definition), as: UTF8.self)
            form.importedByLogin = actor.login
            try await form.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "needs_form", entityID: form.id,
                                      changes: [FieldChange(field: "form_id", from: nil, to: definition.formID),
                                                FieldChange(field: "version", from: nil, to: definition.version)])
            return try Self.record(form)
        }
    }

    /// The pilot's baseline needs survey, in ky, ru and en, as an XLSForm in its CSV form.
    public static var baseline: Data {
        get throws {
            guard let url = Bundle.module.url(forResource: "baseline-needs-survey", withExtension: "csv", subdirectory: "Resources") else {
                throw DomainError.notFound("needs.form")
            }
            return try Data(contentsOf: url)
        }
    }

    /// Imports the baseline survey unless this version of it is there already.
    public func importBaselineIfMissing(by actor: Actor) async throws {
        do {
            _ = try await importForm(try Self.baseline, kind: .csv, by: actor)
        } catch let error as DomainError where error.code == "needs.form.version-exists" {
            // Imported at an earlier start: nothing to do.
        }
    }

    public func form(_ id: UUID) async throws -> FormRecord {
        guard let form = try await SurveyForm.find(id, on: db) else { throw DomainError.notFound("needs.form") }
        return try Self.record(form)
    }

    /// The newest version of the form with this form id, if any.
    public func latest(formKey: String) async throws -> FormRecord? {
        try await SurveyForm.query(on: db).filter(\.$formKey == formKey).sort(\.$createdAt, .descending).first().map(Self.record)
    }

    /// The forms, newest first.
    public func forms(page: PageQuery) async throws -> Paged<FormRecord> {
        let query = SurveyForm.query(on: db).sort(\.$createdAt, .descending).sort(\.$formKey)
        let total = try await query.count()
        let rows = try await query.range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: try rows.map(Self.record), total: total, request: page)
    }

    static func record(_ form: SurveyForm) throws -> FormRecord {
        FormRecord(id: form.id!, definition: try definition(form.definition), importedAt: form.createdAt)
    }

    /// Definitions decoded once per stored text (a stored definition is never changed): the dashboard and
    /// the donor report read the baseline survey's on every view.
    private static let decoded = Mutex<[String: FormDefinition]>([:])

    static func definition(_ text: String) throws -> FormDefinition {
        if let kept = decoded.withLock({ $0[text] }) { return kept }
        let definition = try JSONDecoder().decode(FormDefinition.self, from: Data(text.utf8))
        decoded.withLock { kept in
            if kept.count >= 16 { kept.removeAll() }
            kept[text] = definition
        }
        return definition
    }
}
