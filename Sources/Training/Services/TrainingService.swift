import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct SessionDraft: Sendable, Equatable {
    public var organisationID: UUID
    public var topic: TrainingTopic
    public var title: String
    public var heldOn: String
    public var villageID: UUID
    public var trainer: String
    public var partnerID: UUID?
    public var partnerGave: PartnerContribution?
    public var materials: String
    public var headcount: Int

    public init(organisationID: UUID, topic: TrainingTopic, title: String, heldOn: String, villageID: UUID, trainer: String,
                partnerID: UUID? = nil, partnerGave: PartnerContribution? = nil, materials: String = "", headcount: Int = 0) {
        (self.organisationID, self.topic, self.title, self.heldOn, self.villageID) = (organisationID, topic, title, heldOn, villageID)
        (self.trainer, self.partnerID, self.partnerGave, self.materials, self.headcount) = (trainer, partnerID, partnerGave, materials, headcount)
    }
}

public struct SessionRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: SessionDraft
    public let districtID: UUID
    public let attendees: [UUID]

    /// Women who came: those named, and the headcount of those who were not.
    public var women: Int { attendees.count + draft.headcount }
}

public struct ConsultationDraft: Sendable, Equatable {
    public var organisationID: UUID
    public var personID: UUID
    public var topic: TrainingTopic
    public var heldOn: String
    public var advisor: String
    public var summary: String
    public var followUpOn: String?

    public init(organisationID: UUID, personID: UUID, topic: TrainingTopic, heldOn: String, advisor: String, summary: String = "",
                followUpOn: String? = nil) {
        (self.organisationID, self.personID, self.topic, self.heldOn) = (organisationID, personID, topic, heldOn)
        (self.advisor, self.summary, self.followUpOn) = (advisor, summary, followUpOn)
    }
}

public struct ConsultationRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: ConsultationDraft
    public let followedUpOn: String?
    public let followUpNote: String

    public func isFollowUpDue(on today: String) -> Bool {
        followedUpOn == nil && (draft.followUpOn.map { $0 <= today } ?? false)
    }
}

