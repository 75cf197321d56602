import AsharNetwork
import FluentKit
import Foundation

/// One answer to one need of a survey form: the need (a choice of the form's needs question) is
/// answered by the reference (`ServiceReference.code`).
final class NeedService: Model, @unchecked Sendable {
    static let schema = "partnerships_need_services"

    @ID(key: .id) var id: UUID?
    @Field(key: "form_key") var formKey: String
    @Field(key: "need") var need: String
    @Field(key: "reference") var reference: String

    init() {}

    init(formKey: String, need: String, reference: ServiceReference) {
        self.formKey = formKey
        self.need = need
        self.reference = reference.code
    }
}
