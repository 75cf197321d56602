import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// A bank's reports for its coordinators: hours exchanged by month, category and village; active
/// members; how balances spread; who is far from zero. Each chart is SVG drawn here, with its CSV beside it.
struct ReportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let reports = routes.grouped("timebanks", ":bank", "reports")
        reports.get(use: page)
        reports.get(":file", use: csv)
    }

    struct MemberLine: Encodable {
        let number: String
        let name: String
        let balance: String
        let statement: String
    }

    struct Page: Encodable {
        let bankID: UUID
        let bankName: String
        let from: String
        let to: String
        let below: Int
        let above: Int
        let members: Int
        let active: Int
        let reports: [ChartReportView]
        let low: [MemberLine]
        let high: [MemberLine]
        /// Members far from zero beyond those listed: the CSV has them all.
        let more: Int
        let query: String
    }

    struct Period {
        let range: MonthRange
        /// Thresholds for members far from zero, in whole hours.
        let below: Int
        let above: Int

        init(_ req: Request) {
            range = MonthRange(first: try? req.query.get(String.self, at: "from"), last: try? req.query.get(String.self, at: "to"))
            below = (try? req.query.get(Int.self, at: "below")).map { -abs($0) } ?? -5
            above = (try? req.query.get(Int.self, at: "above")).map { abs($0) } ?? 20
        }

        var query: String { "from=\(range.first)&to=\(range.last)&below=\(-below)&above=\(above)" }
    }

    @Sendable func page(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let period = Period(req)
        let (reports, activity) = try await build(req, bankID: bank.id, period: period)
        let (low, high) = try await outliers(req, bankID: bank.id, period: period, listing: Self.listed)
        return try await req.render("timebanks/reports", title: req.t("reports.title"), Page(
            bankID: bank.id, bankName: bank.name, from: period.range.first, to: period.range.last, below: -period.below,
            above: period.above, members: activity.members, active: activity.active,
            reports: reports.map { ChartReportView($0, csv: "/timebanks/\(bank.id)/reports/\($0.id).csv?\(period.query)") },
            low: Array(low.lines), high: Array(high.lines), more: low.more + high.more, query: period.query))
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        guard let file = req.parameters.get("file"), file.hasSuffix(".csv") else { throw Abort(.notFound) }
        let id = String(file.dropLast(4))
        let period = Period(req)
        let rows: [[String]]
        if id == "outliers" {
            let (low, high) = try await outliers(req, bankID: bank.id, period: period, listing: .max)
            rows = [[req.t("timebanks.number"), req.t("person.full_name"), req.t("timebanks.csv.balance")]]
                + (low.lines + high.lines).map { [$0.number, $0.name, $0.balance] }
        } else {
            guard let report = try await build(req, bankID: bank.id, period: period).reports.first(where: { $0.id == id }) else {
                throw Abort(.notFound)
            }
            rows = report.rows
        }
        return CSV.response(rows, filename: "\(id)-\(period.range.first)-\(period.range.last).csv")
    }

    /// Every chart's report, and the period's activity (the page's headline figures come from it too).
    func build(_ req: Request, bankID: UUID, period: Period) async throws -> (reports: [ChartReport], activity: TimeBankReports.Activity) {
        let reports = TimeBankReports(db: req.db)
        let lang = req.appLocale.rawValue
        let range = period.range
        let hoursHeader = [req.t("reports.csv.minutes"), req.t("reports.csv.exchanges")]
        func hours(_ id: String, _ rows: [(label: String, minutes: Int, exchanges: Int)], keyHeader: String) -> ChartReport {
            ChartReport(id: id, title: req.t("reports.\(id)"),
                   bars: rows.map { SVGChart.Bar(label: $0.label, value: $0.minutes, caption: req.duration($0.minutes)) },
                   rows: [[keyHeader] + hoursHeader] + rows.map { [$0.label, String($0.minutes), String($0.exchanges)] })
        }

        let overview = try await reports.overview(bankID, range)
        let categoryNames = Dictionary(try await CategoryService(db: req.db).available(to: bankID).map { ($0.id, $0.name.named(lang)) },
                                       uniquingKeysWith: { a, _ in a })
        let villageNames = try await req.network.geography.lookup(overview.byVillage.map(\.key))
        let activity = overview.activity
        let buckets = try await reports.balanceDistribution(bankID)

        return ([
            hours("months", overview.byMonth.map { ($0.key, $0.minutes, $0.exchanges) }, keyHeader: req.t("reports.csv.month")),
            hours("categories", overview.byCategory.map { (($0.key.flatMap { categoryNames[$0] }) ?? req.t("reports.no-category"), $0.minutes, $0.exchanges) },
                  keyHeader: req.t("timebanks.category")),
            hours("villages", overview.byVillage.map { (villageNames[$0.key]?.name.named(lang) ?? "", $0.minutes, $0.exchanges) },
                  keyHeader: req.t("person.village")),
            ChartReport(id: "active", title: req.t("reports.active"),
                   bars: activity.byMonth.map { SVGChart.Bar(label: $0.key, value: $0.exchanges, caption: req.catalogue.plural("timebanks.member-count", count: $0.exchanges)) },
                   rows: [[req.t("reports.csv.month"), req.t("reports.csv.active")]] + activity.byMonth.map { [$0.key, String($0.exchanges)] }),
            ChartReport(id: "balances", title: req.t("reports.balances"),
                   bars: buckets.map { SVGChart.Bar(label: band($0, req), value: $0.members, caption: req.catalogue.plural("timebanks.member-count", count: $0.members)) },
                   rows: [[req.t("reports.csv.band"), req.t("reports.csv.from"), req.t("reports.csv.to"), req.t("reports.csv.members")]]
                       + buckets.map { [band($0, req), $0.from.map(String.init) ?? "", $0.to.map(String.init) ?? "", String($0.members)] }),
        ], activity)
    }

    /// "from −5 h to −1 h", "below −10 h", "20 h and more"; a band of one value is just that value.
    func band(_ bucket: TimeBankReports.Bucket, _ req: Request) -> String {
        switch (bucket.from, bucket.to) {
        case (nil, let to?): return req.t("reports.band.below", ["to": req.duration(to)])
        case (let from?, nil): return req.t("reports.band.above", ["from": req.duration(from)])
        case (let from?, let to?) where to == from + 1: return req.duration(from)
        case (let from?, let to?): return req.t("reports.band.between", ["from": req.duration(from), "to": req.duration(to)])
        case (nil, nil): return ""
        }
    }

    /// How many members far from zero the page lists on each side, furthest first.
    static let listed = 25

    func outliers(_ req: Request, bankID: UUID, period: Period, listing limit: Int)
        async throws -> (low: (lines: [MemberLine], more: Int), high: (lines: [MemberLine], more: Int)) {
        let (low, high) = try await TimeBankReports(db: req.db).outliers(bankID, below: period.below * 60, above: period.above * 60)
        let shown = (low.prefix(limit), high.prefix(limit))
        let people = try await PeopleService(db: req.db).lookup((shown.0 + shown.1).map(\.personID))
        func line(_ m: MemberRecord) -> MemberLine {
            MemberLine(number: m.memberNumber, name: people[m.personID]?.fullName ?? "", balance: req.duration(m.balanceMinutes),
                       statement: "/timebanks/\(bankID)/members/\(m.id)")
        }
        return ((shown.0.map(line), low.count - shown.0.count), (shown.1.map(line), high.count - shown.1.count))
    }
}
