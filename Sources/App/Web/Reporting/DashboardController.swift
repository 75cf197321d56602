import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Referrals
import Reporting
import Vapor

/// The network's dashboard: every indicator for a period, the network's total and each district's,
/// a chart by district and one over time (by month, quarter or year), and a CSV beside each. Counts
/// only; referral cells under 5 read "<5".
struct DashboardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("dashboard", use: dashboard)
        routes.get("dashboard.csv", use: csv)
        routes.get("donor-report", use: donorReport)
    }

    /// The period asked for: `from`–`to` days, or this year so far.
    static func period(_ req: Request) -> (from: String, to: String) {
        let today = BishkekCalendar.day(of: Date())
        let from = (req.query["from"] as String?).flatMap { BishkekCalendar.start(of: $0) != nil ? $0 : nil } ?? String(today.prefix(4)) + "-01-01"
        let to = (req.query["to"] as String?).flatMap { BishkekCalendar.start(of: $0) != nil ? $0 : nil } ?? today
        return from <= to ? (from, to) : (to, from)
    }

    /// How the period is cut for the charts over time: `by=month|quarter|year`, by month unless asked.
    static func step(_ req: Request) -> PeriodStep {
        (req.query["by"] as String?).flatMap(PeriodStep.init(rawValue:)) ?? .month
    }

    static func label(_ slice: PeriodSlice, _ req: Request) -> String {
        switch slice.step {
        case .month: String(format: "%04d-%02d", slice.year, slice.number)
        case .quarter: req.t("dashboard.quarter", ["year": String(slice.year), "quarter": String(slice.number)])
        case .year: String(slice.year)
        }
    }

    /// An indicator's value as people read it: hours for minutes, som for tyiyn, "<5" for a small sensitive count.
    static func shown(_ value: Int, _ code: IndicatorCode, _ req: Request) -> String {
        if code.isSensitive { return SmallCount.shown(value) }
        switch code.unit {
        case .minutes: return req.duration(value)
        case .tyiyn: return "\(Som.format(value)) \(req.t("producers.som"))"
        case .count: return String(value)
        }
    }

    struct Cell: Encodable {
        let value: String
    }

    struct Row: Encodable {
        let code: String
        let title: String
        let total: String
        let cells: [Cell]
        let svg: String
        let overTime: String
    }

    struct DashboardPage: Encodable {
        let from: String
        let to: String
        let districts: [String]
        let rows: [Row]
        let query: String
        let periods: [DocumentsController.Link]
        let steps: [Choice]
    }

    /// The period's indicators, cut by `step` over time if asked, and the districts to show them by.
    static func load(_ req: Request, step: PeriodStep? = nil) async throws
        -> (report: IndicatorReport, series: [(slice: PeriodSlice, report: IndicatorReport)], districts: [PlaceRecord]) {
        try req.require(.readAggregates)
        let (from, to) = period(req)
        let (report, series) = try await NetworkIndicators(db: req.reportsDB).overview(from: from, to: to, step: step)
        let lang = req.appLocale.rawValue
        // The districts where the network did something in the period: a country has many more.
        let active = Set(report.indicators.flatMap(\.byDistrict.keys))
        let districts = try await req.network.geography.lookup(active).values.sorted { $0.name.named(lang) < $1.name.named(lang) }
        return (report, series, districts)
    }

    @Sendable func dashboard(req: Request) async throws -> Response {
        let step = Self.step(req)
        let (report, series, districts) = try await Self.load(req, step: step)
        let lang = req.appLocale.rawValue
        let today = BishkekCalendar.day(of: Date())
        let month = String(today.prefix(7)) + "-01"
        let quarter = String(today.prefix(5)) + String(format: "%02d", (Int(today.dropFirst(5).prefix(2))! - 1) / 3 * 3 + 1) + "-01"
        let query = "from=\(report.from)&to=\(report.to)&by=\(step.rawValue)"
        return try await req.render("reporting/dashboard", title: req.t("dashboard.title"), DashboardPage(
            from: report.from, to: report.to, districts: districts.map { $0.name.named(lang) },
            rows: report.indicators.map { indicator in
                let title = req.t("indicator.\(indicator.code.rawValue)")
                return Row(code: indicator.code.rawValue, title: title, total: Self.shown(indicator.total, indicator.code, req),
                           cells: districts.map { Cell(value: Self.shown(indicator.byDistrict[$0.id] ?? 0, indicator.code, req)) },
                           svg: indicator.code.isSensitive ? "" : SVGChart.horizontal(districts.map { district in
                               let value = indicator.byDistrict[district.id] ?? 0
                               return SVGChart.Bar(label: district.name.named(lang), value: value, caption: Self.shown(value, indicator.code, req))
                           }, title: title),
                           overTime: indicator.code.isSensitive || indicator.code.isStanding || series.count < 2 ? "" : SVGChart.horizontal(series.map { slice, sliceReport in
                               let value = sliceReport.value(indicator.code)?.total ?? 0
                               return SVGChart.Bar(label: Self.label(slice, req), value: value, caption: Self.shown(value, indicator.code, req))
                           }, title: req.t("dashboard.over-time", ["indicator": title])))
            },
            query: query,
            periods: [("dashboard.this-month", month), ("dashboard.this-quarter", quarter), ("dashboard.this-year", String(today.prefix(4)) + "-01-01")].map {
                DocumentsController.Link(href: "/dashboard?from=\($0.1)&to=\(today)&by=\(step.rawValue)", label: req.t($0.0))
            },
            steps: PeriodStep.allCases.map { Choice(value: $0.rawValue, label: req.t("dashboard.by.\($0.rawValue)"), selected: $0 == step) }))
    }

    struct ReportSection: Encodable {
        let title: String
        let about: String
        let total: String
        let districts: [ProductsController.Fact]
    }

    struct DonorReportPage: Encodable {
        let from: String
        let to: String
        let sections: [ReportSection]
        let languages: [DocumentsController.Link]
    }

    /// A report for funders: each indicator with what it counts, the network's figure and that of each district where it is not zero,
    /// laid out for paper (print it, or save it as PDF from the browser's print dialog).
    @Sendable func donorReport(req: Request) async throws -> Response {
        let (report, _, districts) = try await Self.load(req)
        let lang = req.appLocale.rawValue
        return try await req.render("reporting/donor-report", title: req.t("donor-report.title"), DonorReportPage(
            from: report.from, to: report.to,
            sections: report.indicators.map { indicator in
                ReportSection(title: req.t("indicator.\(indicator.code.rawValue)"), about: req.t("indicator-about.\(indicator.code.rawValue)"),
                              total: Self.shown(indicator.total, indicator.code, req),
                              districts: districts.filter { indicator.byDistrict[$0.id] != nil }.map {
                                  ProductsController.Fact(label: $0.name.named(lang), value: Self.shown(indicator.byDistrict[$0.id] ?? 0, indicator.code, req))
                              })
            },
            languages: AppLocale.allCases.map { locale in
                let back = "/donor-report?from=\(report.from)&to=\(report.to)"
                    .addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "/-_"))) ?? "/donor-report"
                return DocumentsController.Link(href: "/lang/\(locale.rawValue)?back=\(back)", label: locale.nativeName)
            }))
    }

    /// The whole table (indicators by district), or with `indicator=` one indicator over time: a row per
    /// month, quarter or year (none for a standing one), then the whole period, each with the network's
    /// figure and each district's.
    @Sendable func csv(req: Request) async throws -> Response {
        try req.require(.readAggregates)
        var code: IndicatorCode?
        if let asked = req.query["indicator"] as String? {
            guard let known = IndicatorCode(rawValue: asked) else { throw Abort(.notFound) }
            code = known
        }
        let (report, series, districts) = try await Self.load(req, step: code.flatMap { $0.isStanding ? nil : Self.step(req) })
        let lang = req.appLocale.rawValue
        let districtNames = districts.map { $0.name.named(lang) }
        func cells(_ indicator: Indicator?, _ code: IndicatorCode) -> [String] {
            [Self.csvValue(indicator?.total ?? 0, code)] + districts.map { Self.csvValue(indicator?.byDistrict[$0.id] ?? 0, code) }
        }
        if let code {
            let header = [req.t("dashboard.period"), "\(req.t("dashboard.total")) (\(req.t("dashboard.unit.\(code.unit.rawValue)")))"] + districtNames
            let rows = series.map { [Self.label($0.slice, req)] + cells($0.report.value(code), code) }
                + [["\(report.from) – \(report.to)"] + cells(report.value(code), code)]
            return CSV.response([header] + rows, filename: "\(code.rawValue)-\(report.from)-\(report.to).csv")
        }
        let header = [req.t("dashboard.indicator"), req.t("dashboard.unit"), req.t("dashboard.total")] + districtNames
        let rows = report.indicators.map { indicator in
            [req.t("indicator.\(indicator.code.rawValue)"), req.t("dashboard.unit.\(indicator.code.unit.rawValue)")] + cells(indicator, indicator.code)
        }
        return CSV.response([header] + rows, filename: "indicators-\(report.from)-\(report.to).csv")
    }

    /// In a spreadsheet, time as whole minutes and money as tyiyn (the units Ashar keeps), small sensitive counts as "<5".
    static func csvValue(_ value: Int, _ code: IndicatorCode) -> String {
        code.isSensitive ? SmallCount.shown(value) : String(value)
    }
}
