@testable import App
@testable import TimeBank
import AsharNetwork
import Fluent
import Foundation
import Testing

import Vapor
import VaporTesting

@Suite("Importing members and opening balances")
struct MemberImportTests {
    @Test("A register typed in Excel (semicolons, Russian headers) becomes members with their balances; a woman already registered is not registered twice")
    func importsAll() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, settings: .init(welcomeCreditMinutes: 60), by: .system)
            let peopleBefore = try await Person.query(on: app.db).count()
            let office = Browser(app, acceptLanguage: "ru")
            try await office.login("coordinator")
            _ = try await office.get("/timebanks/\(fixture.bank.id)/import")
            let file = "\u{FEFF}Номер;ФИО;Село;Год рождения;Телефон;Баланс\r\n"
                + ";Асанова Гүлнара;Сарай;1980;;12:30\r\n"
                + "0102;Жумабаева Нургүл;сарай;1990;0555 123 456;-1:30\r\n;;;;;\r\n"
            let response = try await office.post("/timebanks/\(fixture.bank.id)/import", ["text": file])
            #expect(response.status == .ok)
            #expect(response.body.string.contains("Загружено: 2 участницы, новых в реестре: 1"))
            #expect(try await Person.query(on: app.db).count() == peopleBefore + 1)
            let members = try await TimeBankService(db: app.db).allMembers(fixture.bank.id)
            #expect(members.map(\.memberNumber).sorted() == ["0102", "СР-001"])
            #expect(members.first { $0.memberNumber == "СР-001" }?.balanceMinutes == 750)
            #expect(members.first { $0.memberNumber == "0102" }?.balanceMinutes == -90)
            // No welcome credit for carried-over members; the opening balances are marked, and the books still sum to zero.
            let transfers = try await TimeTransfer.query(on: app.db).all()
            #expect(transfers.count == 2 && transfers.allSatisfy { $0.purpose == .opening })
            #expect(try await TimeAccount.query(on: app.db).all().reduce(0) { $0 + $1.balanceMinutes } == 0)
            #expect(try await TimeBankReports(db: app.db).overview(fixture.bank.id, MonthRange(first: nil, last: nil)).byMonth
                .allSatisfy { $0.minutes == 0 })
        }
    }

    @Test("A file with wrong lines is refused whole, every wrong line named by its number")
    func allOrNothing() async throws {
        try await withAshar { app, fixture in
            _ = try await TimeBankService(db: app.db).open(fixture.bank.id, by: .system)
            let peopleBefore = try await Person.query(on: app.db).count()
            let office = Browser(app, acceptLanguage: "en")
            try await office.login("coordinator")
            _ = try await office.get("/timebanks/\(fixture.bank.id)/import")
            let bad = try await office.post("/timebanks/\(fixture.bank.id)/import", ["text": """
                number,full_name,village,birth_year,balance_minutes
                0201,Токтосунова Айгүл,Сарай,1984,30
                0202,Жумабаева Нургүл,Нет-Такого,1990,0
                0201,Бакирова Асель,Сарай,1991,abc
                """])
            #expect(bad.status == .unprocessableEntity)
            let html = bad.body.string
            #expect(html.contains("No village called “Нет-Такого”."))
            #expect(html.contains("Number 0201 is also on line 2."))
            #expect(html.contains("The balance is wrong"))
            #expect(html.contains("<td data-label=\"Line\">3</td>") && html.contains("<td data-label=\"Line\">4</td>"))
            // A name the registry refuses stops the file at the writing stage: the good line before it is rolled back.
            let latin = try await office.post("/timebanks/\(fixture.bank.id)/import", ["text": """
                number,full_name,village,birth_year
                0301,Токтосунова Айгүл,Сарай,1984
                0302,Aigul Latin,Сарай,1990
                """])
            #expect(latin.status == .unprocessableEntity)
            #expect(latin.body.string.contains("<td data-label=\"Line\">3</td>"))
            let missing = try await office.post("/timebanks/\(fixture.bank.id)/import", ["text": "number,name\n1,Айгүл"])
            #expect(missing.body.string.contains("Missing columns: village, birth_year."))
            #expect(try await Person.query(on: app.db).count() == peopleBefore)
            #expect(try await TimeBankMember.query(on: app.db).count() == 0)
            #expect(try await TimeTransfer.query(on: app.db).count() == 0)
        }
    }

    @Test("Hours are read as hours and minutes; blank is zero; nonsense is refused")
    func balances() {
        #expect(MemberImport.balance(minutes: "", hours: "12:30") == 750)
        #expect(MemberImport.balance(minutes: "", hours: "−2:05") == -125)
        #expect(MemberImport.balance(minutes: "", hours: "3") == 180)
        #expect(MemberImport.balance(minutes: "-90", hours: "") == -90)
        #expect(MemberImport.balance(minutes: "", hours: "") == 0)
        #expect(MemberImport.balance(minutes: "", hours: "1:75") == nil)
        #expect(MemberImport.balance(minutes: "1.5", hours: "") == nil)
    }
}
