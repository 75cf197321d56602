import AsharNetwork
import FluentKit
import Foundation

/// A training session the Centre gave: topic, day, village, trainer, the partner who gave premises or
/// experts, the materials, and a headcount of women whose names were not kept.
final class TrainingSession: Model, @unchecked Sendable {
    static let schema = "training_sessions"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Enum(key: "topic") var topic: TrainingTopic
    @Field(key: "title") var title: String
    @Field(key: "held_on") var heldOn: String
    @Field(key: "village_id") var villageID: UUID
    @Field(key: "district_id") var districtID: UUID
    @Field(key: "trainer") var trainer: String
    /// A stakeholder of the partnership map, by id.
    @OptionalField(key: "partner_id") var partnerID: UUID?
    @OptionalEnum(key: "partner_gave") var partnerGave: PartnerContribution?
    @Field(key: "materials") var materials: String
    @Field(key: "headcount") var headcount: Int
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}

/// A woman of the people registry who came to a session.
final class Attendance: Model, @unchecked Sendable {
    static let schema = "training_attendance"

    @ID(key: .id) var id: UUID?
    @Field(key: "session_id") var sessionID: UUID
    @Field(key: "person_id") var personID: UUID

    init() {}
}

/// A consultation given to one woman, and its follow-up.
final class Consultation: Model, @unchecked Sendable {
    static let schema = "training_consultations"

    @ID(key: .id) var id: UUID?
    @Field(key: "organisation_id") var organisationID: UUID
    @Field(key: "person_id") var personID: UUID
    @Enum(key: "topic") var topic: TrainingTopic
    @Field(key: "held_on") var heldOn: String
    @Field(key: "advisor") var advisor: String
    @Field(key: "summary") var summary: String
    @OptionalField(key: "follow_up_on") var followUpOn: String?
    @OptionalField(key: "followed_up_on") var followedUpOn: String?
    @Field(key: "follow_up_note") var followUpNote: String
    @Timestamp(key: "created_at", on: .create) var createdAt: Date?

    init() {}
}
