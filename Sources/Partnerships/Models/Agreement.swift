import AsharNetwork
import FluentKit
import Foundation

/// A framework agreement between two or more parties: the types of cooperation (space-separated
/// words), its rules, when it was signed, how long it holds, when it is reviewed, and its scanned copy
/// (a PDF in the data directory, named by the agreement's id).
final class Agreement: Model, @unchecked Sendable {
    static let schema = "partnerships_agreements"

    @ID(key: .id) var id: UUID?
    @Field(key: "title") var title: String
    @Field(key: "cooperation") var cooperation: String
    @Field(key: "rules") var rules: String
    @Enum(key: "status") var status: AgreementStatus
    @OptionalField(key: "signed_on") var signedOn: String?
    @OptionalField(key: "valid_from") var validFrom: String?
    @OptionalField(key: "valid_until") var validUntil: String?
    @OptionalField(key: "review_on") var reviewOn: String?
    @OptionalField(key: "scan_name") var scanName: String?
    @OptionalField(key: "scan_bytes") var scanBytes: Int?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) var updatedAt: Date?

    init() {}
}

/// A party to an agreement, and the day it signed.
final class AgreementParty: Model, @unchecked Sendable {
    static let schema = "partnerships_agreement_parties"

    @ID(key: .id) var id: UUID?
    @Field(key: "agreement_id") var agreementID: UUID
    @Field(key: "stakeholder_id") var stakeholderID: UUID
    @OptionalField(key: "signed_on") var signedOn: String?

    init() {}
}

/// What one party owes under an agreement: by a date or again and again, its status and the evidence.
final class Obligation: Model, @unchecked Sendable {
    static let schema = "partnerships_obligations"

    @ID(key: .id) var id: UUID?
    @Field(key: "agreement_id") var agreementID: UUID
    @Field(key: "stakeholder_id") var stakeholderID: UUID
    @Field(key: "what") var what: String
    @OptionalField(key: "due_on") var dueOn: String?
    @Enum(key: "recurrence") var recurrence: Recurrence
    @Enum(key: "status") var status: ObligationStatus
    @Field(key: "evidence") var evidence: String
    @OptionalField(key: "last_done_on") var lastDoneOn: String?

    init() {}
}

/// A service a partner delivers in a district under an agreement: the directory referrals will use.
final class DeliveredService: Model, @unchecked Sendable {
    static let schema = "partnerships_services"

    @ID(key: .id) var id: UUID?
    @Field(key: "agreement_id") var agreementID: UUID
    @Field(key: "stakeholder_id") var stakeholderID: UUID
    @Enum(key: "service") var service: ServiceKind
    @Field(key: "district_id") var districtID: UUID

    init() {}
}
