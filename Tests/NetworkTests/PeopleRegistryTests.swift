import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import SQLKit
import TestSupport
import Testing

@Suite("People registry")
struct PeopleRegistryTests {
    @Test("Search folds case, ө/ү/ң and Latin spelling; also finds phone and member number")
    func searchFolds() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let gulnara = try await make.person("Асанова Гүлнара", in: saray, phone: "0555 123 456")
            _ = try await make.person("Исакова Айжан", in: saray)
            let bank = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: saray)
            try await PeopleService(db: db).addMemberNumber(personID: gulnara.id, organisationID: bank.id, number: "СР-001", by: .system)
            let people = PeopleService(db: db)
            for query in ["Гүлнара", "Гулнара", "gulnara", "GULNARA", "асанова гулн", "Gulnara Asanova", "555 123", "СР-001"] {
                let found = try await people.search(q: query, page: PageQuery())
                #expect(found.items.map(\.id) == [gulnara.id], "query \(query)")
            }
            #expect(try await people.search(q: "", page: PageQuery()).total == 2)
            #expect(try await people.search(q: "Бурул", page: PageQuery()).total == 0)
        }
    }

    @Test("A name is found by the beginnings of its words, not their middles; a corrected name is found by the new one only")
    func searchByWordStarts() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let nurgul = try await make.person("Сыдыкова Нургүл", in: saray)
            _ = try await make.person("Сыдыкбекова Айгүл", in: saray)
            let people = PeopleService(db: db)
            #expect(try await people.search(q: "нург сыдык", page: PageQuery()).items.map(\.id) == [nurgul.id])
            #expect(try await people.search(q: "сыдык", page: PageQuery()).total == 2)
            #expect(try await people.search(q: "дыкова", page: PageQuery()).total == 0)
            let draft = PersonDraft(fullName: "Осмонова Нургүл", sex: .female, birthYear: nurgul.birthYear, villageID: saray.id)
            _ = try await people.update(nurgul.id, draft, by: .system)
            #expect(try await people.search(q: "осмон", page: PageQuery()).items.map(\.id) == [nurgul.id])
            #expect(try await people.search(q: "сыдык", page: PageQuery()).total == 1)
            #expect(try await people.search(q: "сыдыкова нургүл", page: PageQuery()).total == 0)
            // Matches come in name order, a page at a time, whichever way the database finds them.
            for name in ["Сыдыкова Мээрим", "Сыдыкова Айжан"] { _ = try await make.person(name, in: saray) }
            let first = try await people.search(q: "сыдык", page: PageQuery(page: 1, per: 2))
            let second = try await people.search(q: "сыдык", page: PageQuery(page: 2, per: 2))
            #expect(first.total == 3 && second.total == 3)
            #expect((first.items + second.items).map(\.fullName) == ["Сыдыкбекова Айгүл", "Сыдыкова Айжан", "Сыдыкова Мээрим"])
        }
    }

    @Test("The registry's total is kept by the database through any insert and delete, one row or many")
    func keptTotal() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            _ = try await make.person("Асанова Гүлнара", in: saray)
            let people = PeopleService(db: db)
            #expect(try await people.count() == 1)
            // Written past the services, as a bulk load does: three rows in one statement.
            let sql = db as! any SQLDatabase
            let ids = [UUID(), UUID(), UUID()]
            var rows = SQLQueryString("")
            for (index, id) in ids.enumerated() {
                rows.appendInterpolation("\(unsafeRaw: index == 0 ? "" : ", ")(\(bind: id), 'Исакова Айжан', 'isakova aijan', 'female', 1990, \(bind: saray.id), \(bind: false))" as SQLQueryString)
            }
            try await sql.raw("INSERT INTO people (id, full_name, search_key, sex, birth_year, village_id, contact_consent) VALUES \(rows)").run()
            #expect(try await people.count() == 4)
            #expect(try await people.search(q: nil, page: PageQuery()).total == 4)
            try await sql.raw("DELETE FROM people WHERE id IN (\(SQLQueryString.list(Array(ids.prefix(2)))))").run()
            #expect(try await people.count() == 2)
            #expect(try await people.search(q: nil, page: PageQuery(page: 1, per: 1)).total == 2)
            #expect(try await people.search(q: "айжан", page: PageQuery()).total == 1)
            #expect(try await people.search(q: "айжан", page: PageQuery()).items.map(\.id) == [ids[2]])
        }
    }

    @Test("A search's page merges the names under every word it begins, each name once, in name order — also past the words it can merge")
    func pageAcrossWords() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            // "ай" begins two words of Айдарова Айгүл: she is listed once.
            for name in ["Айдарова Айгүл", "Бекова Айжан", "Айтматова Бурул", "Осмонова Нургүл"] { _ = try await make.person(name, in: saray) }
            let people = PeopleService(db: db)
            let found = try await people.search(q: "ай", page: PageQuery(page: 1, per: 2)), rest = try await people.search(q: "ай", page: PageQuery(page: 2, per: 2))
            #expect(found.total == 3)
            #expect((found.items + rest.items).map(\.fullName) == ["Айдарова Айгүл", "Айтматова Бурул", "Бекова Айжан"])
            // More words begin "к" than a page merges (seventy given names written past the services).
            let sql = db as! any SQLDatabase
            func word(_ index: Int) -> String { "k" + String(UnicodeScalar(UInt8(97 + index / 26))) + String(UnicodeScalar(UInt8(97 + index % 26))) }
            for index in (0..<70).reversed() {
                let word = word(index)
                try await sql.raw("""
                    INSERT INTO people (id, full_name, search_key, sex, birth_year, village_id, contact_consent)
                    VALUES (\(bind: UUID()), \(bind: "Тест \(word)"), \(bind: "test " + word), 'female', 1990, \(bind: saray.id), \(bind: false))
                    """).run()
            }
            let many = try await people.search(q: "к", page: PageQuery(page: 2, per: 30))
            #expect(many.total == 70)
            #expect(many.items.map(\.fullName) == (30..<60).map { "Тест " + word($0) })
        }
    }

    @Test("Someone who looks like an existing person is refused until confirmed")
    func duplicateWarning() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let first = try await make.person("Асанова Гүлнара", in: saray, born: 1980)
            let people = PeopleService(db: db)
            let draft = PersonDraft(fullName: "АСАНОВА  Гулнара", sex: .female, birthYear: 1980, villageID: saray.id)
            await #expect(throws: PossibleDuplicate.self) { _ = try await people.create(draft, by: .system) }
            do {
                _ = try await people.create(draft, by: .system)
            } catch let duplicate as PossibleDuplicate {
                #expect(duplicate.matches.map(\.id) == [first.id])
            }
            #expect(try await people.count() == 1)
            // Another birth year is another person.
            var other = draft
            other.birthYear = 1981
            _ = try await people.create(other, by: .system)
            // Confirmed: registered.
            _ = try await people.create(draft, confirmedNotDuplicate: true, by: .system)
            #expect(try await people.count() == 3)
        }
    }

    @Test("Bad input is refused with every field's error, and nothing is saved")
    func validation() async throws {
        try await TestDatabase.withDatabase { db in
            let people = PeopleService(db: db)
            let draft = PersonDraft(fullName: "Gulnara Asanova", sex: .female, birthYear: 1850, villageID: UUID(), phone: "12")
            do {
                _ = try await people.create(draft, by: .system)
                Issue.record("invalid person was saved")
            } catch let errors as ValidationErrors {
                #expect(Set(errors.errors.map(\.code)) == [
                    "network.person.full_name-not-cyrillic", "network.person.birth_year-invalid",
                    "network.person.village_id-invalid", "network.person.phone-invalid",
                ])
                #expect(Set(errors.errors.compactMap(\.field)) == ["full_name", "birth_year", "village_id", "phone"])
            }
            #expect(try await people.count() == 0)
            #expect(try await AuditEntry.query(on: db).filter(\.$entity == "person").count() == 0)
        }
    }

    @Test("Every write is in the audit log with the fields it changed, and the log cannot be changed")
    func audit() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let person = try await make.person("Асанова Гүлнара", in: saray, born: 1980)
            let staff = Actor(userID: UUID(), login: "office1", onBehalfOf: person.id)
            var draft = PersonDraft(person)
            draft.phone = "0700 111 222"
            _ = try await PeopleService(db: db).update(person.id, draft, by: staff)
            let log = try await AuditLog(db: db).list(entity: "person", entityID: person.id, page: PageQuery())
            #expect(log.total == 2)
            let update = try #require(log.items.first { $0.action == "update" })
            #expect(update.actorLogin == "office1")
            #expect(update.onBehalfOf == person.id)
            #expect(update.changes == [FieldChange(field: "phone", from: nil, to: "+996 700 111 222")])

            let sql = try #require(db as? any SQLDatabase)
            await #expect(throws: (any Error).self) { try await sql.raw("UPDATE audit_entries SET actor_login = 'someone'").run() }
            await #expect(throws: (any Error).self) { try await sql.raw("DELETE FROM audit_entries").run() }
            #expect(try await AuditEntry.query(on: db).filter(\.$actorLogin == "office1").count() == 1)
        }
    }

    @Test("Member numbers are unique within an organisation")
    func memberNumbers() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let saray = try await make.village()
            let a = try await make.person("Асанова Гүлнара", in: saray)
            let b = try await make.person("Исакова Айжан", in: saray)
            let bank = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: saray)
            let people = PeopleService(db: db)
            try await people.addMemberNumber(personID: a.id, organisationID: bank.id, number: "101", by: .system)
            await #expect(throws: DomainError("network.member-number.taken", kind: .conflict, field: "number", arguments: ["number": "101"])) {
                try await people.addMemberNumber(personID: b.id, organisationID: bank.id, number: "101", by: .system)
            }
            await #expect(throws: DomainError.self) {
                try await people.addMemberNumber(personID: a.id, organisationID: bank.id, number: "102", by: .system)
            }
            #expect(try await people.memberNumbers(of: a.id).map(\.number) == ["101"])
        }
    }
}
