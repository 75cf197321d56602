import Foundation
import Kernel

/// What a frequency table or a cross-tab is made of: the answers of one question (or a band of ages),
/// each category the form allows, in the form's order, and any other value people gave.
public struct Dimension: Sendable {
    public struct Category: Sendable, Equatable {
        public let value: String
        public let label: String
    }

    public let name: String
    /// The question whose answers it reads (`age` for `age_band`).
    public let question: String
    public let label: String
    /// A multiple choice: one answer counts in several categories.
    public let multiple: Bool
    public let numeric: Bool
    /// The repeat the question is asked in: its answers are counted per entry (each household
    /// member), not per respondent.
    public var repeatName: String? = nil
    public private(set) var categories: [Category]
    let bucket: @Sendable (String) -> [String]

    /// The age question's bands, as the pilot's reports count them.
    public static let ageBandQuestion = "age"
    public static let ageBandName = "age_band"
    static let ageBands: [(upTo: Int, value: String)] = [(24, "16-24"), (34, "25-34"), (44, "35-44"), (54, "45-54"), (64, "55-64"), (Int.max, "65+")]

    /// The dimension `name` of the form: a question, or `age_band`. Text questions (a village typed by
    /// hand) fold their spellings together. Throws `needs.analysis.question-unknown`.
    public static func of(_ name: String, in form: FormDefinition, language: String, labels: [String: String] = [:]) throws -> Dimension {
        if name == ageBandName, let age = form.question(ageBandQuestion), age.kind == .integer {
            return Dimension(name: name, question: ageBandQuestion, label: labels[ageBandName] ?? name, multiple: false, numeric: false,
                             categories: ageBands.map { Category(value: $0.value, label: $0.value) }) { raw in
                guard let years = Int(raw) else { return [] }
                return [ageBands.first { years <= $0.upTo }!.value]
            }
        }
        guard let question = form.question(name), question.kind.isAsked || question.kind == .calculate else {
            throw DomainError("needs.analysis.question-unknown", field: name, arguments: ["name": name])
        }
        var dimension = plain(question, in: form, language: language, labels: labels)
        dimension.repeatName = form.repeatName(of: question)
        return dimension
    }

    static func plain(_ question: FormDefinition.Question, in form: FormDefinition, language: String, labels: [String: String]) -> Dimension {
        let name = question.name
        let label = form.label(of: question, language)
        switch question.kind {
        case .selectOne, .selectMultiple:
            var categories = (form.choices[question.choiceList ?? ""] ?? []).map { Category(value: $0.name, label: form.label(of: $0, language)) }
            if question.orOther, !categories.contains(where: { $0.value == "other" }) {
                categories.append(Category(value: "other", label: labels["other"] ?? "other"))
            }
            let multiple = question.kind == .selectMultiple
            return Dimension(name: name, question: name, label: label, multiple: multiple, numeric: false, categories: categories) { raw in
                multiple ? raw.split(separator: " ").map(String.init) : [raw]
            }
        case .text:
            return Dimension(name: name, question: name, label: label, multiple: false, numeric: false, categories: []) { [SearchKey.fold($0)] }
        case .integer, .decimal:
            return Dimension(name: name, question: name, label: label, multiple: false, numeric: true, categories: []) { [$0] }
        default:
            return Dimension(name: name, question: name, label: label, multiple: false, numeric: false, categories: []) { [$0] }
        }
    }

    /// Adds, in a stable order, the values found in the answers that the form does not list (a typed
    /// village, a number, a choice from an older version). A folded text keeps its most frequent spelling.
    mutating func addSeen(_ raws: [(raw: String, count: Int)]) {
        var known = Set(categories.map(\.value))
        var spellings: [String: [String: Int]] = [:]
        for (raw, count) in raws {
            for value in bucket(raw) where !known.contains(value) { spellings[value, default: [:]][raw, default: 0] += count }
        }
        let extra = spellings.map { value, counts in
            Category(value: value, label: counts.max { ($0.value, $1.key) < ($1.value, $0.key) }!.key)
        }
        let sorted = numeric
            ? extra.sorted { (Double($0.value) ?? .infinity, $0.value) < (Double($1.value) ?? .infinity, $1.value) }
            : extra.sorted { $0.label.localizedStandardCompare($1.label) == .orderedAscending }
        for category in sorted where !known.contains(category.value) {
            categories.append(category)
            known.insert(category.value)
        }
    }
}

