import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import NIOFoundationCompat
import Vapor

/// Filling a form on a phone. The page works as a plain form: the server checks every rule and shows
/// each problem beside its question. Its script (`survey.js`) hides questions that are not relevant
/// as the enumerator answers, and keeps a draft on the phone so a lost connection loses nothing; the
/// instance id in the page makes sending twice store once.
struct SurveyEntryController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("forms", ":form", "fill", use: page)
        routes.post("forms", ":form", "fill", use: submit)
        routes.post("forms", ":form", "imports", use: importExport)
    }

    struct Option: Encodable {
        let value: String
        let label: String
        let checked: Bool
    }

    /// One row of the page: a question, or the start or end of a group or of a repeat's instance.
    struct Field: Encodable {
        let kind: String
        let name: String
        let label: String
        let hint: String
        let required: Bool
        let relevant: String?
        let calculation: String?
        let value: String
        let options: [Option]
        let otherName: String?
        let otherValue: String
        let error: String?

        init(kind: String, name: String, label: String = "", hint: String = "", required: Bool = false, relevant: String? = nil,
             calculation: String? = nil, value: String = "", options: [Option] = [], otherName: String? = nil, otherValue: String = "",
             error: String? = nil) {
            (self.kind, self.name, self.label, self.hint, self.required, self.relevant) = (kind, name, label, hint, required, relevant)
            (self.calculation, self.value, self.options, self.otherName, self.otherValue, self.error) = (calculation, value, options, otherName, otherValue, error)
        }
    }

    struct Page: Encodable {
        let formID: UUID
        let title: String
        let instance: String
        let fields: [Field]
        let repeats: [RepeatTemplate]
        let errorCount: String?
        let saved: String?
        let savedInstance: String?
    }

    /// A repeat's questions once more, blank, for the script's "add another".
    struct RepeatTemplate: Encodable {
        let name: String
        let fields: [Field]
    }

    @Sendable func page(req: Request) async throws -> Response {
        _ = try req.grants(NeedsAccess.canCollect)
        let form = try await FormService(db: req.db).form(try req.pathID("form"))
        let saved: String? = req.query["saved"]
        return try await render(req, form, given: Answers(), instance: UUID().uuidString.lowercased(), errors: [:],
                                saved: saved.map { _ in req.t("survey.saved") }, savedInstance: saved)
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let grants = try req.grants(NeedsAccess.canReadForms)
        guard NeedsAccess.canCollect(grants) else { throw Abort(.forbidden) }
        let form = try await FormService(db: req.db).form(try req.pathID("form"))
        let fields = Self.fields(of: req)
        let given = Self.answers(fields, form.definition)
        let instance = fields["instance"]?.first.flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        do {
            // Stored once per instance id: an interview the offline queue sends twice is one submission.
            _ = try await SubmissionService(db: req.db).submit(form: form.id, answers: given, instanceKey: instance, source: .web,
                                                              by: req.actor, language: req.appLocale.rawValue)
            if req.isQueued { return try await QueuedAnswer.saved(req.t("survey.saved")).response(for: req) }
            return req.redirect(to: "/forms/\(form.id)/fill?saved=\(instance)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            if req.isQueued { return try await QueuedAnswer.refused(errors).response(for: req) }
            return try await render(req, form, given: given, instance: instance, errors: errors, saved: nil, savedInstance: nil,
                                    status: .unprocessableEntity)
        }
    }

    func render(_ req: Request, _ form: FormRecord, given: Answers, instance: String, errors: FieldErrors, saved: String?,
                savedInstance: String?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let d = form.definition
        let language = req.appLocale.rawValue
        let outside = d.questions.filter { d.repeatName(of: $0) == nil }
        var rows: [Field] = []
        var templates: [RepeatTemplate] = []
        for question in outside {
            switch question.kind {
            case .beginRepeat:
                let inside = d.questions.filter { d.repeatName(of: $0) == question.name }
                let instances = max(1, given.repeats[question.name]?.count ?? 0)
                rows.append(Self.edge("repeat", question, d, language))
                for index in 1...instances {
                    rows.append(Self.instanceStart(question.name, index))
                    rows += inside.compactMap { Self.field($0, d, language, prefix: "r.\(question.name).\(index).",
                                                          given: given.repeats[question.name].flatMap { $0.indices.contains(index - 1) ? $0[index - 1] : nil } ?? [:],
                                                          errors: errors, errorPrefix: "\(question.name)[\(index)].") }
                    rows.append(Self.instanceEnd())
                }
                templates.append(RepeatTemplate(name: question.name, fields: inside.compactMap {
                    Self.field($0, d, language, prefix: "r.\(question.name).__n__.", given: [:], errors: [:], errorPrefix: "")
                }))
            case .endRepeat:
                rows.append(Field(kind: "repeat-end", name: question.name, label: req.t("survey.add-another")))
            default:
                if let field = Self.field(question, d, language, prefix: "a.", given: given.values, errors: errors, errorPrefix: "") { rows.append(field) }
            }
        }
        let problems = errors.count
        return try await req.render("forms/fill", title: req.t("survey.fill"), Page(
            formID: form.id, title: FormDefinition.text(d.title, language, default: d.defaultLanguage) ?? d.formID, instance: instance,
            fields: rows, repeats: templates,
            errorCount: problems > 0 ? req.catalogue.plural("survey.problems", count: problems) : nil,
            saved: saved, savedInstance: savedInstance), status: status)
    }

    static func edge(_ kind: String, _ q: FormDefinition.Question, _ d: FormDefinition, _ language: String) -> Field {
        Field(kind: kind + "-start", name: q.name, label: d.label(of: q, language), relevant: json(q.relevant))
    }

    static func instanceStart(_ repeatName: String, _ index: Int) -> Field {
        Field(kind: "instance-start", name: repeatName, label: String(index), value: String(index))
    }

    static func instanceEnd() -> Field { Field(kind: "instance-end", name: "") }

    /// A question as the page shows it, with what was typed and its problem.
    static func field(_ q: FormDefinition.Question, _ d: FormDefinition, _ language: String, prefix: String, given: [String: String],
                      errors: FieldErrors, errorPrefix: String) -> Field? {
        let kind: String
        switch q.kind {
        case .beginGroup: return edge("group", q, d, language)
        case .endGroup: return Field(kind: "group-end", name: q.name)
        case .beginRepeat, .endRepeat: return nil
        case .selectOne: kind = "one"
        case .selectMultiple: kind = "many"
        default: kind = q.kind.rawValue
        }
        let value = given[q.name] ?? ""
        let picked = Set(value.split(separator: " ").map(String.init))
        let options = ((d.choices[q.choiceList ?? ""] ?? []).map { ($0.name, d.label(of: $0, language)) } + (q.orOther ? [("other", "…")] : []))
            .map { Option(value: $0.0, label: $0.1, checked: picked.contains($0.0)) }
        return Field(kind: kind, name: prefix + q.name, label: d.label(of: q, language),
                     hint: FormDefinition.text(q.hint, language, default: d.defaultLanguage) ?? "", required: q.required,
                     relevant: json(q.relevant), calculation: json(q.calculation), value: value, options: options,
                     otherName: q.orOther ? prefix + q.name + "_other" : nil, otherValue: given[q.name + "_other"] ?? "",
                     error: errors[errorPrefix + q.name])
    }

    /// An expression for the page's script, as its JSON.
    static func json(_ expression: FormExpression?) -> String? {
        expression.flatMap { try? JSONEncoder().encode($0) }.map { String(decoding: $0, as: UTF8.self) }
    }

    /// The form's fields by name; checkboxes send one name several times.
    static func fields(of req: Request) -> [String: [String]] {
        guard let body = req.body.string else { return [:] }
        var components = URLComponents()
        components.percentEncodedQuery = body.replacingOccurrences(of: "+", with: "%20")
        var fields: [String: [String]] = [:]
        for item in components.queryItems ?? [] { fields[item.name, default: []].append(item.value ?? "") }
        return fields
    }

    /// `a.<question>` and `r.<repeat>.<n>.<question>` fields as answers; a repeat's blank instances dropped.
    static func answers(_ fields: [String: [String]], _ form: FormDefinition) -> Answers {
        var answers = Answers()
        var instances: [String: [Int: [String: String]]] = [:]
        for (name, values) in fields {
            let value = values.filter { !$0.isEmpty }.joined(separator: " ")
            guard !value.trimmingCharacters(in: .whitespaces).isEmpty else { continue }
            if name.hasPrefix("a.") {
                answers.values[String(name.dropFirst(2))] = value
            } else if name.hasPrefix("r.") {
                let parts = name.dropFirst(2).split(separator: ".", maxSplits: 2).map(String.init)
                guard parts.count == 3, let index = Int(parts[1]) else { continue }
                instances[parts[0], default: [:]][index, default: [:]][parts[2]] = value
            }
        }
        for (name, byIndex) in instances {
            answers.repeats[name] = byIndex.keys.sorted().map { byIndex[$0]! }
        }
        return answers
    }

    // MARK: Imports

    @Sendable func importExport(req: Request) async throws -> Response {
        guard NeedsAccess.canManageForms(try req.grants(NeedsAccess.canReadForms)) else { throw Abort(.forbidden) }
        let formID = try req.pathID("form")
        struct Upload: Content {
            var source: String?
            var files: [File]?
        }
        let upload = try req.content.decode(Upload.self)
        let result: String
        do {
            guard let source = upload.source.flatMap(ExportSource.init(rawValue:)) else { throw DomainError("needs.import.source-invalid", field: "source") }
            let uploaded = (upload.files ?? []).filter { $0.data.readableBytes > 0 }
            guard !uploaded.isEmpty else { throw DomainError("needs.import.file-missing", field: "files") }
            var files: [ExportFile] = []
            for file in uploaded {
                let data = Data(buffer: file.data, byteTransferStrategy: .noCopy)
                // A zip starts with "PK": ODK Central's export with its repeats.
                files += data.starts(with: [0x50, 0x4B]) ? try ExportReading.files(zip: data) : [ExportFile(name: file.filename, data: data)]
            }
            let done = try await SubmissionService(db: req.db).importExport(form: formID, files: files, source: source, by: req.actor)
            if done.imported > 0 { req.application.countNeedsForTheDashboard() }
            result = req.catalogue.plural("survey.imported", count: done.imported) + " " + req.catalogue.plural("survey.duplicates", count: done.duplicates)
            return try await FormsController().renderShow(req, formID: formID, imported: result)
        } catch let failed as ImportFailed {
            let lines = failed.problems.prefix(100).flatMap { problem in
                problem.errors.map { error in
                    req.t("survey.problem-place", ["file": problem.file ?? "", "line": String(problem.line)]) + ": " + req.t(error.key, error.arguments)
                }
            }
            return try await FormsController().renderShow(req, formID: formID, importProblems: lines,
                                                          refused: req.catalogue.plural("survey.import-refused", count: failed.problems.count),
                                                          status: .unprocessableEntity)
        } catch let error as DomainError where error.kind == .invalid {
            return try await FormsController().renderShow(req, formID: formID, importProblems: [], refused: req.t(error.key, error.arguments),
                                                          status: .unprocessableEntity)
        }
    }
}
