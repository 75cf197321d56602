import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Vapor

/// A group's reports: savings from joint purchases, sales revenue per member and per grade, the fund's
/// balance, equipment use — each an SVG chart with its CSV beside it.
struct ProducerReportsController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("producer-groups", ":group", "reports", use: page)
        routes.get("producer-groups", ":group", "reports", ":file", use: csv)
    }

    struct Page: Encodable {
        let tabs: GroupTabs
        let reports: [ChartReportView]
    }

    @Sendable func page(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let reports = try await build(req, scope)
        return try await req.render("producers/reports", title: req.t("producers.tab.reports"), Page(
            tabs: GroupTabs(req, scope, current: "/reports"),
            reports: reports.map { ChartReportView($0, csv: "/producer-groups/\(scope.group.id)/reports/\($0.id).csv") }))
    }

    @Sendable func csv(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        guard let file = req.parameters.get("file"), file.hasSuffix(".csv"),
              let report = try await build(req, scope).first(where: { $0.id == String(file.dropLast(4)) }) else { throw Abort(.notFound) }
        return CSV.response(report.rows, filename: file)
    }

    func build(_ req: Request, _ scope: GroupScope) async throws -> [ChartReport] {
        let reports = ProducerReports(db: req.db)
        let som = req.t("producers.csv.tyiyn")
        func money(_ id: String, _ keyHeader: String, _ rows: [(label: String, amount: Int)], extra: [String] = [], _ more: [[String]] = []) -> ChartReport {
            ChartReport(id: id, title: req.t("producers.report.\(id)"),
                        bars: rows.map { SVGChart.Bar(label: $0.label, value: $0.amount, caption: "\(Som.format($0.amount)) \(req.t("producers.som"))") },
                        rows: [[keyHeader, som] + extra] + rows.enumerated().map { [$0.element.label, String($0.element.amount)] + (more.isEmpty ? [] : more[$0.offset]) })
        }
        let savings = try await reports.savings(scope.group.id)
        let sales = try await reports.sales(scope.group.id)
        let grades = sales.byGrade.sorted { ($0.key ?? "~") < ($1.key ?? "~") }
        let fund = try await reports.fundByMonth(scope.group.id)
        let equipment = try await reports.equipmentUse(scope.group.id)
        return [
            money("savings", req.t("round.deadline"), savings.map { (BishkekCalendar.day(of: $0.deadline), $0.saving) },
                  extra: [req.t("producers.csv.supplier-total")], savings.map { [String($0.supplierTotal)] }),
            money("sales-members", req.t("person.full_name"), sales.dueByMember.map { (scope.name($0.key), $0.value) }.sorted { $0.0 < $1.0 }),
            money("sales-grades", req.t("pools.grade"), grades.map { ($0.key ?? req.t("pools.rejected"), $0.value.value) },
                  extra: [req.t("pools.quantity")], grades.map { [String($0.value.quantity)] }),
            money("fund", req.t("reports.csv.month"), fund.map { ($0.month, $0.risk) },
                  extra: [req.t("fund.maintenance-balance")], fund.map { [String($0.maintenance)] }),
            ChartReport(id: "equipment", title: req.t("producers.report.equipment"),
                        bars: equipment.map { SVGChart.Bar(label: $0.name, value: $0.days, caption: req.catalogue.plural("producers.days", count: $0.days)) },
                        rows: [[req.t("equipment.name"), req.t("equipment.days"), som]] + equipment.map { [$0.name, String($0.days), String($0.fees)] }),
        ]
    }
}
