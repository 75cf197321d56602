import Foundation
import Testing
import VaporTesting
@testable import App

@Suite("Survey form pages")
struct FormsPagesTests {
    @Test("A coordinator imports a form and reads its questions in Kyrgyz; a malformed one lists its problems by sheet and row")
    func importAndRead() async throws {
        try await withAshar { app, _ in
            let browser = Browser(app, acceptLanguage: "ky")
            try await browser.login("coordinator")
            let list = try await browser.get("/forms")
            #expect(list.status == .ok)
            #expect(list.body.string.contains("Сурамжылоо формалары"))
            #expect(list.body.string.contains("Муктаждыктарды баштапкы изилдөө"))  // the baseline, in every installation
            let download = try await browser.get("/forms/baseline-needs-survey.csv")
            #expect(download.headers.contentType?.subType == "csv")
            #expect(download.body.string.contains("ashar_baseline_needs"))

            let bad = try await browser.upload("/forms", file: "survey,type,name,label\n,integer,age,Age\n,selekt_one x,colour,Colour\n", named: "bad.csv")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.string.contains("survey барагы, 3-сап"))
            #expect(bad.body.string.contains("Белгисиз суроо түрү «selekt_one x»"))

            let form = String(decoding: try FormsAPITests.fixture("household-form.csv"), as: UTF8.self)
            let imported = try await browser.upload("/forms", file: form, named: "household.csv")
            #expect(imported.status == .seeOther)
            let location = try #require(imported.headers.first(name: .location))
            let page = try await browser.get(location)
            #expect(page.status == .ok)
            #expect(page.body.string.contains("Үй-бүлөнүн кирешеси кайдан келет?"))
            #expect(page.body.string.contains("Бир нече тандоо + башка"))
            #expect(page.body.string.contains("11 суроо"))
            #expect(try await browser.get("/forms").body.string.contains(location))
        }
    }

    @Test("A member sees no forms; a caseworker reads them but cannot import")
    func access() async throws {
        try await withAshar { app, _ in
            let member = Browser(app)
            try await member.login("member", Fixture.pin)
            #expect(try await member.get("/forms").status == .forbidden)
            let caseworker = Browser(app)
            try await caseworker.login("caseworker")
            let list = try await caseworker.get("/forms")
            #expect(list.status == .ok)
            #expect(!list.body.string.contains(#"enctype="multipart/form-data""#))
            #expect(try await caseworker.upload("/forms", file: "survey,type,name\n,text,a\n", named: "a.csv").status == .forbidden)
        }
    }
}
