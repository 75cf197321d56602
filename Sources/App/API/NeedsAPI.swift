import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import NIOFoundationCompat
import OpenAPIRuntime
import Vapor

/// The Needs context: survey forms (XLSForm).
extension AsharAPI {
    func listForms(_ input: Operations.ListForms.Input) async throws -> Operations.ListForms.Output {
        let req = try APIRequest.allowed(NeedsAccess.canReadForms)
        let list = try await FormService(db: req.db).forms(page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.FormList(items: list.items.map(Self.formCreated), total: list.total))))
    }

    func importForm(_ input: Operations.ImportForm.Input) async throws -> Operations.ImportForm.Output {
        let req = try APIRequest.allowed(NeedsAccess.canManageForms)
        let (body, kind): (HTTPBody, FormFileKind) = switch input.body {
        case .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(let body): (body, .xlsx)
        case .csv(let body): (body, .csv)
        }
        let data = try await Data(collecting: body, upTo: APIUploadLimits.formFile)
        let form = try await FormService(db: req.db).importForm(data, kind: kind, by: req.actor)
        return .created(.init(body: .json(Self.formCreated(form))))
    }

    func getForm(_ input: Operations.GetForm.Input) async throws -> Operations.GetForm.Output {
        let req = try APIRequest.allowed(NeedsAccess.canReadForms)
        let form = try await FormService(db: req.db).form(try Self.id(input.path.form, notFound: "needs.form"))
        let d = form.definition
        return .ok(.init(body: .json(Schemas.Form(
            id: form.id.uuidString, formId: d.formID, version: d.version, questionCount: d.questionCount,
            title: .init(additionalProperties: d.title), defaultLanguage: d.defaultLanguage,
            questions: d.questions.map {
                Schemas.FormQuestion(name: $0.name, _type: $0.kind.rawValue, label: .init(additionalProperties: $0.label),
                                     choiceList: $0.choiceList, orOther: $0.orOther, required: $0.required, path: $0.path)
            },
            choices: .init(additionalProperties: d.choices.mapValues { list in
                list.map { .init(name: $0.name, label: .init(additionalProperties: $0.label)) }
            })))))
    }

    static func formCreated(_ form: FormRecord) -> Schemas.FormCreated {
        Schemas.FormCreated(id: form.id.uuidString, formId: form.definition.formID, version: form.definition.version,
                            questionCount: form.definition.questionCount)
    }
}

/// The Needs context: submissions, their imports, and the analysis.
extension AsharAPI {
    func importSubmissions(_ input: Operations.ImportSubmissions.Input) async throws -> Operations.ImportSubmissions.Output {
        let req = try APIRequest.allowed(NeedsAccess.canManageForms)
        let formID = try Self.id(input.path.form, notFound: "needs.form")
        let source: ExportSource = input.query.source == .kobo ? .kobo : .odk
        let files = try Self.exportFiles(input.body, in: req)
        let result = try await SubmissionService(db: req.db).importExport(form: formID, files: files, source: source, by: req.actor)
        if result.imported > 0 { req.application.countNeedsForTheDashboard() }
        return .created(.init(body: .json(.init(imported: result.imported, duplicates: result.duplicates))))
    }

    /// The export as the request holds it (`APIBodyLimitMiddleware` has read it whole), not copied: collecting
    /// the operation's body again made an array grown to twice the export's size and then a copy of it,
    /// some 150 MB at once for 100,000 answers.
    private static func exportFiles(_ body: Operations.ImportSubmissions.Input.Body, in req: Request) throws -> [ExportFile] {
        let data = req.body.data.map { Data(buffer: $0, byteTransferStrategy: .noCopy) } ?? Data()
        switch body {
        case .csv: return [ExportFile(name: "export.csv", data: data)]
        case .applicationZip: return try ExportReading.files(zip: data)
        }
    }

