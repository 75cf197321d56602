@testable import App
import AsharNetwork
import Fluent
import Foundation
import Testing
import TimeBank
import Vapor
import VaporTesting

@Suite("Time bank reports")
struct ReportsTests {
    /// Three exchanges in two months, one of them reversed: the reports count the two that stand.
    static func exchanges(_ app: Application, _ fixture: Fixture) async throws -> (members: [MemberRecord], category: UUID) {
        let m = try await TimeBankAPITests.openBank(app, fixture)
        let category = try #require(try await CategoryService(db: app.db).available(to: fixture.bank.id).first).id
        let ledger = Ledger(db: app.db)
        _ = try await ledger.record(ExchangeDraft(bankID: fixture.bank.id, provider: m[0].id, recipient: m[1].id, minutes: 90,
                                                  categoryID: category, serviceDate: "2026-10-05"), by: .system)
        _ = try await ledger.record(ExchangeDraft(bankID: fixture.bank.id, provider: m[1].id, recipient: m[2].id, minutes: 60,
                                                  serviceDate: "2026-11-03"), by: .system)
        let mistake = try await ledger.record(ExchangeDraft(bankID: fixture.bank.id, provider: m[2].id, recipient: m[0].id, minutes: 30,
                                                            serviceDate: "2026-11-04"), by: .system)
        _ = try await ledger.reverse(fixture.bank.id, transferID: mistake.id, by: .system)
        return (m, category)
    }

    @Test("Hours by month, category and village; active members; balance bands; members far from zero")
    func figures() async throws {
        try await withAshar { app, fixture in
            let (m, category) = try await Self.exchanges(app, fixture)
            let reports = TimeBankReports(db: app.db)
            let range = MonthRange(first: "2026-09", last: "2026-11")
            let overview = try await reports.overview(fixture.bank.id, range)
            let months = overview.byMonth
            #expect(months.map(\.key) == ["2026-09", "2026-10", "2026-11"])
            #expect(months.map(\.minutes) == [0, 90, 60])
            let categories = overview.byCategory
            #expect(categories.count == 2)
            #expect(categories.first { $0.key == category }?.minutes == 90)
            #expect(categories.first { $0.key == nil }?.minutes == 60)
            let villages = overview.byVillage
            #expect(villages.map(\.key) == [fixture.village.id])
            #expect(villages.map(\.minutes) == [150])
            let activity = overview.activity
            #expect(activity.members == 3 && activity.active == 3)
            #expect(activity.byMonth.map(\.exchanges) == [0, 2, 2])
            let bands = try await reports.balanceDistribution(fixture.bank.id)
            #expect(bands.reduce(0) { $0 + $1.members } == 3)
            #expect(bands.first { $0.from == -60 && $0.to == 0 }?.members == 2)
            #expect(bands.first { $0.from == 60 && $0.to == 300 }?.members == 1)
            let (low, high) = try await reports.outliers(fixture.bank.id, below: -60, above: 60)
            #expect(low.map(\.id) == [m[2].id])
            #expect(high.map(\.id) == [m[0].id])
            // A month with nothing exchanged in it still has its row; another period, other figures.
            #expect(try await reports.overview(fixture.bank.id, MonthRange(first: "2026-11", last: "2026-11")).byMonth.map(\.minutes) == [60])
        }
    }

    @Test("The reports page draws SVG charts on the server, each with its CSV; only those who run the bank see it")
    func page() async throws {
        try await withAshar { app, fixture in
            _ = try await Self.exchanges(app, fixture)
            let office = Browser(app, acceptLanguage: "ky")
            try await office.login("coordinator")
            let page = try await office.get("/timebanks/\(fixture.bank.id)/reports?from=2026-10&to=2026-11&below=1&above=1")
            #expect(page.status == .ok)
            let html = page.body.string
            #expect(html.components(separatedBy: "<svg").count - 1 == 5)
            #expect(html.contains("1 саат 30 мүнөт"))
            #expect(!html.contains("&lt;svg"))
            let csv = try await office.get("/timebanks/\(fixture.bank.id)/reports/months.csv?from=2026-10&to=2026-11")
            #expect(csv.status == .ok)
            #expect(csv.headers.contentType?.subType == "csv")
            #expect(csv.body.string.contains("2026-10,90,1\r\n2026-11,60,1"))
            let outliers = try await office.get("/timebanks/\(fixture.bank.id)/reports/outliers.csv?below=1&above=1")
            #expect(outliers.body.string.components(separatedBy: "\r\n").count == 4)  // header, two members, final line break
            #expect(try await office.get("/timebanks/\(fixture.bank.id)/reports/nothing.csv").status == .notFound)
            let viewer = Browser(app)
            try await viewer.login("viewer")
            #expect(try await viewer.get("/timebanks/\(fixture.bank.id)/reports").status == .forbidden)
        }
    }
}
