import AsharNetwork
import Fluent
import Foundation
import Kernel
import OpenAPIRuntime
import Training
import Vapor

/// The Centres' trainings and consultations as JSON: for their staff (coordinators) and admins, as the pages.
extension AsharAPI {
    func listTrainingSessions(_ input: Operations.ListTrainingSessions.Input) async throws -> Operations.ListTrainingSessions.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        let list = try await TrainingService(db: req.db).sessions(topic: input.query.topic.flatMap { TrainingTopic(rawValue: $0.rawValue) },
                                                                  page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.session), total: list.total))))
    }

    func createTrainingSession(_ input: Operations.CreateTrainingSession.Input) async throws -> Operations.CreateTrainingSession.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        guard case .json(let b) = input.body else { throw Abort(.unsupportedMediaType) }
        let draft = SessionDraft(
            organisationID: try Self.id(b.organisationId, field: "organisationId"), topic: TrainingTopic(rawValue: b.topic.rawValue)!, title: b.title,
            heldOn: b.heldOn, villageID: try Self.id(b.villageId, field: "villageId"), trainer: b.trainer,
            partnerID: try b.partnerId.map { try Self.id($0, field: "partnerId") }, partnerGave: b.partnerGave.flatMap { PartnerContribution(rawValue: $0.rawValue) },
            materials: b.materials ?? "", headcount: b.headcount ?? 0)
        return .created(.init(body: .json(Self.session(try await TrainingService(db: req.db).create(draft, by: req.actor)))))
    }

    func getTrainingSession(_ input: Operations.GetTrainingSession.Input) async throws -> Operations.GetTrainingSession.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        let id = try Self.id(input.path.session, notFound: "training.session")
        return .ok(.init(body: .json(Self.session(try await TrainingService(db: req.db).session(id)))))
    }

    func addTrainingAttendance(_ input: Operations.AddTrainingAttendance.Input) async throws -> Operations.AddTrainingAttendance.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        guard case .json(let b) = input.body else { throw Abort(.unsupportedMediaType) }
        let id = try Self.id(input.path.session, notFound: "training.session")
        let session = try await TrainingService(db: req.db).attend(id, person: try Self.id(b.personId, field: "personId"), by: req.actor)
        return .ok(.init(body: .json(Self.session(session))))
    }

    func listConsultations(_ input: Operations.ListConsultations.Input) async throws -> Operations.ListConsultations.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        let list = try await TrainingService(db: req.db).consultations(page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.consultation), total: list.total))))
    }

    func createConsultation(_ input: Operations.CreateConsultation.Input) async throws -> Operations.CreateConsultation.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        guard case .json(let b) = input.body else { throw Abort(.unsupportedMediaType) }
        let draft = ConsultationDraft(
            organisationID: try Self.id(b.organisationId, field: "organisationId"), personID: try Self.id(b.personId, field: "personId"),
            topic: TrainingTopic(rawValue: b.topic.rawValue)!, heldOn: b.heldOn, advisor: b.advisor, summary: b.summary ?? "", followUpOn: b.followUpOn)
        return .created(.init(body: .json(Self.consultation(try await TrainingService(db: req.db).consult(draft, by: req.actor)))))
    }

    func recordConsultationFollowUp(_ input: Operations.RecordConsultationFollowUp.Input) async throws -> Operations.RecordConsultationFollowUp.Output {
        let req = try APIRequest.allowed(TrainingAccess.canManage)
        guard case .json(let b) = input.body else { throw Abort(.unsupportedMediaType) }
        let id = try Self.id(input.path.consultation, notFound: "training.consultation")
        return .ok(.init(body: .json(Self.consultation(try await TrainingService(db: req.db).followUp(id, on: b.followedUpOn, note: b.note ?? "", by: req.actor)))))
    }

    // MARK: -

    static func session(_ s: Training.SessionRecord) -> Components.Schemas.TrainingSession {
        let d = s.draft
        return .init(id: s.id.uuidString, organisationId: d.organisationID.uuidString, topic: .init(rawValue: d.topic.rawValue)!, title: d.title,
                     heldOn: d.heldOn, villageId: d.villageID.uuidString, districtId: s.districtID.uuidString, trainer: d.trainer,
                     partnerId: d.partnerID?.uuidString, partnerGave: d.partnerGave.flatMap { .init(rawValue: $0.rawValue) }, materials: d.materials,
                     headcount: d.headcount, attendees: s.attendees.map(\.uuidString), women: s.women)
    }

    static func consultation(_ c: ConsultationRecord) -> Components.Schemas.Consultation {
        let d = c.draft
        return .init(id: c.id.uuidString, organisationId: d.organisationID.uuidString, personId: d.personID.uuidString, topic: .init(rawValue: d.topic.rawValue)!,
                     heldOn: d.heldOn, advisor: d.advisor, summary: d.summary, followUpOn: d.followUpOn, followedUpOn: c.followedUpOn, followUpNote: c.followUpNote)
    }
}
