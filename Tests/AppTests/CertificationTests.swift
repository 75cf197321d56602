import AsharNetwork
import Certification
import DemoData
import Fluent
import Foundation
import Kernel
import Producers
import Testing
import VaporTesting
@testable import App

/// A producer group with three members, and its honey: what the certification tests start from.
struct HoneyGroup {
    let group: OrganisationRecord
    let members: [PersonRecord]
    let product: ProductRecord

    static func make(_ app: Application, _ fixture: Fixture) async throws -> HoneyGroup {
        let make = Factories(db: app.db)
        let group = try await make.organisation("«Таттуу бал» өндүрүүчүлөр тобу", kind: .producerGroup, in: fixture.village)
        _ = try await ProducerGroupService(db: app.db).open(group.id, by: .system)
        var members: [PersonRecord] = []
        for name in ["Алиева Жамиля", "Бекова Нуриза", "Касымова Динара"] {
            let person = try await make.person(name, in: fixture.village)
            _ = try await ProducerGroupService(db: app.db).join(group.id, personID: person.id, produces: "бал", by: .system)
            members.append(person)
        }
        let product = try await ProductService(db: app.db).create(ProductDraft(
            organisationID: group.id, personID: members[0].id, nameKy: "Тоо балы", nameRu: "Горный мёд", category: .honey, hsCode: "0409000000",
            compositionKy: "табигый бал", compositionRu: "натуральный мёд", netQuantity: 500, netUnit: .g, shelfLifeDays: 730,
            storageKy: "0…20 °C, кургак жерде", storageRu: "при 0…20 °C в сухом месте"), by: .system)
        return HoneyGroup(group: group, members: members, product: product)
    }
}

enum TestFiles {
    /// A 1×1 PNG.
    static let png = Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")!
    static let pdf = Data("%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n".utf8)
}