    func listSubmissions(_ input: Operations.ListSubmissions.Input) async throws -> Operations.ListSubmissions.Output {
        let req = try APIRequest.allowed(NeedsAccess.canReadSubmissions)
        let list = try await SubmissionService(db: req.db).submissions(form: try Self.id(input.path.form, notFound: "needs.form"),
                                                                       page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.submission), total: list.total))))
    }

    func submitAnswers(_ input: Operations.SubmitAnswers.Input) async throws -> Operations.SubmitAnswers.Output {
        let req = try APIRequest.allowed(NeedsAccess.canCollect)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let answers = Answers(values: body.answers.additionalProperties.compactMapValues { Self.answerText($0.value) },
                              repeats: (body.repeats?.additionalProperties ?? [:]).mapValues { instances in
                                  instances.map { $0.additionalProperties.compactMapValues { Self.answerText($0.value) } }
                              })
        let (record, created) = try await SubmissionService(db: req.db).submit(
            form: try Self.id(input.path.form, notFound: "needs.form"), answers: answers, instanceKey: body.instanceID,
            source: .api, by: req.actor, language: req.appLocale.rawValue)
        return created ? .created(.init(body: .json(Self.submission(record)))) : .ok(.init(body: .json(Self.submission(record))))
    }

    func linkRespondent(_ input: Operations.LinkRespondent.Input) async throws -> Operations.LinkRespondent.Output {
        let req = try APIRequest.allowed(NeedsAccess.canManageForms)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let service = SubmissionService(db: req.db)
        let submission = try await service.submission(try Self.id(input.path.submission, notFound: "needs.submission"))
        guard submission.formID.uuidString.lowercased() == input.path.form.lowercased() else { throw DomainError.notFound("needs.submission") }
        try await service.linkRespondent(submission.id, person: try Self.id(body.personId, field: "personId"), consentGiven: body.consent,
                                         method: body.consentMethod.flatMap { ConsentMethod(rawValue: $0.rawValue) } ?? .spoken, by: req.actor)
        return .noContent(.init())
    }

    func getFrequencies(_ input: Operations.GetFrequencies.Input) async throws -> Operations.GetFrequencies.Output {
        let req = try APIRequest.allowed(NeedsAccess.canReadForms)
        let f = try await AnalysisService(db: req.db).frequencies(
            form: try Self.id(input.path.form, notFound: "needs.form"), question: input.query.question, weight: input.query.weight,
            language: req.appLocale.rawValue, labels: req.analysisLabels)
        return .ok(.init(body: .json(.init(
            question: f.dimension.name, label: f.dimension.label, respondents: f.respondents,
            categories: f.rows.map {
                .init(value: $0.category.value, label: $0.category.label, count: $0.count, percent: $0.share.percent,
                      ciLow: $0.share.low, ciHigh: $0.share.high, mentionsPercent: $0.mentionsPercent, small: $0.small)
            },
            summary: f.summary.map { .init(count: $0.count, mean: $0.mean, median: $0.median, min: $0.minimum, max: $0.maximum) }))))
    }

    func getCrosstab(_ input: Operations.GetCrosstab.Input) async throws -> Operations.GetCrosstab.Output {
        let req = try APIRequest.allowed(NeedsAccess.canReadForms)
        let tab = try await AnalysisService(db: req.db).crosstab(
            form: try Self.id(input.path.form, notFound: "needs.form"), row: input.query.row, column: input.query.column,
            weight: input.query.weight, language: req.appLocale.rawValue, labels: req.analysisLabels)
        return .ok(.init(body: .json(.init(
            row: tab.row.name, column: tab.column.name,
            rows: tab.row.categories.map { .init(value: $0.value, label: $0.label) },
            columns: tab.column.categories.map { .init(value: $0.value, label: $0.label) },
            counts: tab.cells.map { $0.map(\.count) }, percents: tab.cells.map { $0.map(\.share.percent) },
            ciLow: tab.cells.map { $0.map(\.share.low) }, ciHigh: tab.cells.map { $0.map(\.share.high) },
            columnRespondents: tab.columnRespondents))))
    }

    /// An answer sent as JSON, as Ashar keeps it: numbers as written, a multiple choice's names joined by spaces.
    static func answerText(_ value: (any Sendable)?) -> String? {
        switch value {
        case let text as String: text
        case let number as Int: String(number)
        case let number as Double: number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case let flag as Bool: flag ? "true" : "false"
        case let list as [(any Sendable)?]: list.compactMap(answerText).joined(separator: " ")
        default: nil
        }
    }

    static func submission(_ record: SubmissionRecord) -> Components.Schemas.Submission {
        .init(id: record.id.uuidString, formId: record.formID.uuidString, instanceID: "uuid:" + record.instanceKey,
              source: .init(rawValue: record.source.rawValue) ?? .api, submittedAt: record.submittedAt,
              answers: .init(additionalProperties: record.answers.values),
              repeats: .init(additionalProperties: record.answers.repeats.mapValues { $0.map { .init(additionalProperties: $0) } }),
              respondentLinked: record.personID != nil)
    }
}

extension Request {
    /// The words an analysis needs in the reader's language.
    var analysisLabels: AnalysisService.Labels {
        [Dimension.ageBandName: t("needs.analysis.age-band"), "other": t("needs.analysis.other")]
    }
}
