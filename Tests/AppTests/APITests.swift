@testable import App
import AsharNetwork
import Fluent
import Foundation
import Kernel
import Testing
import Vapor
import VaporTesting

@Suite("JSON API")
struct APITests {
    @Test("API calls and health checks make no web session: no cookie, no session row written")
    func noSessionsForMachines() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("coordinator", on: app)
            let sessionsBefore = try await SessionRecord.query(on: app.db).count()
            let list = try await api.send(.GET, "/people")
            #expect(list.status == .ok)
            #expect(list.headers[.setCookie].isEmpty)
            let health = try await app.testing().sendRequest(.GET, "/health")
            #expect(health.headers[.setCookie].isEmpty)
            #expect(try await SessionRecord.query(on: app.db).count() == sessionsBefore)
        }
    }

    @Test("GET /me names the user and her roles")
    func me() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("coordinator", on: app)
            let response = try await api.send(.GET, "/me")
            #expect(response.status == .ok)
            let body = try api.json(response)
            #expect(body["login"] as? String == "coordinator")
            let roles = try #require(body["roles"] as? [[String: Any]])
            #expect(roles.count == 1)
            #expect(roles[0]["role"] as? String == "coordinator")
            #expect((roles[0]["organisationId"] as? String).flatMap(UUID.init(uuidString:)) == fixture.bank.id)

            let anonymous = APIClient(app: app, token: nil)
            let denied = try await anonymous.send(.GET, "/me")
            #expect(denied.status == .unauthorized)
            #expect(try anonymous.json(denied)["error"] != nil)
            #expect(try await APIClient(app: app, token: "ashar_forged").send(.GET, "/me").status == .unauthorized)
        }
    }

    @Test("A token's owner is remembered, but losing a grant or being deactivated takes effect at the next call")
    func tokenFollowsChanges() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("coordinator", on: app)
            #expect(try await api.send(.GET, "/people").status == .ok)
            let users = UserService(db: app.db)
            let coordinator = try #require(try await users.list(page: PageQuery()).items.first { $0.login == "coordinator" })
            try await users.revoke(grantID: try #require(coordinator.grants.first).id, of: coordinator.id, by: .system)
            #expect(try await api.send(.GET, "/people").status == .forbidden)
            try await users.setActive(coordinator.id, false, by: .system)
            #expect(try await api.send(.GET, "/me").status == .unauthorized)
        }
    }

    @Test("Lists are paginated and searched with the pages' folding")
    func lists() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("admin", on: app)
            for path in ["/oblasts", "/districts", "/aiyl-aimaks", "/villages", "/organisations", "/people"] {
                let response = try await api.send(.GET, path + "?per=1&page=1")
                #expect(response.status == .ok, "\(path)")
                let body = try api.json(response)
                #expect((body["items"] as? [Any])?.count == 1, "\(path)")
                #expect((body["total"] as? Int ?? 0) >= 1, "\(path)")
            }
            let found = try api.json(try await api.send(.GET, "/people?q=gulnara"))
            #expect(found["total"] as? Int == 1)
            let person = try #require((found["items"] as? [[String: Any]])?.first)
            #expect(person["fullName"] as? String == fixture.member.fullName)
            #expect(person["sex"] as? String == "female")
            #expect(person["birthYear"] as? Int == 1980)
            #expect((person["villageId"] as? String).flatMap(UUID.init(uuidString:)) == fixture.village.id)
            #expect(person["phone"] as? String == "+996 555 100 001")
            let beyond = try api.json(try await api.send(.GET, "/people?page=5&per=10"))
            #expect((beyond["items"] as? [Any])?.isEmpty == true && beyond["total"] as? Int == 1)
            let clamped = try await api.send(.GET, "/people?per=100000")
            #expect(clamped.status == .ok)
        }
    }

    @Test("Create, get and update a person; a replay with the same Idempotency-Key records nothing new")
    func people() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("coordinator", on: app)
            let body = #"{"fullName":"Токтогулова Бермет","sex":"female","birthYear":1992,"villageId":"\#(fixture.village.id)","householdCode":"HH-9"}"#
            let created = try await api.send(.POST, "/people", json: body, headers: [("Idempotency-Key", "slip-1")])
            #expect(created.status == .created)
            let id = try #require(try api.json(created)["id"] as? String)
            let replay = try await api.send(.POST, "/people", json: body, headers: [("Idempotency-Key", "slip-1")])
            #expect(replay.status == .created)
            #expect(try api.json(replay)["id"] as? String == id)
            #expect(try await Person.query(on: app.db).count() == 2)
            let reused = try await api.send(.POST, "/people", json: body.replacingOccurrences(of: "1992", with: "1993"),
                                            headers: [("Idempotency-Key", "slip-1")])
            #expect(reused.status == .conflict)
            #expect(try await Person.query(on: app.db).count() == 2)

            let fetched = try api.json(try await api.send(.GET, "/people/\(id)"))
            #expect(fetched["householdCode"] as? String == "HH-9")
            let patched = try await api.send(.PATCH, "/people/\(id)", json: #"{"phone":"0772 123 456"}"#)
            #expect(patched.status == .ok)
            #expect(try api.json(patched)["phone"] as? String == "+996 772 123 456")
            #expect(try api.json(patched)["fullName"] as? String == "Токтогулова Бермет")
            let audit = try await AuditEntry.query(on: app.db).filter(\.$entity == "person").filter(\.$action == "update").all()
            #expect(audit.count == 1 && audit[0].changes.contains("+996 772 123 456"))
        }
    }

    @Test("Bad input: 400 for malformed, 404 for unknown, 409 for duplicates, 422 for broken rules; nothing changes")
    func errors() async throws {
        try await withAshar { app, fixture in
            var api = try await APIClient.forUser("admin", on: app)
            api.language = "ru"
            let before = try await Person.query(on: app.db).count()
            let malformed = try await api.send(.POST, "/people", json: "{not json")
            #expect(malformed.status == .badRequest)
            let error = try #require(try api.json(malformed)["error"] as? [String: Any])
            #expect(error["code"] as? String == "request.malformed")
            #expect(error["message"] as? String == "Данные в неверном формате.")
            #expect(try await api.send(.GET, "/people?page=abc").status == .badRequest)
            #expect(try await api.send(.GET, "/people/\(UUID())").status == .notFound)
            #expect(try await api.send(.GET, "/people/not-a-uuid").status == .notFound)
            let duplicate = try await api.send(.POST, "/people", json: #"{"fullName":"Асанова Гүлнара","sex":"female","birthYear":1980,"villageId":"\#(fixture.village.id)"}"#)
            #expect(duplicate.status == .conflict)
            #expect((try api.json(duplicate)["error"] as? [String: Any])?["code"] as? String == "network.person.possible-duplicate")
            let confirmed = try await api.send(.POST, "/people?confirmNotDuplicate=true", json: #"{"fullName":"Асанова Гүлнара","sex":"female","birthYear":1980,"villageId":"\#(fixture.village.id)"}"#)
            #expect(confirmed.status == .created)
            let invalid = try await api.send(.POST, "/people", json: #"{"fullName":"Gulnara","sex":"female","birthYear":1980,"villageId":"\#(fixture.village.id)"}"#)
            #expect(invalid.status == .unprocessableEntity)
            #expect((try api.json(invalid)["error"] as? [String: Any])?["code"] as? String == "network.person.full_name-not-cyrillic")
            let several = try await api.send(.POST, "/people", json: #"{"fullName":"Gulnara","sex":"female","birthYear":1850,"villageId":"\#(fixture.village.id)"}"#)
            #expect(several.status == .unprocessableEntity)
            let details = try #require((try api.json(several)["error"] as? [String: Any])?["errors"] as? [[String: Any]])
            #expect(Set(details.compactMap { $0["field"] as? String }) == ["full_name", "birth_year"])
            #expect(details.allSatisfy { ($0["message"] as? String)?.isEmpty == false })
            let wrongEnum = try await api.send(.POST, "/people", json: #"{"fullName":"Асанова","sex":"other","birthYear":1980,"villageId":"\#(fixture.village.id)"}"#)
            #expect(wrongEnum.status == .badRequest)
            #expect(try await Person.query(on: app.db).count() == before + 1)
            #expect(try await api.send(.GET, "/no-such-endpoint").status == .notFound)
        }
    }

    @Test("Roles reach only what they may: a viewer gets 403 from the registry endpoints")
    func access() async throws {
        try await withAshar { app, fixture in
            let viewer = try await APIClient.forUser("viewer", on: app)
            for path in ["/people", "/people/\(fixture.member.id)", "/oblasts", "/organisations"] {
                #expect(try await viewer.send(.GET, path).status == .forbidden, "\(path)")
            }
            let coordinator = try await APIClient.forUser("coordinator", on: app)
            #expect(try await coordinator.send(.POST, "/oblasts", json: #"{"nameKy":"Х","nameRu":"Х","nameEn":"X"}"#).status == .forbidden)
            #expect(try await coordinator.send(.GET, "/villages").status == .ok)
        }
    }

    @Test("Geography and organisations: create, get, update over the API")
    func registry() async throws {
        try await withAshar { app, fixture in
            let api = try await APIClient.forUser("admin", on: app)
            let oblast = try await api.send(.POST, "/oblasts", json: #"{"code":"KG-T","nameKy":"Талас облусу","nameRu":"Таласская область","nameEn":"Talas Region"}"#)
            #expect(oblast.status == .created)
            let oblastID = try #require(try api.json(oblast)["id"] as? String)
            let district = try await api.send(.POST, "/districts", json: #"{"parentId":"\#(oblastID)","nameKy":"Талас району","nameRu":"Таласский район","nameEn":"Talas District"}"#)
            #expect(district.status == .created)
            #expect(try api.json(district)["oblastId"] as? String == oblastID)
            let orphan = try await api.send(.POST, "/villages", json: #"{"parentId":"\#(oblastID)","nameKy":"А","nameRu":"А","nameEn":"A"}"#)
            #expect(orphan.status == .unprocessableEntity)
            let taken = try await api.send(.POST, "/oblasts", json: #"{"code":"KG-T","nameKy":"Х","nameRu":"Х","nameEn":"X"}"#)
            #expect(taken.status == .conflict)
            let renamed = try await api.send(.PATCH, "/places/\(oblastID)", json: #"{"nameEn":"Talas Oblast"}"#)
            #expect(try api.json(renamed)["nameEn"] as? String == "Talas Oblast")
            #expect(try api.json(try await api.send(.GET, "/places/\(oblastID)"))["nameKy"] as? String == "Талас облусу")
            let districts = try api.json(try await api.send(.GET, "/districts?oblastId=\(oblastID)"))
            #expect(districts["total"] as? Int == 1)

            let org = try await api.send(.POST, "/organisations", json: #"{"name":"«Ак-Буудай» тобу","kind":"producer_group","districtId":"\#(fixture.village.districtID!)","villageId":"\#(fixture.village.id)"}"#)
            #expect(org.status == .created)
            let orgID = try #require(try api.json(org)["id"] as? String)
            #expect(try api.json(org)["inNetwork"] as? Bool == true)
            let updated = try await api.send(.PATCH, "/organisations/\(orgID)", json: #"{"inNetwork":false,"email":"not-an-email"}"#)
            #expect(updated.status == .unprocessableEntity)
            #expect(try api.json(try await api.send(.GET, "/organisations/\(orgID)"))["inNetwork"] as? Bool == true)
            let groups = try api.json(try await api.send(.GET, "/organisations?kind=producer_group"))
            #expect(groups["total"] as? Int == 1)
        }
    }

    @Test("Health checks the database; metrics are Prometheus text; the spec is served")
    func operations() async throws {
        try await withAshar { app, _ in
            let health = try await app.testing().sendRequest(.GET, "/health")
            #expect(health.status == .ok)
            #expect(health.body.string.contains("ok"))
            _ = try await app.testing().sendRequest(.GET, "/login")
            let metrics = try await app.testing().sendRequest(.GET, "/metrics")
            #expect(metrics.status == .ok)
            #expect(metrics.body.string.contains("ashar_http_requests_total"))
            #expect(metrics.headers.contentType?.subType == "plain")
            let spec = try await app.testing().sendRequest(.GET, "/api/v1/openapi.yaml")
            #expect(spec.status == .ok)
            #expect(spec.body.string.contains("operationId: listPeople"))
        }
    }
}