@Suite("Certification API")
struct CertificationAPITests {
    @Test("Products, what they need, documents, batches with a public page and QR address, the label check, shared costs — with the names others depend on")
    func endToEnd() async throws {
        try await withAshar { app, fixture in
            let honey = try await HoneyGroup.make(app, fixture)
            let api = try await APIClient.forUser("coordinator", on: app)
            let created = try await api.send(.POST, "/products", json: """
                {"groupId": "\(honey.group.id)", "nameKy": "Кара өрүк джему", "nameRu": "Джем из чернослива", "category": "fruit-vegetables",
                 "hsCode": "2007999700", "compositionKy": "кара өрүк, кант", "compositionRu": "чернослив, сахар", "netQuantity": 350, "netUnit": "g",
                 "shelfLifeDays": 365, "storageKy": "салкын жерде", "storageRu": "в прохладном месте"}
                """)
            #expect(created.status == .created)
            let jam = try #require(try api.json(created)["id"] as? String)
            let wrong = try await api.send(.POST, "/products", json: #"{"groupId": "\#(fixture.bank.id)", "nameRu": "", "category": "honey", "hsCode": "12"}"#)
            #expect(wrong.status == .unprocessableEntity)
            #expect(try await api.json(try await api.send(.GET, "/products?groupId=\(honey.group.id)"))["total"] as? Int == 2)

            // Before any document: the food safety declaration is missing, and the label lacks the batch.
            let before = try api.json(try await api.send(.GET, "/products/\(jam)/requirements"))
            #expect(before["missing"] as? [String] == ["TR CU 021/2011", "TR CU 022/2011"])
            #expect(before["eac"] as? Bool == false)
            let checkBefore = try api.json(try await api.send(.GET, "/products/\(jam)/label-check?lang=ky"))
            #expect(checkBefore["missing"] as? [String] == ["producedOn", "bestBefore", "batchNumber"])
            #expect(checkBefore["eac"] as? Bool == false)

            let declaration = try await api.send(.POST, "/documents", json: """
                {"type": "declaration", "number": "ЕАЭС N RU Д-KG.РА01.В.12345/26", "registrationNumber": "KG 417/КЦА.ОСП.023-2026",
                 "productIds": ["\(jam)"], "issuedOn": "2026-01-20", "expiresOn": "2027-01-19", "laboratory": "Испытательный центр Кыргызстандарта"}
                """)
            #expect(declaration.status == .created)
            let declarationBody = try api.json(declaration)
            #expect(declarationBody["status"] as? String == "registered" && declarationBody["validToday"] as? Bool == true)

            let batch = try await api.send(.POST, "/products/\(jam)/batches", json: #"{"batchNumber": "2026-11/3", "producedOn": "2026-11-20"}"#)
            #expect(batch.status == .created)
            let batchBody = try api.json(batch)
            let code = try #require(batchBody["code"] as? String)
            #expect(batchBody["id"] is String && TraceCode.isWellFormed(code))
            #expect((batchBody["url"] as? String)?.hasSuffix("/p/\(code)") == true)
            #expect(batchBody["bestBefore"] as? String == "2027-11-20")
            #expect(try await api.send(.POST, "/products/\(jam)/batches", json: #"{"batchNumber": "2026-11/3", "producedOn": "2026-11-21"}"#).status == .conflict)

            let after = try api.json(try await api.send(.GET, "/products/\(jam)/requirements"))
            #expect(after["missing"] as? [String] == [])
            #expect(after["eac"] as? Bool == true)
            for lang in ["ky", "ru"] {
                let check = try api.json(try await api.send(.GET, "/products/\(jam)/label-check?lang=\(lang)"))
                #expect(check["missing"] as? [String] == [] && check["eac"] as? Bool == true, "\(lang)")
            }

            // The public view: anyone, no token; the maker is not named without her consent.
            let anonymous = APIClient(app: app, token: nil)
            let open = try await anonymous.send(.GET, "/public/batches/\(code)")
            #expect(open.status == .ok)
            let openBody = try anonymous.json(open)
            #expect(openBody["documentsValid"] as? Bool == true && openBody["batchNumber"] as? String == "2026-11/3")
            #expect((openBody["group"] as? [String: Any])?["name"] as? String == honey.group.name)
            #expect(try await anonymous.send(.GET, "/public/batches/NOPE0000").status == .notFound)
            let honeyBatch = try api.json(try await api.send(.POST, "/products/\(honey.product.id)/batches", json: #"{"batchNumber": "1", "producedOn": "2026-09-01"}"#))
            let honeyPublic = try anonymous.json(try await anonymous.send(.GET, "/public/batches/\(try #require(honeyBatch["code"] as? String))"))
            #expect(honeyPublic["maker"] == nil && honeyPublic["documentsValid"] as? Bool == false)
            #expect(!String(decoding: try JSONSerialization.data(withJSONObject: honeyPublic), as: UTF8.self).contains("Алиева"))

            // A change is a new registration; the old one is replaced and stays as it was.
            let declarationID = try #require(declarationBody["id"] as? String)
            let replacement = try await api.send(.POST, "/documents/\(declarationID)/replacements", json: """
                {"type": "declaration", "number": "ЕАЭС N RU Д-KG.РА01.В.12399/26", "productIds": ["\(jam)"], "issuedOn": "2026-11-01", "expiresOn": "2029-10-31"}
                """)
            #expect(replacement.status == .created)
            #expect(try api.json(replacement)["replacesId"] as? String == declarationID)
            let old = try api.json(try await api.send(.GET, "/documents/\(declarationID)"))
            #expect(old["status"] as? String == "replaced" && old["number"] as? String == "ЕАЭС N RU Д-KG.РА01.В.12345/26")
            #expect(try await api.send(.POST, "/documents/\(declarationID)/status", json: #"{"status": "registered"}"#).status == .conflict)
            #expect(try await api.send(.PUT, "/documents/\(declarationID)/scan", body: Data("not a pdf".utf8), contentType: "application/pdf").status == .unprocessableEntity)
            #expect(try await api.send(.PUT, "/documents/\(declarationID)/scan", body: TestFiles.pdf, contentType: "application/pdf").status == .noContent)
            #expect(try await api.send(.GET, "/documents/\(declarationID)/scan").body.string.hasPrefix("%PDF-"))
            let tooBig = try await api.send(.PUT, "/documents/\(declarationID)/scan", body: TestFiles.pdf + Data(count: DocumentService.largestScan),
                                            contentType: "application/pdf")
            #expect(tooBig.status == .payloadTooLarge)

            // The certification path: a testing step's cost shared among the three members through their accounts.
            let step = try api.json(try await api.send(.POST, "/products/\(jam)/steps", json: #"{"kind": "sampling", "cost": 450001, "responsible": "Бекова Н."}"#))
            let stepID = try #require(step["id"] as? String)
            let shared = try await api.send(.POST, "/products/\(jam)/steps/\(stepID)/share")
            #expect(shared.status == .ok)
            let shares = try #require(try api.json(shared)["shares"] as? [[String: Any]])
            #expect(shares.compactMap { $0["amount"] as? Int }.sorted() == [150000, 150000, 150001])
            #expect(try await api.send(.POST, "/products/\(jam)/steps/\(stepID)/share").status == .conflict)
            let balances = try await MemberAccountService(db: app.db).balances(honey.group.id)
            #expect(balances.values.reduce(0, +) == -450001)

            let expiring = try api.json(try await api.send(.GET, "/documents/expiring"))
            #expect((expiring["items"] as? [Any])?.isEmpty == true)
            #expect(try api.json(try await api.send(.GET, "/regulations"))["total"] as? Int == 7)
        }
    }

    /// Found by schemathesis: a felt product's batch came back with `"bestBefore": ""`, not a date.
    @Test("A batch of a product that does not spoil has no best-before date in the API rather than an empty one")
    func batchWithoutBestBefore() async throws {
        try await withAshar { app, fixture in
            let honey = try await HoneyGroup.make(app, fixture)
            let felt = try await ProductService(db: app.db).create(ProductDraft(organisationID: honey.group.id, nameKy: "Шырдак", nameRu: "Ширдак", category: .felt), by: .system)
            let api = try await APIClient.forUser("coordinator", on: app)
            let made = try await api.send(.POST, "/products/\(felt.id)/batches", json: #"{"batchNumber": "Ш-1", "producedOn": "2026-10-01"}"#)
            #expect(made.status == .created)
            #expect(try api.json(made)["bestBefore"] == nil)
            let listed = try api.json(try await api.send(.GET, "/products/\(felt.id)/batches"))
            #expect((listed["items"] as? [[String: Any]])?.first?.keys.contains("bestBefore") == false)
        }
    }

    @Test("Peer visits, the council's decision, brands; a donor or a case worker reads none of it")
    func guaranteeAndAccess() async throws {
        try await withAshar { app, fixture in
            let honey = try await HoneyGroup.make(app, fixture)
            let api = try await APIClient.forUser("coordinator", on: app)
            let visit = try await api.send(.POST, "/groups/\(honey.group.id)/peer-visits", json: """
                {"visitedOn": "2026-07-02", "farm": "Участок у реки", "visitors": "Жамиля, Нуриза", "passed": ["no-synthetic-fertiliser", "records-kept"]}
                """)
            #expect(visit.status == .created)
            let visitID = try #require(try api.json(visit)["id"] as? String)
            let refused = try await api.send(.POST, "/peer-visits/\(visitID)/decision", json: #"{"decision": "approved", "decidedOn": "2026-07-10", "sanction": "warning"}"#)
            #expect(refused.status == .unprocessableEntity)
            let decided = try await api.send(.POST, "/peer-visits/\(visitID)/decision", json: #"{"decision": "conditions", "decidedOn": "2026-07-10", "sanction": "warning"}"#)
            #expect(try api.json(decided)["sanction"] as? String == "warning")
            let brand = try await api.send(.POST, "/brands", json: ##"{"groupId": "\##(honey.group.id)", "name": "Таттуу", "primaryColour": "#c8102e", "secondaryColour": "#ffd700"}"##)
            #expect(brand.status == .created)
            #expect(try await api.send(.POST, "/brands", json: ##"{"groupId": "\##(honey.group.id)", "name": "X", "primaryColour": "red", "secondaryColour": "#ffd700"}"##).status == .unprocessableEntity)
            for login in ["viewer", "caseworker", "member"] {
                let other = try await APIClient.forUser(login, on: app)
                for path in ["/products", "/products/\(honey.product.id)/requirements", "/documents", "/regulations", "/brands", "/groups/\(honey.group.id)/peer-visits"] {
                    #expect(try await other.send(.GET, path).status == .forbidden, "\(login) \(path)")
                }
            }
        }
    }
}

@Suite("Certification pages")
struct CertificationPagesTests {
    @Test("A coordinator adds a product, records a batch, registers a declaration with its scan, prints labels with the QR code and the EAC mark; the public page needs no login")
    func productToLabel() async throws {
        try await withAshar { app, fixture in
            let honey = try await HoneyGroup.make(app, fixture)
            let browser = Browser(app, acceptLanguage: "ru")
            try await browser.login("coordinator")
            let created = try await browser.post("/products", ["organisation_id": honey.group.id.uuidString, "name_ky": "Кымыз", "name_ru": "Кумыс",
                                                               "category": "dairy", "net_quantity": "1", "net_unit": "l", "shelf_life_days": "abc"])
            #expect(created.status == .unprocessableEntity)
            #expect(created.body.string.contains("«abc» — не целое число."))
            let ok = try await browser.post("/products", ["organisation_id": honey.group.id.uuidString, "name_ky": "Кымыз", "name_ru": "Кумыс",
                                                          "category": "dairy", "net_quantity": "1", "net_unit": "l", "shelf_life_days": "5",
                                                          "composition_ky": "бээ сүтү", "composition_ru": "кобылье молоко",
                                                          "storage_ky": "+2…+6 °C", "storage_ru": "при +2…+6 °C"])
            #expect(ok.status == .seeOther)
            let path = try #require(ok.headers.first(name: .location))
            let product = try await browser.get(path)
            #expect(product.body.string.contains("TR CU 033/2013") && product.body.string.contains("TR CU 021/2011"))
            #expect(product.body.string.contains("Без знака EAC"))
            let id = String(path.dropFirst("/products/".count))

            #expect(try await browser.post("\(path)/batches", ["batch_number": "К-7", "produced_on": "2026-11-25"]).status == .seeOther)
            let scanRefused = try await browser.upload("/documents", data: Data("<html>not a pdf</html>".utf8), named: "declaration.pdf", field: "scan",
                                                       contentType: "application/pdf", fields: ["type": "declaration", "number": "Д-1", "issued_on": "2026-11-01",
                                                                                                "expires_on": "2029-10-31", "product_ids[]": id])
            #expect(scanRefused.status == .unprocessableEntity)
            #expect(try await DocumentService(db: app.db).documents(page: PageQuery(page: 1, per: 10)).total == 0, "a refused scan registers nothing")
            let registered = try await browser.upload("/documents", data: TestFiles.pdf, named: "declaration.pdf", field: "scan", contentType: "application/pdf",
                                                      fields: ["type": "declaration", "number": "Д-1", "issued_on": "2026-11-01", "expires_on": "2027-01-10",
                                                               "product_ids[]": id])
            #expect(registered.status == .seeOther)
            let document = try await browser.get(try #require(registered.headers.first(name: .location)))
            #expect(document.body.string.contains("scan.pdf"))

            let labels = try await browser.get("\(path)/labels?lang=ky&size=small")
            let html = labels.body.string
            #expect(labels.status == .ok)
            #expect(html.contains("class=\"qr\"") && html.contains("aria-label=\"EAC\""))
            #expect(html.contains("Курамы") && html.contains("бээ сүтү") && html.contains("К-7"))
            #expect(html.components(separatedBy: "<article class=\"label\">").count - 1 == 18)

            // The label check lists what is missing before printing; without a valid declaration, no EAC mark.
            let honeyLabels = try await browser.get("/products/\(honey.product.id)/labels?lang=ru").body.string
            #expect(honeyLabels.contains("Партия") && honeyLabels.contains("role=\"alert\"") && !honeyLabels.contains("aria-label=\"EAC\""))

            // The coordinator's home page shows the declaration expiring within 60 days.
            #expect(try await browser.get("/").body.string.contains("1 документ о соответствии истекает в ближайшие 60 дней"))

            let batch = try #require(try await BatchService(db: app.db).batches(of: UUID(uuidString: id)!).first)
            let stranger = Browser(app, acceptLanguage: "ky")
            let page = try await stranger.get("/p/\(batch.code)")
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Кымыз") && page.body.string.contains(honey.group.name) && page.body.string.contains("✓"))
            #expect(!page.body.string.contains("Алиева"))
            #expect(try await stranger.get("/p/ZZZZZZZZ").status == .notFound)
            #expect(try await stranger.get("/products").status == .seeOther, "the rest asks for a login")
        }
    }

    @Test("Uploads are judged by their bytes: a logo or photo that is not what it says is refused, an SVG loses its scripts, an oversized file is never stored")
    func uploads() async throws {
        try await withAshar { app, fixture in
            let honey = try await HoneyGroup.make(app, fixture)
            let brand = try await BrandService(db: app.db).create(honey.group.id, name: "Таттуу", primaryColour: "#c8102e", secondaryColour: "#ffd700", by: .system)
            let browser = Browser(app, acceptLanguage: "en")
            try await browser.login("coordinator")
            try await browser.get("/brands/\(brand.id)")
            let gif = try await browser.upload("/brands/\(brand.id)/logo", data: Data("GIF89a....".utf8), named: "logo.png", field: "logo", contentType: "image/png")
            #expect(gif.status == .unprocessableEntity && gif.body.string.contains("The logo must be a PNG picture or an SVG drawing."))
            let svg = """
                <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)"><script>alert(2)</script><circle r="4" fill="#c8102e"/></svg>
                """
            #expect(try await browser.upload("/brands/\(brand.id)/logo", data: Data(svg.utf8), named: "logo.svg", field: "logo", contentType: "image/svg+xml").status == .seeOther)
            let logo = try await Browser(app).get("/brands/\(brand.id)/logo")
            #expect(logo.headers.contentType?.subType == "svg+xml")
            #expect(logo.body.string.contains("<circle") && !logo.body.string.contains("script") && !logo.body.string.contains("onload"))
            #expect(logo.headers.first(name: "Content-Security-Policy")?.contains("sandbox") == true)
            #expect(try await browser.upload("/brands/\(brand.id)/logo", data: TestFiles.png, named: "logo.png", field: "logo", contentType: "image/png").status == .seeOther)
            #expect(try await Browser(app).get("/brands/\(brand.id)/logo").headers.contentType?.subType == "png")

            try await browser.get("/products/\(honey.product.id)")
            let html = try await browser.upload("/products/\(honey.product.id)/photo", data: Data("<html></html>".utf8), named: "photo.jpg", field: "photo",
                                                contentType: "image/jpeg")
            #expect(html.status == .unprocessableEntity)
            let large = TestFiles.png + Data(count: ProductService.largestPhoto)
            #expect(try await browser.upload("/products/\(honey.product.id)/photo", data: large, named: "photo.png", field: "photo", contentType: "image/png").status
                    == .unprocessableEntity)
            let photos = app.certificationFiles.photos.directory
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: photos.path)) ?? []).isEmpty, "nothing refused was stored")
            #expect(try await browser.upload("/products/\(honey.product.id)/photo", data: TestFiles.png, named: "photo.png", field: "photo", contentType: "image/png").status
                    == .seeOther)
            #expect(try await browser.get("/products/\(honey.product.id)/photo").body.readableBytes == TestFiles.png.count)
            #expect(try FileManager.default.contentsOfDirectory(atPath: photos.path) == ["\(honey.product.id.uuidString.lowercased()).png"])

            // A file name that climbs out of the folder names nothing: files are named by their record's id.
            let escaping = "../../../escaped-\(UUID().uuidString).png"
            #expect(try await browser.upload("/products/\(honey.product.id)/photo", data: TestFiles.png, named: escaping, field: "photo", contentType: "image/png").status
                    == .seeOther)
            #expect(try FileManager.default.contentsOfDirectory(atPath: photos.path) == ["\(honey.product.id.uuidString.lowercased()).png"])
            let climbed = photos.appendingPathComponent(escaping).standardizedFileURL
            #expect(!FileManager.default.fileExists(atPath: climbed.path), "nothing written outside the data directory")
        }
    }
}

extension EveryPageTests {
    /// A product with a batch, a declaration, a brand and a peer visit: the certification pages.
    static func certificationPages(_ app: Application, _ fixture: Fixture) async throws -> [String] {
        let honey = try await HoneyGroup.make(app, fixture)
        let batch = try await BatchService(db: app.db).create(honey.product.id, batchNumber: "1", producedOn: "2026-09-01", bestBefore: nil, by: .system)
        let document = try await DocumentService(db: app.db).register(DocumentDraft(
            type: .declaration, number: "Д-1", issuedOn: "2026-01-01", expiresOn: "2027-01-31", productIDs: [honey.product.id]), by: .system)
        let brand = try await BrandService(db: app.db).create(honey.group.id, name: "Таттуу", primaryColour: "#c8102e", secondaryColour: "#ffd700", by: .system)
        _ = try await PathService(db: app.db).recordVisit(honey.group.id, VisitDraft(visitedOn: "2026-07-01", farm: "Участок", visitors: "Жамиля", passed: []), by: .system)
        _ = try await PathService(db: app.db).addStep(to: honey.product.id, StepDraft(kind: .sampling, cost: 120_000), by: .system)
        let p = "/products/\(honey.product.id)"
        return ["/products", p, "\(p)/labels", "\(p)/labels?lang=ky&size=large&batch=\(batch.id)", "/documents", "/documents?product=\(honey.product.id)",
                "/documents/\(document.id)", "/regulations", "/brands", "/brands/\(brand.id)", "/guarantee", "/guarantee/\(honey.group.id)", "/p/\(batch.code)"]
    }
}
