import AsharNetwork
import Fluent
import Foundation
import Kernel
import Needs
import OpenAPIRuntime
import Vapor

/// The Needs context: survey forms (XLSForm).
extension AsharAPI {
    /// A form file is a few hundred kB; this is far above any real one.
    static let largestFormFile = 10 * 1024 * 1024

    func listForms(_ input: Operations.ListForms.Input) async throws -> Operations.ListForms.Output {
        let req = try Self.forms(NeedsAccess.canReadForms)
        let list = try await FormService(db: req.db).forms(page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(Schemas.FormList(items: list.items.map(Self.formCreated), total: list.total))))
    }

    func importForm(_ input: Operations.ImportForm.Input) async throws -> Operations.ImportForm.Output {
        let req = try Self.forms(NeedsAccess.canManageForms)
        let (body, kind): (HTTPBody, FormFileKind) = switch input.body {
        case .applicationVnd_openxmlformatsOfficedocument_spreadsheetml_sheet(let body): (body, .xlsx)
        case .csv(let body): (body, .csv)
        }
        let data = try await Data(collecting: body, upTo: Self.largestFormFile)
        let form = try await FormService(db: req.db).importForm(data, kind: kind, by: req.actor)
        return .created(.init(body: .json(Self.formCreated(form))))
    }

    func getForm(_ input: Operations.GetForm.Input) async throws -> Operations.GetForm.Output {
        let req = try Self.forms(NeedsAccess.canReadForms)
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

    /// The request, if its user may do this with forms.
    static func forms(_ allowed: ([Grant]) -> Bool) throws -> Request {
        let req = try APIRequest.get()
        guard let user = req.currentUser else { throw Abort(.unauthorized) }
        guard allowed(user.grants.map(\.grant)) else { throw Abort(.forbidden) }
        return req
    }

    static func formCreated(_ form: FormRecord) -> Schemas.FormCreated {
        Schemas.FormCreated(id: form.id.uuidString, formId: form.definition.formID, version: form.definition.version,
                            questionCount: form.definition.questionCount)
    }
}
