import AsharNetwork
import Foundation
import Testing
import VaporTesting
@testable import App

@Suite("Stakeholders and agreements API")
struct PartnershipsAPITests {
    @Test("Stakeholders with their grid quadrant; an agreement with obligations, services by district, the attention list and a scanned PDF")
    func agreements() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("admin", on: app)
            let district = try #require(fixture.village.districtID).uuidString
            let akimat = try await api.send(.POST, "/stakeholders", json: """
                {"name": "Кара-Суу райондук акимиаты", "sector": "local_government", "districtId": "\(district)", "role": "Жай берет",
                 "influence": 5, "interest": 4, "inputs": ["premises", "staff_time"], "strategy": "Ар чейрек сайын жолугушуу"}
                """)
            #expect(akimat.status == .created)
            let akimatBody = try api.json(akimat)
            #expect(akimatBody["quadrant"] as? String == "manage_closely")
            #expect(akimatBody["inputs"] as? [String] == ["premises", "staff_time"])
            let ngo = try api.json(try await api.send(.POST, "/stakeholders", json: #"{"name": "«Эпкин» КБ", "sector": "ngo", "influence": 2, "interest": 5}"#))
            let wrong = try await api.send(.POST, "/stakeholders", json: #"{"name": "", "sector": "ngo", "influence": 9, "interest": 5}"#, headers: [("Accept-Language", "ru")])
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await api.json(try await api.send(.GET, "/stakeholders?sector=ngo"))["total"] as? Int == 1)

            let (a, n) = (try #require(akimatBody["id"] as? String), try #require(ngo["id"] as? String))
            let created = try await api.send(.POST, "/agreements", json: """
                {"title": "Окутуу боюнча алкактык макулдашуу", "cooperation": ["training", "premises"], "status": "active",
                 "signedOn": "2026-01-15", "validFrom": "2026-01-15", "validUntil": "2026-12-31", "reviewOn": "2026-12-01",
                 "parties": [{"stakeholderId": "\(a)"}, {"stakeholderId": "\(n)"}]}
                """)
            #expect(created.status == .created)
            let agreement = try #require(try api.json(created)["id"] as? String)
            let obligation = try await api.send(.POST, "/agreements/\(agreement)/obligations",
                                                json: #"{"stakeholderId": "\#(n)", "what": "Квартальный отчёт", "dueOn": "2026-09-30", "recurrence": "quarterly"}"#)
            #expect(obligation.status == .created)
            #expect(try api.json(obligation)["overdue"] as? Bool == true)
            let service = try await api.send(.POST, "/agreements/\(agreement)/services",
                                             json: #"{"stakeholderId": "\#(n)", "service": "training", "districtId": "\#(district)"}"#)
            #expect(service.status == .created)

            let attention = try api.json(try await api.send(.GET, "/agreements/attention"))
            #expect((attention["overdue"] as? [[String: Any]])?.first?["title"] as? String == "Окутуу боюнча алкактык макулдашуу")

            let obligationID = try #require(try api.json(obligation)["id"] as? String)
            let met = try await api.send(.PUT, "/agreements/\(agreement)/obligations/\(obligationID)",
                                         json: #"{"status": "done", "evidence": "Отчёт получен", "on": "2026-11-27"}"#)
            #expect(try api.json(met)["dueOn"] as? String == "2026-12-30")
            #expect(try api.json(met)["status"] as? String == "open")

            let pdf = Data("%PDF-1.4\n%%EOF\n".utf8)
            #expect(try await api.send(.PUT, "/agreements/\(agreement)/scan", body: pdf, contentType: "application/pdf").status == .noContent)
            let notPDF = try await api.send(.PUT, "/agreements/\(agreement)/scan", body: Data("hello".utf8), contentType: "application/pdf")
            #expect(notPDF.status == .unprocessableEntity)
            let scan = try await api.send(.GET, "/agreements/\(agreement)/scan")
            #expect(scan.status == .ok && scan.body.string == String(decoding: pdf, as: UTF8.self))
            #expect(try api.json(try await api.send(.GET, "/agreements/\(agreement)"))["hasScan"] as? Bool == true)

            // Staff read the directory; only coordinators and admins change it; donors see none of it.
            let caseworker = try await APIClient.forUser("caseworker", on: app)
            #expect(try await caseworker.send(.GET, "/agreements").status == .ok)
            #expect(try await caseworker.send(.POST, "/stakeholders", json: #"{"name": "X", "sector": "ngo", "influence": 1, "interest": 1}"#).status == .forbidden)
            #expect(try await APIClient.forUser("viewer", on: app).send(.GET, "/stakeholders").status == .forbidden)
        }
    }
}