/// Answers counted by group, as the database gives them: how many submissions gave this pair of
/// answers, and the sum of their weights and of the weights' squares (1 each without weights).
public struct AnswerCount: Sendable {
    public let row: String?
    public let column: String?
    public let count: Int
    public let weight: Double
    public let weightSquared: Double

    public init(row: String?, column: String?, count: Int, weight: Double, weightSquared: Double) {
        self.row = row
        self.column = column
        self.count = count
        self.weight = weight
        self.weightSquared = weightSquared
    }
}

/// A share with its 95% confidence interval (Wilson's score interval, on the effective sample size
/// when there are weights), in percent.
public struct Share: Sendable, Equatable {
    public let percent: Double
    public let low: Double
    public let high: Double

    static let z = 1.959963984540054

    /// `part` of `whole` (weighted sums), `effectiveSize` respondents behind them.
    public init(part: Double, whole: Double, effectiveSize: Double) {
        guard whole > 0, effectiveSize > 0 else {
            self.percent = 0; self.low = 0; self.high = 0
            return
        }
        let p = min(1, max(0, part / whole))
        let n = effectiveSize
        let z2 = Self.z * Self.z
        let centre = (p + z2 / (2 * n)) / (1 + z2 / n)
        let half = Self.z * ((p * (1 - p) / n + z2 / (4 * n * n)).squareRoot()) / (1 + z2 / n)
        self.percent = Self.rounded(p * 100)
        self.low = Self.rounded(max(0, centre - half) * 100)
        self.high = Self.rounded(min(1, centre + half) * 100)
    }

    static func rounded(_ percent: Double) -> Double { (percent * 10).rounded() / 10 }
}

/// A cell with fewer respondents than this is marked: its share says little and it may point at a
/// few women in one village.
public let smallCell = 5

/// One question's answers: every category with its count and share of respondents, and for a
/// multiple choice its share of all mentions.
public struct Frequencies: Sendable {
    public struct Row: Sendable {
        public let category: Dimension.Category
        public let count: Int
        public let share: Share
        public let mentionsPercent: Double?
        public var small: Bool { count > 0 && count < smallCell }
    }

    public struct NumericSummary: Sendable, Equatable {
        public let count: Int
        public let mean: Double
        public let median: Double
        public let minimum: Double
        public let maximum: Double
    }

    public let dimension: Dimension
    /// Submissions that answered the question.
    public let respondents: Int
    public let rows: [Row]
    public let summary: NumericSummary?

    /// `counts` are by the question's raw answer (`row`), one entry per distinct answer.
    public init(_ dimension: Dimension, counts: [AnswerCount]) {
        var dimension = dimension
        let answered = counts.filter { !($0.row ?? "").isEmpty }
        dimension.addSeen(answered.map { ($0.row!, $0.count) })
        var count: [String: Int] = [:]
        var weight: [String: Double] = [:]
        var mentions = 0.0
        for entry in answered {
            for value in Set(dimension.bucket(entry.row!)) {
                count[value, default: 0] += entry.count
                weight[value, default: 0] += entry.weight
                mentions += entry.weight
            }
        }
        let respondents = answered.reduce(0) { $0 + $1.count }
        let totalWeight = answered.reduce(0) { $0 + $1.weight }
        let squares = answered.reduce(0) { $0 + $1.weightSquared }
        let effective = squares > 0 ? totalWeight * totalWeight / squares : 0
        self.dimension = dimension
        self.respondents = respondents
        self.rows = dimension.categories.map { category in
            let w = weight[category.value] ?? 0
            return Row(category: category, count: count[category.value] ?? 0,
                       share: Share(part: w, whole: totalWeight, effectiveSize: effective),
                       mentionsPercent: dimension.multiple ? (mentions > 0 ? Share.rounded(w / mentions * 100) : 0) : nil)
        }
        self.summary = dimension.numeric ? Self.summary(answered) : nil
    }

