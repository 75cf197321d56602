import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import Testing
import TestSupport
import Training

@Suite("Training rules")
struct TrainingRulesTests {
    @Test("Women trained: a named woman counts once per topic and district, headcounts add up")
    func trained() {
        let d1 = UUID(), d2 = UUID(), aigul = UUID(), nurjan = UUID()
        let counts = TrainedCount.count([
            .init(heldOn: "2026-10-01", topic: .bookkeeping, districtID: d1, personID: aigul), .init(heldOn: "2026-10-01", topic: .bookkeeping, districtID: d1, personID: aigul),
            .init(heldOn: "2026-10-01", topic: .bookkeeping, districtID: d1, personID: nurjan), .init(heldOn: "2026-10-01", topic: .bookkeeping, districtID: d1, personID: nil, headcount: 12),
            .init(heldOn: "2026-10-01", topic: .standards, districtID: d1, personID: aigul), .init(heldOn: "2026-10-01", topic: .bookkeeping, districtID: d2, personID: nil, headcount: 0),
        ])
        #expect(counts[.init(topic: .bookkeeping, districtID: d1)] == 14)
        #expect(counts[.init(topic: .standards, districtID: d1)] == 1)
        #expect(counts[.init(topic: .bookkeeping, districtID: d2)] == 0)
    }
}

@Suite("Trainings and consultations on a real database")
struct TrainingServiceTests {
    @Test("A session with named attendees and a headcount; only a Centre gives one; women counted by topic and district")
    func sessions() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let village = try await make.village()
            let centre = try await make.organisation("Кара-Суу ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: village)
            let bank = try await make.organisation("Убакыт банкы", kind: .timeBank, in: village)
            let aigul = try await make.person("Токтосунова Айгүл", in: village)
            let man = try await make.person("Осмонов Бакыт", in: village, sex: .male)
            let trainings = TrainingService(db: db)
            let draft = SessionDraft(organisationID: centre.id, topic: .bookkeeping, title: "Үй-бүлөлүк бизнес үчүн эсеп", heldOn: "2026-10-05",
                                     villageID: village.id, trainer: "Юсупова Д.", materials: "Эсеп дептери", headcount: 7)
            let session = try await trainings.create(draft, by: .system)
            #expect(session.districtID == village.districtID)
            _ = try await trainings.attend(session.id, person: aigul.id, by: .system)
            _ = try await trainings.attend(session.id, person: aigul.id, by: .system)
            let full = try await trainings.attend(session.id, person: man.id, by: .system)
            #expect(full.attendees.count == 2 && full.women == 9)
            #expect(try await trainings.womenTrained(from: "2026-10-01", to: "2026-10-31")
                    == [TrainedCount.Key(topic: .bookkeeping, districtID: village.districtID!): 8], "the man is not counted")
            #expect(try await trainings.womenTrained(from: "2026-11-01", to: "2026-11-30").isEmpty)

            var wrong = draft
            wrong.organisationID = bank.id
            await #expect(throws: DomainError("training.centre-invalid", field: "organisation_id")) { try await trainings.create(wrong, by: .system) }
            wrong = draft
            (wrong.title, wrong.heldOn, wrong.headcount) = (" ", "2026-13-01", -1)
            let refused = try await #require(throws: ValidationErrors.self) { try await trainings.create(wrong, by: .system) }
            #expect(Set(refused.errors.compactMap(\.field)) == ["title", "held_on", "headcount"])
        }
    }

    @Test("A consultation's follow-up is due on its day until it is recorded")
    func consultations() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let village = try await make.village()
            let centre = try await make.organisation("Сокулук ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: village)
            let aigul = try await make.person("Токтосунова Айгүл", in: village)
            let trainings = TrainingService(db: db)
            let consultation = try await trainings.consult(ConsultationDraft(
                organisationID: centre.id, personID: aigul.id, topic: .microfinance, heldOn: "2026-11-02", advisor: "Бекмуратова А.",
                summary: "Микрокредит үчүн бизнес-план", followUpOn: "2026-11-20"), by: .system)
            #expect(try await trainings.followUpsDue(today: "2026-11-19").isEmpty)
            #expect(try await trainings.followUpsDue(today: "2026-11-20") == [consultation])
            let done = try await trainings.followUp(consultation.id, on: "2026-11-21", note: "Кредит алды", by: .system)
            #expect(!done.isFollowUpDue(on: "2026-11-30") && done.followUpNote == "Кредит алды")
            #expect(try await trainings.followUpsDue(today: "2026-11-30").isEmpty)
            await #expect(throws: DomainError("training.follow-up-early", field: "follow_up_on")) {
                try await trainings.consult(ConsultationDraft(organisationID: centre.id, personID: aigul.id, topic: .startup, heldOn: "2026-11-02",
                                                              advisor: "А.", followUpOn: "2026-11-01"), by: .system)
            }
        }
    }
}
