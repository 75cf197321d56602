import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Referrals
import Vapor

/// The referrals in numbers for a period: cases and referrals by situation, district, service, status
/// and outcome, and the median time to first contact. Counts only, each under 5 shown as "<5".
struct ReferralReportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("referrals", "report", use: page)
    }

    struct Table: Encodable {
        let title: String
        let rows: [Choice]
    }

    struct ReportPage: Encodable {
        let from: String
        let to: String
        let totals: [Choice]
        let tables: [Table]
        let error: String?
    }

    @Sendable func page(req: Request) async throws -> Response {
        _ = try req.grants(CaseAccess.canReadReport)
        let period: ReferralPeriod
        do {
            period = try ReferralPeriod(from: req.query["from"], to: req.query["to"])
        } catch let error as DomainError {
            let fallback = try ReferralPeriod(from: nil, to: nil)
            return try await render(req, period: fallback, counts: nil, error: req.t(error.key, error.arguments))
        }
        let counts = try await ReferralReport(db: req.db).counts(from: period.start, to: period.end)
        return try await render(req, period: period, counts: counts, error: nil)
    }

    func render(_ req: Request, period: ReferralPeriod, counts: ReferralCounts?, error: String?) async throws -> Response {
        let lang = req.appLocale.rawValue
        let districts = Dictionary(uniqueKeysWithValues: try await req.network.geography.all(level: .district).map { ($0.id, $0.name.named(lang)) })
        // Each row: its label (value) and its count as shown (label).
        func rows<K>(_ counts: [K: Int], _ name: (K) -> String) -> [Choice] {
            counts.map { (name($0.key), $0.value) }.sorted { ($1.1, $0.0) < ($0.1, $1.0) }
                .map { Choice(value: $0.0, label: SmallCount.shown($0.1), selected: false) }
        }
        let tables = counts.map { c in [
            Table(title: req.t("referrals.situations"), rows: rows(c.bySituation) { req.t("referrals.situation.\($0.rawValue)") }),
            Table(title: req.t("referrals.district"), rows: rows(c.byDistrict) { districts[$0] ?? "—" }),
            Table(title: req.t("referrals.service"), rows: rows(c.byServiceKind) { req.t("referrals.kind.\($0.rawValue)") }),
            Table(title: req.t("referrals.status"), rows: rows(c.byStatus) { req.t("referrals.status.\($0.rawValue)") }),
            Table(title: req.t("referrals.outcome"), rows: rows(c.byOutcome) { req.t("referrals.outcome.\($0.rawValue)") }),
        ] } ?? []
        let totals = counts.map { c in [
            Choice(value: req.t("referrals.report.cases"), label: SmallCount.shown(c.cases), selected: false),
            Choice(value: req.t("referrals.report.referrals"), label: SmallCount.shown(c.referrals), selected: false),
            Choice(value: req.t("referrals.report.first-contact"),
                   label: c.medianHoursToFirstContact.map { req.catalogue.plural("referrals.hours-count", count: $0) } ?? "—", selected: false),
        ] } ?? []
        return try await req.render("referrals/report", title: req.t("referrals.report"), ReportPage(
            from: period.from, to: period.to, totals: totals, tables: tables, error: error), status: error == nil ? .ok : .unprocessableEntity)
    }
}