/// The Centre for Entrepreneurship Support's own work: training sessions with their attendance, and
/// consultations with their follow-up.
public struct TrainingService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func create(_ draft: SessionDraft, by actor: Actor) async throws -> SessionRecord {
        var d = draft
        d.title = draft.title.trimmingCharacters(in: .whitespacesAndNewlines)
        d.trainer = draft.trainer.trimmingCharacters(in: .whitespacesAndNewlines)
        d.materials = String(draft.materials.trimmingCharacters(in: .whitespacesAndNewlines).prefix(4_000))
        var errors: [DomainError] = []
        if d.title.isEmpty || d.title.count > 200 { errors.append(DomainError("training.title-required", field: "title")) }
        if BishkekCalendar.start(of: d.heldOn) == nil { errors.append(DomainError("training.date-invalid", field: "held_on", arguments: ["value": d.heldOn])) }
        if d.headcount < 0 || d.headcount > 10_000 { errors.append(DomainError("training.headcount-invalid", field: "headcount")) }
        if d.partnerID != nil && d.partnerGave == nil { d.partnerGave = .premises }
        try ValidationErrors.throwIfAny(errors)
        let checked = d
        return try await db.writeTransaction { tx in
            let d = checked
            guard let org = try await Organisation.find(d.organisationID, on: tx), org.kind == .entrepreneurshipCentre else {
                throw DomainError("training.centre-invalid", field: "organisation_id")
            }
            guard let village = try await Place.find(d.villageID, on: tx), village.level == .village, let district = village.districtID else {
                throw DomainError("training.village-invalid", field: "village_id")
            }
            let row = TrainingSession()
            row.organisationID = d.organisationID
            row.topic = d.topic
            row.title = d.title
            row.heldOn = d.heldOn
            row.villageID = d.villageID
            row.districtID = district
            row.trainer = d.trainer
            row.partnerID = d.partnerID
            row.partnerGave = d.partnerID == nil ? nil : d.partnerGave
            row.materials = d.materials
            row.headcount = d.headcount
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "training_session", entityID: row.id, changes: [
                FieldChange(field: "topic", from: nil, to: d.topic.rawValue), FieldChange(field: "held_on", from: nil, to: d.heldOn),
            ])
            return Self.record(row, attendees: [])
        }
    }

    public func session(_ id: UUID) async throws -> SessionRecord {
        guard let row = try await TrainingSession.find(id, on: db) else { throw DomainError.notFound("training.session") }
        return try await records([row])[0]
    }

    /// Sessions, the latest first; of one topic when asked.
    public func sessions(topic: TrainingTopic? = nil, page: PageQuery) async throws -> Paged<SessionRecord> {
        let query = TrainingSession.query(on: db)
        if let topic { query.filter(\.$topic == topic) }
        let total = try await query.count()
        let rows = try await query.sort(\.$heldOn, .descending).sort(\.$id).range(page.offset..<page.offset + page.per).all()
        return Paged(items: try await records(rows), total: total, request: page)
    }

    /// Sessions held between two days (inclusive), with who came.
    public func sessions(from: String, to: String) async throws -> [SessionRecord] {
        try await records(try await TrainingSession.query(on: db).filter(\.$heldOn >= from).filter(\.$heldOn <= to).all())
    }

    /// The sessions a woman of the registry came to, the latest first.
    public func sessions(attendedBy personID: UUID) async throws -> [SessionRecord] {
        let ids = try await Attendance.query(on: db).filter(\.$personID == personID).all().map(\.sessionID)
        guard !ids.isEmpty else { return [] }
        return try await records(try await TrainingSession.query(on: db).filter(\.$id ~~ ids).sort(\.$heldOn, .descending).all())
    }

    /// Marks a woman of the registry as having come; coming twice is recorded once.
    public func attend(_ sessionID: UUID, person personID: UUID, by actor: Actor) async throws -> SessionRecord {
        try await db.writeTransaction { tx in
            guard let session = try await TrainingSession.find(sessionID, on: tx) else { throw DomainError.notFound("training.session") }
            guard try await Person.find(personID, on: tx) != nil else { throw DomainError("training.person-invalid", field: "person_id") }
            if try await Attendance.query(on: tx).filter(\.$sessionID == sessionID).filter(\.$personID == personID).first() == nil {
                let row = Attendance()
                row.sessionID = sessionID
                row.personID = personID
                try await row.create(on: tx)
                try await NetworkReach.record(personID, on: session.heldOn, db: tx)
                try await AuditLog.record(on: tx, actor: actor, action: "attend", entity: "training_session", entityID: sessionID,
                                          changes: [FieldChange(field: "person_id", from: nil, to: personID.uuidString)])
            }
            return try await TrainingService(db: tx).session(sessionID)
        }
    }

    /// Women trained, by topic and district, for sessions held between two days (inclusive).
    public func womenTrained(from: String, to: String) async throws -> [TrainedCount.Key: Int] {
        TrainedCount.count(try await attendance(from: from, to: to))
    }

    /// The women at sessions held `from`–`to` (days, inclusive) and the sessions' headcounts, for `TrainedCount`.
    public func attendance(from: String, to: String) async throws -> [TrainedCount.Attendance] {
        let sessions = try await TrainingSession.query(on: db).filter(\.$heldOn >= from).filter(\.$heldOn <= to).all()
        let byID = Dictionary(uniqueKeysWithValues: sessions.map { ($0.id!, $0) })
        let attendance = byID.isEmpty ? [] : try await Attendance.query(on: db).filter(\.$sessionID ~~ Array(byID.keys)).all()
        let women = Set(try await Person.query(on: db).filter(\.$id ~~ Array(Set(attendance.map(\.personID)))).filter(\.$sex == .female).all().map(\.id!))
        return attendance.filter { women.contains($0.personID) }.compactMap { a in
            byID[a.sessionID].map { TrainedCount.Attendance(heldOn: $0.heldOn, topic: $0.topic, districtID: $0.districtID, personID: a.personID) }
        } + sessions.map { TrainedCount.Attendance(heldOn: $0.heldOn, topic: $0.topic, districtID: $0.districtID, personID: nil, headcount: $0.headcount) }
    }

    func records(_ rows: [TrainingSession]) async throws -> [SessionRecord] {
        let ids = rows.map { $0.id! }
        let attendance = ids.isEmpty ? [] : try await Attendance.query(on: db).filter(\.$sessionID ~~ ids).all()
        return rows.map { row in Self.record(row, attendees: attendance.filter { $0.sessionID == row.id }.map(\.personID)) }
    }

    static func record(_ r: TrainingSession, attendees: [UUID]) -> SessionRecord {
        SessionRecord(id: r.id!, draft: SessionDraft(organisationID: r.organisationID, topic: r.topic, title: r.title, heldOn: r.heldOn,
                                                    villageID: r.villageID, trainer: r.trainer, partnerID: r.partnerID, partnerGave: r.partnerGave,
                                                    materials: r.materials, headcount: r.headcount),
                      districtID: r.districtID, attendees: attendees)
    }

    // MARK: - Consultations

    public func consult(_ draft: ConsultationDraft, by actor: Actor) async throws -> ConsultationRecord {
        var errors: [DomainError] = []
        if BishkekCalendar.start(of: draft.heldOn) == nil { errors.append(DomainError("training.date-invalid", field: "held_on", arguments: ["value": draft.heldOn])) }
        if let day = draft.followUpOn {
            if BishkekCalendar.start(of: day) == nil {
                errors.append(DomainError("training.date-invalid", field: "follow_up_on", arguments: ["value": day]))
            } else if day < draft.heldOn {
                errors.append(DomainError("training.follow-up-early", field: "follow_up_on"))
            }
        }
        try ValidationErrors.throwIfAny(errors)
        return try await db.writeTransaction { tx in
            guard let org = try await Organisation.find(draft.organisationID, on: tx), org.kind == .entrepreneurshipCentre else {
                throw DomainError("training.centre-invalid", field: "organisation_id")
            }
            guard try await Person.find(draft.personID, on: tx) != nil else { throw DomainError("training.person-invalid", field: "person_id") }
            let row = Consultation()
            row.organisationID = draft.organisationID
            row.personID = draft.personID
            row.topic = draft.topic
            row.heldOn = draft.heldOn
            row.advisor = String(draft.advisor.trimmingCharacters(in: .whitespacesAndNewlines).prefix(200))
            row.summary = String(draft.summary.trimmingCharacters(in: .whitespacesAndNewlines).prefix(4_000))
            row.followUpOn = draft.followUpOn
            row.followUpNote = ""
            try await row.create(on: tx)
            try await NetworkReach.record(draft.personID, on: draft.heldOn, db: tx)
            try await AuditLog.record(on: tx, actor: actor.acting(for: draft.personID), action: "create", entity: "consultation", entityID: row.id,
                                      changes: [FieldChange(field: "topic", from: nil, to: draft.topic.rawValue)])
            return Self.record(row)
        }
    }

    /// Records that the follow-up took place, with what came of it.
    public func followUp(_ id: UUID, on day: String, note: String, by actor: Actor) async throws -> ConsultationRecord {
        guard BishkekCalendar.start(of: day) != nil else { throw DomainError("training.date-invalid", field: "followed_up_on", arguments: ["value": day]) }
        return try await db.writeTransaction { tx in
            guard let row = try await Consultation.find(id, on: tx) else { throw DomainError.notFound("training.consultation") }
            row.followedUpOn = day
            row.followUpNote = String(note.trimmingCharacters(in: .whitespacesAndNewlines).prefix(4_000))
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor.acting(for: row.personID), action: "follow-up", entity: "consultation", entityID: id,
                                      changes: [FieldChange(field: "followed_up_on", from: nil, to: day)])
            return Self.record(row)
        }
    }

    /// Consultations, the latest first.
    public func consultations(page: PageQuery) async throws -> Paged<ConsultationRecord> {
        let total = try await Consultation.query(on: db).count()
        let rows = try await Consultation.query(on: db).sort(\.$heldOn, .descending).sort(\.$id).range(page.offset..<page.offset + page.per).all()
        return Paged(items: rows.map(Self.record), total: total, request: page)
    }

    /// The consultations one woman was given, the latest first.
    public func consultations(of personID: UUID) async throws -> [ConsultationRecord] {
        try await Consultation.query(on: db).filter(\.$personID == personID).sort(\.$heldOn, .descending).all().map(Self.record)
    }

    /// Consultations given between two days (inclusive).
    public func consultations(from: String, to: String) async throws -> [ConsultationRecord] {
        try await Consultation.query(on: db).filter(\.$heldOn >= from).filter(\.$heldOn <= to).all().map(Self.record)
    }

    /// Follow-ups due by today and not yet done, the oldest first.
    public func followUpsDue(today: String = BishkekCalendar.day(of: Date())) async throws -> [ConsultationRecord] {
        try await Consultation.query(on: db).filter(\.$followedUpOn == nil).filter(\.$followUpOn <= today).sort(\.$followUpOn).all().map(Self.record)
    }

    static func record(_ r: Consultation) -> ConsultationRecord {
        ConsultationRecord(id: r.id!, draft: ConsultationDraft(organisationID: r.organisationID, personID: r.personID, topic: r.topic, heldOn: r.heldOn,
                                                              advisor: r.advisor, summary: r.summary, followUpOn: r.followUpOn),
                           followedUpOn: r.followedUpOn, followUpNote: r.followUpNote)
    }
}
