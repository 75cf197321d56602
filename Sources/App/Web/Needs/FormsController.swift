import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import Vapor

/// Survey forms on the web: the list, importing an XLSForm (problems listed by sheet and row), and a
/// form's questions in the reader's language.
struct FormsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("forms", use: list)
        routes.on(.POST, "forms", body: .collect(maxSize: "10mb"), use: upload)
        routes.get("forms", "baseline-needs-survey.csv", use: baseline)
        routes.get("forms", ":form", use: show)
    }

    /// The baseline survey as a file to open in a spreadsheet, change, and import as a new version.
    @Sendable func baseline(req: Request) async throws -> Response {
        _ = try req.grants(NeedsAccess.canReadForms)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.contentDisposition = .init(.attachment, filename: "baseline-needs-survey.csv")
        return Response(status: .ok, headers: headers, body: .init(data: try FormService.baseline))
    }

    struct FormRow: Encodable {
        let id: UUID
        let title: String
        let formID: String
        let version: String
        let questions: String
        let imported: String
    }

    struct ListPage: Encodable {
        let forms: [FormRow]
        let pager: Pager
        let canImport: Bool
        let problems: [String]
        let refused: String?
    }

    @Sendable func list(req: Request) async throws -> Response {
        try await renderList(req)
    }

    func renderList(_ req: Request, refusal: FormRefused? = nil, message: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(NeedsAccess.canReadForms)
        let page = PageQuery(page: req.query["page"], per: 50)
        let forms = try await FormService(db: req.db).forms(page: page)
        return try await req.render("forms/list", title: req.t("forms.title"), ListPage(
            forms: forms.items.map { form in
                FormRow(id: form.id, title: FormDefinition.text(form.definition.title, req.appLocale.rawValue, default: form.definition.defaultLanguage) ?? form.definition.formID,
                        formID: form.definition.formID, version: form.definition.version,
                        questions: req.catalogue.plural("forms.questions", count: form.definition.questionCount),
                        imported: form.importedAt.map(BishkekTime.format) ?? "")
            },
            pager: Pager(page: forms.request.page, pageCount: forms.pageCount, total: forms.total), canImport: NeedsAccess.canManageForms(grants),
            problems: (refusal?.problems ?? []).map { problem in
                let place = problem.sheet.isEmpty ? "" : req.t("forms.problem-place", ["sheet": problem.sheet, "row": String(problem.row)]) + ": "
                return place + req.t(problem.error.key, problem.error.arguments)
            },
            refused: message ?? refusal.map { req.catalogue.plural("error.needs.form.invalid", count: $0.problems.count) }), status: status)
    }

    struct Upload: Content {
        var file: File?
    }

    @Sendable func upload(req: Request) async throws -> Response {
        guard NeedsAccess.canManageForms(try req.grants(NeedsAccess.canReadForms)) else { throw Abort(.forbidden) }
        let upload = try req.content.decode(Upload.self)
        guard let file = upload.file, file.data.readableBytes > 0 else {
            return try await renderList(req, refusal: FormRefused(problems: [FormProblem(sheet: "", row: 0, "file-unreadable")]),
                                        status: .unprocessableEntity)
        }
        let data = Data(file.data.readableBytesView)
        // A spreadsheet is a ZIP archive: it starts with "PK".
        let kind: FormFileKind = data.starts(with: [0x50, 0x4B]) ? .xlsx : .csv
        do {
            let form = try await FormService(db: req.db).importForm(data, kind: kind, by: req.actor)
            return req.redirect(to: "/forms/\(form.id)")
        } catch let refused as FormRefused {
            return try await renderList(req, refusal: refused, status: .unprocessableEntity)
        } catch let error as DomainError where error.kind == .conflict {
            return try await renderList(req, message: req.t(error.key, error.arguments), status: .conflict)
        }
    }

    struct QuestionRow: Encodable {
        let name: String
        let type: String
        let label: String
        let section: String?
        let required: Bool
        let choices: String
        let conditional: Bool
    }

    struct FormPage: Encodable {
        let id: UUID
        let title: String
        let formID: String
        let version: String
        let questions: [QuestionRow]
        let count: String
        let submissions: String
        let canCollect: Bool
        let canImport: Bool
        let canReadSubmissions: Bool
        let imported: String?
        let refused: String?
        let importProblems: [String]
    }

    @Sendable func show(req: Request) async throws -> Response {
        try await renderShow(req, formID: try req.pathID("form"))
    }

    /// The form's page: its questions, how many submissions it has, and for coordinators the import of an
    /// export with its outcome (how many stored, or every problem by file and line).
    func renderShow(_ req: Request, formID: UUID, imported: String? = nil, importProblems: [String] = [], refused: String? = nil,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let grants = try req.grants(NeedsAccess.canReadForms)
        let form = try await FormService(db: req.db).form(formID)
        let d = form.definition
        var previousSection: [String]?
        let rows: [QuestionRow] = d.questions.compactMap { q in
            guard q.kind != .endGroup, q.kind != .endRepeat, q.kind != .beginGroup, q.kind != .beginRepeat else { return nil }
            // A group's or repeat's title above its first question; after the last, a break before the rest.
            let section: String? = q.path == (previousSection ?? []) ? nil
                : q.path.isEmpty ? req.t("forms.outside-groups")
                : q.path.map { name in d.questions.first { $0.name == name }.flatMap { FormDefinition.text($0.label, req.appLocale.rawValue, default: d.defaultLanguage) } ?? name }.joined(separator: " › ")
            previousSection = q.path
            let choices = q.choiceList.flatMap { d.choices[$0] }?.map { FormDefinition.text($0.label, req.appLocale.rawValue, default: d.defaultLanguage) ?? $0.name }.joined(separator: " · ") ?? ""
            return QuestionRow(name: q.name, type: req.t("forms.type.\(q.kind.rawValue)") + (q.orOther ? " + " + req.t("forms.or-other") : ""),
                               label: FormDefinition.text(q.label, req.appLocale.rawValue, default: d.defaultLanguage) ?? "", section: section, required: q.required, choices: choices,
                               conditional: q.relevant != nil)
        }
        let submitted = try await SubmissionService(db: req.db).count(form: form.id)
        return try await req.render("forms/show", title: req.t("forms.title"), FormPage(
            id: form.id, title: FormDefinition.text(d.title, req.appLocale.rawValue, default: d.defaultLanguage) ?? d.formID, formID: d.formID, version: d.version, questions: rows,
            count: req.catalogue.plural("forms.questions", count: d.questionCount),
            submissions: req.catalogue.plural("survey.submission-count", count: submitted),
            canCollect: NeedsAccess.canCollect(grants), canImport: NeedsAccess.canManageForms(grants),
            canReadSubmissions: NeedsAccess.canReadSubmissions(grants), imported: imported, refused: refused, importProblems: importProblems), status: status)
    }
}
