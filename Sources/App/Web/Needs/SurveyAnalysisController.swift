import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import Vapor

/// A form's answers counted: one question's frequencies with a chart, or two crossed (by district,
/// village, age band or another question) with each column's ranking — the needs ranking per district.
/// Each view has its CSV beside it, in the reader's language. Counts only: no submission is shown.
struct SurveyAnalysisController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("forms", ":form", "analysis", use: page)
        routes.get("forms", ":form", "analysis.csv", use: csv)
    }

    struct Query: Decodable {
        var question: String?
        var by: String?
        var weight: String?
    }

    struct FrequencyRow: Encodable {
        let label: String
        let count: Int
        let percent: String
        let interval: String
        let mentions: String?
        let small: Bool
    }

    struct FrequencyView: Encodable {
        let label: String
        let respondents: String
        let multiple: Bool
        let rows: [FrequencyRow]
        let svg: String
        let summary: [String]?
    }

    struct CrossCell: Encodable {
        let count: Int
        let percent: String
        let small: Bool
    }

    struct CrossRow: Encodable {
        let label: String
        let cells: [CrossCell]
    }

    struct RankColumn: Encodable {
        let label: String
        let items: [String]
    }

    struct CrosstabView: Encodable {
        let rowLabel: String
        let columnLabel: String
        let unit: String?
        let svg: String
        let columns: [String]
        let rows: [CrossRow]
        let respondents: [Int]
        let ranking: [RankColumn]
    }

    struct Page: Encodable {
        let formID: UUID
        let title: String
        let questions: [Choice]
        let bys: [Choice]
        let weights: [Choice]
        let frequencies: FrequencyView?
        let crosstab: CrosstabView?
        let csv: String
        let error: String?
    }

    @Sendable func page(req: Request) async throws -> Response {
        _ = try req.grants(NeedsAccess.canReadForms)
        let form = try await FormService(db: req.db).form(try req.pathID("form"))
        let d = form.definition
        let language = req.appLocale.rawValue
        let query = try req.query.decode(Query.self)
        let analysable = d.questions.filter { ($0.kind.isAsked || $0.kind == .calculate) && $0.kind != .geopoint }
        let question = query.question.nonBlank ?? analysable.first { $0.kind == .selectMultiple || $0.kind == .selectOne }?.name ?? analysable.first?.name ?? ""
        let by = query.by.nonBlank
        let weight = query.weight.nonBlank
        let hasAge = d.question(Dimension.ageBandQuestion)?.kind == .integer
        // A question inside a repeat says which: its answers are counted per entry.
        func label(_ question: FormDefinition.Question) -> String {
            d.label(of: question, language) + (d.repeatName(of: question).flatMap(d.question).map { " · " + d.label(of: $0, language) } ?? "")
        }
        func options(_ selected: String?, blank: String?, numbersOnly: Bool = false, ageBand: Bool = false) -> [Choice] {
            (blank.map { [Choice(value: "", label: $0, selected: selected == nil)] } ?? [])
                + (ageBand && hasAge ? [Choice(value: Dimension.ageBandName, label: req.t("needs.analysis.age-band"), selected: selected == Dimension.ageBandName)] : [])
                + analysable.filter { !numbersOnly || (($0.kind == .integer || $0.kind == .decimal) && d.repeatName(of: $0) == nil) }.map {
                    Choice(value: $0.name, label: label($0), selected: $0.name == selected)
                }
        }
        let analysis = AnalysisService(db: req.db)
        var frequencies: FrequencyView?
        var crosstab: CrosstabView?
        var error: String?
        do {
            if let by {
                crosstab = view(try await analysis.crosstab(form: form.id, row: question, column: by, weight: weight, language: language, labels: req.analysisLabels), d, req)
            } else if !question.isEmpty {
                frequencies = view(try await analysis.frequencies(form: form.id, question: question, weight: weight, language: language, labels: req.analysisLabels), d, req)
            }
        } catch let domain as DomainError {
            error = req.t(domain.key, domain.arguments)
        }
        var csvQuery = URLComponents()
        csvQuery.queryItems = [URLQueryItem(name: "question", value: question)] + (by.map { [URLQueryItem(name: "by", value: $0)] } ?? [])
            + (weight.map { [URLQueryItem(name: "weight", value: $0)] } ?? [])
        return try await req.render("forms/analysis", title: req.t("analysis.title"), Page(
            formID: form.id, title: FormDefinition.text(d.title, language, default: d.defaultLanguage) ?? d.formID,
            questions: options(question, blank: nil, ageBand: true), bys: options(by, blank: req.t("analysis.by-none"), ageBand: true),
            weights: options(weight, blank: req.t("analysis.no-weight"), numbersOnly: true), frequencies: frequencies, crosstab: crosstab,
            csv: "/forms/\(form.id)/analysis.csv?" + (csvQuery.percentEncodedQuery ?? ""), error: error),
            status: error == nil ? .ok : .unprocessableEntity)
    }

    /// "6 entries in “Household member”" for a question in a repeat, nil for one asked once.
    func entries(_ count: Int, _ dimensions: [Needs.Dimension], _ form: FormDefinition, _ req: Request) -> String? {
        dimensions.lazy.compactMap(\.repeatName).first.flatMap(form.question).map {
            req.catalogue.plural("analysis.entries", count: count, ["repeat": form.label(of: $0, req.appLocale.rawValue)])
        }
    }

    func view(_ f: Frequencies, _ form: FormDefinition, _ req: Request) -> FrequencyView {
        FrequencyView(
            label: f.dimension.label,
            respondents: entries(f.respondents, [f.dimension], form, req) ?? req.catalogue.plural("analysis.respondents", count: f.respondents),
            multiple: f.dimension.multiple,
            rows: f.rows.map {
                FrequencyRow(label: $0.category.label, count: $0.count, percent: percent($0.share.percent, req),
                             interval: percent($0.share.low, req) + " – " + percent($0.share.high, req),
                             mentions: $0.mentionsPercent.map { percent($0, req) }, small: $0.small)
            },
            svg: SVGChart.horizontal(f.rows.map { SVGChart.Bar(label: $0.category.label, value: Int(($0.share.percent * 10).rounded()), caption: percent($0.share.percent, req)) },
                                     title: f.dimension.label),
            summary: f.summary.map { s in
                [req.t("analysis.mean") + ": " + decimal(s.mean, req), req.t("analysis.median") + ": " + decimal(s.median, req),
                 req.t("analysis.range") + ": " + decimal(s.minimum, req) + " – " + decimal(s.maximum, req)]
            })
    }

    func view(_ tab: CrossTab, _ form: FormDefinition, _ req: Request) -> CrosstabView {
        CrosstabView(
            rowLabel: tab.row.label, columnLabel: tab.column.label,
            unit: entries(tab.columnRespondents.reduce(0, +), [tab.row, tab.column], form, req),
            svg: SVGChart.heatMap(rows: tab.row.categories.map(\.label), columns: tab.column.categories.map(\.label),
                                  cells: tab.cells.map { $0.map { SVGChart.HeatCell(percent: $0.share.percent, caption: String(format: "%.0f", $0.share.percent), small: $0.small) } },
                                  title: "\(tab.row.label) × \(tab.column.label)"),
            columns: tab.column.categories.map(\.label),
            rows: tab.row.categories.indices.map { r in
                CrossRow(label: tab.row.categories[r].label, cells: tab.cells[r].map {
                    CrossCell(count: $0.count, percent: percent($0.share.percent, req), small: $0.small)
                })
            },
            respondents: tab.columnRespondents,
            ranking: zip(tab.column.categories, tab.ranking()).compactMap { column, ranked in
                ranked.isEmpty ? nil : RankColumn(label: column.label, items: ranked.map { "\($0.category.label) — \(percent($0.cell.share.percent, req))" })
            })
    }

    @Sendable func csv(req: Request) async throws -> Response {
        _ = try req.grants(NeedsAccess.canReadForms)
        let form = try await FormService(db: req.db).form(try req.pathID("form"))
        let query = try req.query.decode(Query.self)
        guard let question = query.question.nonBlank else { throw DomainError("needs.analysis.question-unknown", arguments: ["name": ""]) }
        let analysis = AnalysisService(db: req.db)
        let language = req.appLocale.rawValue
        let header = ["analysis.csv.count", "analysis.csv.percent", "analysis.csv.ci-low", "analysis.csv.ci-high", "analysis.csv.small"].map { req.t($0) }
        if let by = query.by.nonBlank {
            let tab = try await analysis.crosstab(form: form.id, row: question, column: by, weight: query.weight.nonBlank, language: language, labels: req.analysisLabels)
            var rows = [[tab.row.label, tab.column.label] + header]
            for (r, category) in tab.row.categories.enumerated() {
                for (c, column) in tab.column.categories.enumerated() {
                    let cell = tab.cells[r][c]
                    rows.append([category.label, column.label, String(cell.count), number(cell.share.percent), number(cell.share.low),
                                 number(cell.share.high), cell.small ? "*" : ""])
                }
            }
            return CSV.response(rows, filename: "\(form.definition.formID)-\(question)-\(by).csv")
        }
        let f = try await analysis.frequencies(form: form.id, question: question, weight: query.weight.nonBlank, language: language, labels: req.analysisLabels)
        var rows = [[f.dimension.label] + header + (f.dimension.multiple ? [req.t("analysis.mentions")] : [])]
        for row in f.rows {
            rows.append([row.category.label, String(row.count), number(row.share.percent), number(row.share.low), number(row.share.high), row.small ? "*" : ""]
                        + (row.mentionsPercent.map { [number($0)] } ?? []))
        }
        return CSV.response(rows, filename: "\(form.definition.formID)-\(question).csv")
    }

    /// 30.9 % in English, 30,9 % in Kyrgyz and Russian.
    func percent(_ value: Double, _ req: Request) -> String { decimal(value, req) + " %" }

    func decimal(_ value: Double, _ req: Request) -> String {
        let text = number(value)
        return req.appLocale.rawValue == "en" ? text : text.replacingOccurrences(of: ".", with: ",")
    }

    /// One decimal at most, for files other programs read.
    func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}
