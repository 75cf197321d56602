import AsharNetwork
import FluentKit
import Foundation

/// A specialised service in the directory: who gives it, what it is, where, in which languages.
/// `partnerServiceID` marks one that came from a partner's agreement (kept in step with it).
final class HelpService: Model, @unchecked Sendable {
    static let schema = "referrals_services"

    @ID(key: .id) var id: UUID?
    @OptionalField(key: "organisation_id") var organisationID: UUID?
    @Field(key: "provider") var provider: String
    @Enum(key: "kind") var kind: HelpServiceKind
    /// Space-separated district ids.
    @Field(key: "districts") var districts: String
    /// Space-separated language codes.
    @Field(key: "languages") var languages: String
    @Field(key: "woman_staff") var womanStaff: Bool
    @Field(key: "hours") var hours: String
    @Field(key: "contact") var contact: String
    @OptionalField(key: "capacity") var capacity: Int?
    @Field(key: "active") var active: Bool
    @OptionalField(key: "partner_service_id") var partnerServiceID: UUID?
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A woman's request for help, held by one help centre. Her name is not here: an alias, and a link to
/// the people registry only with her consent. Preferences and notes are sealed (`NoteCipher`).
final class HelpCase: Model, @unchecked Sendable {
    static let schema = "referrals_cases"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @OptionalField(key: "requested_by_organisation_id") var requestedByOrganisationID: UUID?
    @Field(key: "alias") var alias: String
    @OptionalField(key: "person_id") var personID: UUID?
    /// Space-separated situation codes.
    @Field(key: "situations") var situations: String
    @Enum(key: "risk_level") var riskLevel: RiskLevel
    @OptionalField(key: "village_id") var villageID: UUID?
    @OptionalField(key: "district_id") var districtID: UUID?
    @OptionalField(key: "preferences_sealed") var preferencesSealed: String?
    @OptionalField(key: "notes_sealed") var notesSealed: String?
    @Enum(key: "status") var status: CaseStatus
    @Field(key: "opened_at") var openedAt: Date
    @OptionalField(key: "received_at") var receivedAt: Date?
    @OptionalField(key: "first_contact_at") var firstContactAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "anonymised_at") var anonymisedAt: Date?
    @Field(key: "opened_by_login") var openedByLogin: String

    init() {}
}

/// Her consent to share: what, with which organisation, for what, how she gave it, until when.
final class CaseConsent: Model, @unchecked Sendable {
    static let schema = "referrals_consents"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @OptionalField(key: "recipient_organisation_id") var recipientOrganisationID: UUID?
    /// Space-separated scopes.
    @Field(key: "scope") var scope: String
    @Field(key: "purpose") var purpose: String
    @Enum(key: "given_how") var givenHow: ConsentGiven
    @Field(key: "given_at") var givenAt: Date
    @OptionalField(key: "expires_on") var expiresOn: String?
    @OptionalField(key: "withdrawn_at") var withdrawnAt: Date?
    @Field(key: "recorded_by_login") var recordedByLogin: String

    init() {}
}

/// A case sent to a service: under a consent, or (a supervisor, in an emergency) with a written reason.
final class Referral: Model, @unchecked Sendable {
    static let schema = "referrals_referrals"

    @ID(key: .id) var id: UUID?
    @Field(key: "case_id") var caseID: UUID
    @Field(key: "service_id") var serviceID: UUID
    @Field(key: "from_organisation_id") var fromOrganisationID: UUID
    @OptionalField(key: "to_organisation_id") var toOrganisationID: UUID?
    @OptionalField(key: "consent_id") var consentID: UUID?
    @OptionalField(key: "override_reason") var overrideReason: String?
    @Enum(key: "status") var status: ReferralStatus
    @OptionalField(key: "reason") var reason: String?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "follow_up_on") var followUpOn: String?
    @Field(key: "sent_at") var sentAt: Date
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "closed_at") var closedAt: Date?

    init() {}
}