    /// Mean, weighted median, least and most of a number question, from its distinct answers.
    static func summary(_ answered: [AnswerCount]) -> NumericSummary? {
        let values = answered.compactMap { entry in Double(entry.row!).map { (value: $0, count: entry.count, weight: entry.weight) } }
            .sorted { $0.value < $1.value }
        let total = values.reduce(0) { $0 + $1.weight }
        guard let first = values.first, let last = values.last, total > 0 else { return nil }
        let mean = values.reduce(0) { $0 + $1.value * $1.weight } / total
        var seen = 0.0
        var median = first.value
        for entry in values {
            seen += entry.weight
            if seen >= total / 2 {
                median = entry.value
                break
            }
        }
        return NumericSummary(count: values.reduce(0) { $0 + $1.count }, mean: Share.rounded(mean), median: median,
                              minimum: first.value, maximum: last.value)
    }
}

/// Two questions crossed: every category of each, zero counts included, and each cell's share of its
/// column's respondents (the women of that district who gave that answer).
public struct CrossTab: Sendable {
    public struct Cell: Sendable {
        public let count: Int
        public let share: Share
        public var small: Bool { count > 0 && count < smallCell }
    }

    public let row: Dimension
    public let column: Dimension
    public let cells: [[Cell]]
    /// Respondents who answered both questions, per column.
    public let columnRespondents: [Int]

    public init(row: Dimension, column: Dimension, counts: [AnswerCount]) {
        var row = row, column = column
        let answered = counts.filter { !($0.row ?? "").isEmpty && !($0.column ?? "").isEmpty }
        row.addSeen(answered.map { ($0.row!, $0.count) })
        column.addSeen(answered.map { ($0.column!, $0.count) })
        let rowIndex = Dictionary(uniqueKeysWithValues: row.categories.enumerated().map { ($1.value, $0) })
        let columnIndex = Dictionary(uniqueKeysWithValues: column.categories.enumerated().map { ($1.value, $0) })
        var count = Array(repeating: Array(repeating: 0, count: column.categories.count), count: row.categories.count)
        var weight = Array(repeating: Array(repeating: 0.0, count: column.categories.count), count: row.categories.count)
        var respondents = Array(repeating: 0, count: column.categories.count)
        var columnWeight = Array(repeating: 0.0, count: column.categories.count)
        var columnSquares = Array(repeating: 0.0, count: column.categories.count)
        for entry in answered {
            let columns = Set(column.bucket(entry.column!)).compactMap { columnIndex[$0] }
            let rows = Set(row.bucket(entry.row!)).compactMap { rowIndex[$0] }
            for c in columns {
                respondents[c] += entry.count
                columnWeight[c] += entry.weight
                columnSquares[c] += entry.weightSquared
                for r in rows {
                    count[r][c] += entry.count
                    weight[r][c] += entry.weight
                }
            }
        }
        self.row = row
        self.column = column
        self.columnRespondents = respondents
        self.cells = row.categories.indices.map { r in
            column.categories.indices.map { c in
                let effective = columnSquares[c] > 0 ? columnWeight[c] * columnWeight[c] / columnSquares[c] : 0
                return Cell(count: count[r][c], share: Share(part: weight[r][c], whole: columnWeight[c], effectiveSize: effective))
            }
        }
    }

    /// Each column's categories, most mentioned first: the ranking of needs per district.
    public func ranking() -> [[(category: Dimension.Category, cell: Cell)]] {
        column.categories.indices.map { c in
            row.categories.indices.map { r in (row.categories[r], cells[r][c]) }
                .filter { $0.cell.count > 0 }
                .sorted { ($0.cell.share.percent, $1.category.label) > ($1.cell.share.percent, $0.category.label) }
        }
    }
}
