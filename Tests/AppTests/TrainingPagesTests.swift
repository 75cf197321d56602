import AsharNetwork
import DemoData
import Fluent
import Foundation
import Kernel
import Testing
import Training
import VaporTesting
@testable import App

@Suite("Trainings and consultations pages")
struct TrainingPagesTests {
    @Test("A coordinator records a training and who came, a consultation and its follow-up; the follow-up due shows on her home page; others are refused")
    func recordAndFollowUp() async throws {
        try await withAshar { app, fixture in
            let centre = try await Factories(db: app.db).organisation("Сокулук ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: fixture.village)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("coordinator")
            try await browser.get("/trainings")
            let refused = try await browser.post("/trainings", ["organisation_id": centre.id.uuidString, "topic": "bookkeeping", "title": "",
                                                                "held_on": "2026-11-10", "village_id": fixture.village.id.uuidString])
            #expect(refused.status == .unprocessableEntity && refused.body.string.contains("Укажите название занятия"))
            let created = try await browser.post("/trainings", ["organisation_id": centre.id.uuidString, "topic": "bookkeeping", "title": "Учёт для семейного дела",
                                                                "held_on": "2026-11-10", "village_id": fixture.village.id.uuidString, "headcount": "4",
                                                                "trainer": "Юсупова Д."])
            #expect(created.status == .seeOther)
            let path = try #require(created.headers.first(name: .location))
            let search = try await browser.get("\(path)?q=Асанова")
            #expect(search.body.string.contains(fixture.member.fullName))
            #expect(try await browser.post("\(path)/attendance", ["person_id": fixture.member.id.uuidString]).status == .seeOther)
            let session = try await browser.get(path)
            #expect(session.body.string.contains("<a href=\"/people/\(fixture.member.id)\">\(fixture.member.fullName)</a>"))
            let sessionID = try #require(UUID(uuidString: String(path.dropFirst("/trainings/".count))))
            #expect(try await TrainingService(db: app.db).session(sessionID).women == 5)

            try await browser.get("/consultations?person=\(fixture.member.id)")
            let today = BishkekCalendar.day(of: Date())
            #expect(try await browser.post("/consultations", ["organisation_id": centre.id.uuidString, "person_id": fixture.member.id.uuidString,
                                                              "topic": "microfinance", "held_on": today, "advisor": "Бекмуратова А.",
                                                              "follow_up_on": today]).status == .seeOther)
            #expect(try await browser.get("/").body.string.contains("Пора связаться после 1 консультации"))
            let due = try #require(try await TrainingService(db: app.db).followUpsDue().first)
            #expect(try await browser.post("/consultations/\(due.id)/follow-up", ["note": "Взяла кредит"]).status == .seeOther)
            #expect(try await TrainingService(db: app.db).followUpsDue().isEmpty)

            let viewer = Browser(app)
            try await viewer.login("viewer")
            for page in ["/trainings", path, "/consultations"] { #expect(try await viewer.get(page).status == .forbidden, "\(page)") }
        }
    }
}

extension EveryPageTests {
    /// A training with an attendee and a consultation due for follow-up: the Centre's pages.
    static func trainingPages(_ app: Application, _ fixture: Fixture) async throws -> [String] {
        let centre = try await Factories(db: app.db).organisation("Кара-Суу ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: fixture.village)
        let trainings = TrainingService(db: app.db)
        let session = try await trainings.create(SessionDraft(organisationID: centre.id, topic: .standards, title: "ТР ТС 022/2011: этикетка",
                                                              heldOn: "2026-10-01", villageID: fixture.village.id, trainer: "А.", headcount: 3), by: .system)
        _ = try await trainings.attend(session.id, person: fixture.member.id, by: .system)
        _ = try await trainings.consult(ConsultationDraft(organisationID: centre.id, personID: fixture.member.id, topic: .startup, heldOn: "2026-10-02",
                                                          advisor: "Б.", followUpOn: "2026-10-20"), by: .system)
        return ["/trainings", "/trainings/\(session.id)", "/trainings/\(session.id)?q=Асанова", "/consultations", "/consultations?q=Асанова",
                "/consultations?person=\(fixture.member.id)"]
    }
}

@Suite("Training API")
struct TrainingAPITests {
    @Test("A Centre's staff record a session, who came, a consultation and its follow-up as JSON; others are refused; bad input changes nothing")
    func sessionsAndConsultations() async throws {
        try await withAshar { app, fixture in
            let centre = try await Factories(db: app.db).organisation("Ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: fixture.village)
            let api = try await APIClient.forUser("coordinator", on: app)
            let session = #"{"organisationId": "\#(centre.id)", "topic": "bookkeeping", "title": "Китеп жүргүзүү", "heldOn": "2026-05-12", "#
                + #""villageId": "\#(fixture.village.id)", "trainer": "Б.", "headcount": 4}"#
            #expect(try await api.send(.POST, "/trainings", json: session.replacingOccurrences(of: fixture.village.id.uuidString, with: "Сарай")).status == .unprocessableEntity)
            #expect(try await TrainingService(db: app.db).sessions(page: .init()).total == 0)
            let created = try await api.send(.POST, "/trainings", json: session)
            #expect(created.status == .created)
            let id = try #require(try api.json(created)["id"] as? String)
            let attended = try api.json(try await api.send(.POST, "/trainings/\(id)/attendance", json: #"{"personId": "\#(fixture.member.id)"}"#))
            #expect(attended["attendees"] as? [String] == [fixture.member.id.uuidString] && attended["women"] as? Int == 5)
            #expect(try api.json(try await api.send(.GET, "/trainings/\(id)"))["title"] as? String == "Китеп жүргүзүү")
            #expect(try api.json(try await api.send(.GET, "/trainings?topic=bookkeeping"))["total"] as? Int == 1)
            #expect(try api.json(try await api.send(.GET, "/trainings?topic=startup"))["total"] as? Int == 0)

            let consultation = try await api.send(.POST, "/consultations", json: #"{"organisationId": "\#(centre.id)", "personId": "\#(fixture.member.id)", "#
                + #""topic": "microfinance", "heldOn": "2026-06-01", "advisor": "Алиева Н.", "followUpOn": "2026-06-15"}"#)
            #expect(consultation.status == .created)
            let consultationID = try #require(try api.json(consultation)["id"] as? String)
            #expect(try await api.send(.POST, "/consultations/\(consultationID)/follow-up", json: #"{"followedUpOn": "2026-02-30"}"#).status == .unprocessableEntity)
            let followed = try api.json(try await api.send(.POST, "/consultations/\(consultationID)/follow-up", json: #"{"followedUpOn": "2026-06-16", "note": "Кредит алды"}"#))
            #expect(followed["followedUpOn"] as? String == "2026-06-16" && followed["followUpNote"] as? String == "Кредит алды")
            #expect(try api.json(try await api.send(.GET, "/consultations"))["total"] as? Int == 1)

            for login in ["viewer", "member", "caseworker"] {
                let other = try await APIClient.forUser(login, on: app)
                #expect(try await other.send(.GET, "/trainings").status == .forbidden, "\(login)")
                #expect(try await other.send(.GET, "/consultations").status == .forbidden, "\(login)")
            }
        }
    }
}
