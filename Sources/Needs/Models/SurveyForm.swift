import AsharNetwork
import FluentKit
import Foundation

/// A survey form as imported, one row per version: its definition kept whole (JSON), so submissions are
/// always read against the questions they answered.
final class SurveyForm: Model, @unchecked Sendable {
    static let schema = "needs_forms"

    @ID(key: .id) var id: UUID?
    @Field(key: "form_key") var formKey: String
    @Field(key: "version") var version: String
    @Field(key: "title") var title: String
    @Field(key: "question_count") var questionCount: Int
    @Field(key: "definition") var definition: String
    @Field(key: "imported_by_login") var importedByLogin: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
