import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Partnerships
import Training

/// The two Centres' autumn: trainings in both pilot districts with partners' premises and experts, some
/// attendance kept by name and some by headcount, and consultations, one with its follow-up due today.
enum DemoTraining {
    static func load(sokuluk: UUID, karaSuu: UUID, villages: [String: UUID], women: [UUID], on db: any Database, by actor: Actor) async throws {
        let today = BishkekCalendar.day(of: Date())
        func day(_ offset: Int) -> String { BishkekCalendar.adding(days: offset, to: today) }
        let partners = try await StakeholderService(db: db).all()
        let trainings = TrainingService(db: db)
        let plan: [(UUID, TrainingTopic, String, Int, String, String, Int)] = [
            (karaSuu, .standards, "ТР ТС 021 жана 022: декларация жана этикетка", -40, "Kashgar-Kyshtak", "Кыргызстандарттын адиси", 6),
            (karaSuu, .bookkeeping, "Үй-бүлөлүк бизнестин эсеби", -25, "Papan", "Юсупова Дилноза", 0),
            (sokuluk, .startup, "Ишти кантип баштаса болот", -18, "Sokuluk", "Бекмуратова Айжан", 9),
            (sokuluk, .microfinance, "Микрокредит: шарттар жана тобокелдиктер", -9, "Jangy-Jer", "«Ынтымак» МКК адиси", 0),
            (karaSuu, .awareness, "Аялдардын укуктары жана жардам кызматтары", -4, "Saray", "«Эпкин» КБ", 14),
        ]
        for (index, session) in plan.enumerated() {
            guard let village = villages[session.4] else { continue }
            let partner = partners.isEmpty ? nil : partners[index % partners.count]
            let created = try await trainings.create(SessionDraft(
                organisationID: session.0, topic: session.1, title: session.2, heldOn: day(session.3), villageID: village, trainer: session.5,
                partnerID: partner?.id, partnerGave: index % 2 == 0 ? .premises : .experts, materials: "Раздатка (кыргызча, орусча)",
                headcount: session.6), by: actor)
            for woman in women.dropFirst(index * 7).prefix(8) {
                _ = try await trainings.attend(created.id, person: woman, by: actor)
            }
        }
        for (index, woman) in women.prefix(4).enumerated() {
            _ = try await trainings.consult(ConsultationDraft(
                organisationID: index % 2 == 0 ? karaSuu : sokuluk, personID: woman, topic: [.startup, .microfinance, .standards, .production][index],
                heldOn: day(-20 + index * 3), advisor: index % 2 == 0 ? "Юсупова Дилноза" : "Бекмуратова Айжан",
                summary: ["Кургатылган өрүк сатуу үчүн бизнес-план", "Микрокредитке арыз", "Балга декларация алуу", "Кийиз жасоо технологиясы"][index],
                followUpOn: index == 0 ? today : day(10 + index)), by: actor)
        }
    }
}
