import AsharNetwork
import Certification
import FluentKit
import Foundation
import Kernel
import Needs
import Partnerships
import Producers
import Referrals
import TimeBank
import Training

/// What the network achieved, as coordinators and funders read it.
/// In the order the dashboard and the donor report show them.
public enum IndicatorCode: String, Codable, Sendable, CaseIterable {
    case peopleReached = "people-reached"
    case timeBankMembers = "time-bank-members"
    case producerMembers = "producer-members"
    case hoursExchanged = "hours-exchanged"
    case exchangesBetweenBanks = "exchanges-between-banks"
    case purchaseSavings = "purchase-savings"
    case salesPaid = "sales-paid"
    case fundPayouts = "fund-payouts"
    case agreementsActive = "agreements-active"
    case obligationsOverdue = "obligations-overdue"
    case referralsMade = "referrals-made"
    case referralsCompleted = "referrals-completed"
    case productsCertified = "products-certified"
    case documentsExpiring = "documents-expiring"
    case needsServed = "needs-served"
    case needsUnserved = "needs-unserved"
    case womenTrained = "women-trained"
    case consultations

    /// Figures as they stand today, whatever the period: no series over time.
    public var isStanding: Bool { [.productsCertified, .documentsExpiring, .needsServed, .needsUnserved].contains(self) }

    /// Counts that could point at a woman who asked for help: cells under 5 are never shown exactly.
    public var isSensitive: Bool { self == .referralsMade || self == .referralsCompleted }

    public var unit: IndicatorUnit {
        switch self {
        case .hoursExchanged: .minutes
        case .purchaseSavings, .salesPaid, .fundPayouts: .tyiyn
        default: .count
        }
    }
}

public enum IndicatorUnit: String, Codable, Sendable {
    case count
    case minutes
    case tyiyn
}

/// One indicator for a period: the network's total and each district's part (districts with none left out).
/// An agreement serving two districts counts once in the total and in each district.
public struct Indicator: Sendable, Equatable {
    public let code: IndicatorCode
    public let total: Int
    public let byDistrict: [UUID: Int]
}

public struct IndicatorReport: Sendable, Equatable {
    public let from: String
    public let to: String
    public let indicators: [Indicator]

    public func value(_ code: IndicatorCode) -> Indicator? { indicators.first { $0.code == code } }
}

/// Reads every context's own figures for a period (calendar days, inclusive) and puts them side by side,
/// by district. Read-only: it changes nothing anywhere.
public struct NetworkIndicators: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func report(from: String, to: String, today: String = BishkekCalendar.day(of: Date())) async throws -> IndicatorReport {
        try await overview(from: from, to: to, step: nil, today: today).report
    }

    /// The indicators for `from`–`to` (days, inclusive) and, cut by `step`, for each of its months, quarters
    /// or years, oldest first (the standing ones only for the whole period). Each context is read once for
    /// the whole period and its rows cut for every slice.
    public func overview(from: String, to: String, step: PeriodStep?, today: String = BishkekCalendar.day(of: Date())) async throws
        -> (report: IndicatorReport, series: [(slice: PeriodSlice, report: IndicatorReport)]) {
        let slices = step.map { PeriodSlice.slices(from: from, to: to, step: $0) } ?? []
        let months = try await MonthlyFigures.read(from: from, to: to, on: db)
        let dated = try await DatedFigures.read(from: from, to: to, standingOn: Set((slices.map(\.to) + [to]).map { min($0, today) }), on: db)
        func report(_ from: String, _ to: String, adding more: [Indicator] = []) -> IndicatorReport {
            let order = Dictionary(uniqueKeysWithValues: IndicatorCode.allCases.enumerated().map { ($1, $0) })
            let indicators = months.indicators(from: from, to: to) + dated.indicators(from: from, to: to, standingOn: min(to, today)) + more
            return IndicatorReport(from: from, to: to, indicators: indicators.sorted { order[$0.code]! < order[$1.code]! })
        }
        return (report(from, to, adding: try await standingIndicators(today: today)), slices.map { ($0, report($0.from, $0.to)) })
    }

    /// Products with every mandatory document valid today, documents expiring, and needs served or not.
    func standingIndicators(today: String) async throws -> [Indicator] {
        var indicators: [Indicator] = []
        let products = try await ProductService(db: db).products(page: PageQuery(page: 1, per: 100_000)).items
        let productDistricts = try await OrganisationService(db: db).lookup(products.map(\.draft.organisationID)).mapValues(\.districtID)
        let requirements = try await ProductService(db: db).requirements(of: products.map(\.id), today: today)
        var certified: [UUID: Int] = [:]
        for product in products where requirements[product.id].map({ !$0.requirements.contains { $0.rule.mandatory && $0.rule.evidence != .label && !$0.met } }) ?? false {
            if let district = productDistricts[product.draft.organisationID] { certified[district, default: 0] += 1 }
        }
        indicators.append(Self.indicator(.productsCertified, certified))
        let productGroup = Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0.draft.organisationID) })
        var expiring: [UUID: Int] = [:]
        for document in try await DocumentService(db: db).expiring(today: today) where document.window > 0 {
            if let district = document.document.draft.productIDs.first.flatMap({ productGroup[$0] }).flatMap({ productDistricts[$0] }) {
                expiring[district, default: 0] += 1
            }
        }
        indicators.append(Self.indicator(.documentsExpiring, expiring))

        // Needs women named in the baseline survey, answered or not where they live.
        let needs = try await NeedsCoverageReport(db: db).byDistrict()
        indicators.append(Self.indicator(.needsServed, needs.mapValues(\.served)))
        indicators.append(Self.indicator(.needsUnserved, needs.mapValues(\.unserved)))
        return indicators
    }

    static func indicator(_ code: IndicatorCode, _ byDistrict: [UUID: Int]) -> Indicator {
        Indicator(code: code, total: byDistrict.values.reduce(0, +), byDistrict: byDistrict.filter { $0.value != 0 })
    }
}

/// How a period is cut for the indicators over time.
public enum PeriodStep: String, Sendable, CaseIterable {
    case month
    case quarter
    case year

    var months: Int {
        switch self {
        case .month: 1
        case .quarter: 3
        case .year: 12
        }
    }
}

/// One month, quarter or year of a period, cut to the period's own first and last day.
public struct PeriodSlice: Sendable, Equatable {
    public let step: PeriodStep
    public let year: Int
    /// The month (1–12), quarter (1–4) or 1 for a year.
    public let number: Int
    public let from: String
    public let to: String

    /// The slices of `from`–`to` (days, inclusive). A step that would cut it into more than 36 slices
    /// gives way to the next longer one, so a chart stays readable and a request stays cheap.
    public static func slices(from: String, to: String, step: PeriodStep) -> [PeriodSlice] {
        guard let firstYear = Int(from.prefix(4)), let firstMonth = Int(from.dropFirst(5).prefix(2)),
              let lastYear = Int(to.prefix(4)), let lastMonth = Int(to.dropFirst(5).prefix(2)), from <= to else { return [] }
        let first = firstYear * 12 + firstMonth - 1, last = lastYear * 12 + lastMonth - 1
        var step = step
        while step != .year && (last / step.months - first / step.months) >= 36 { step = step == .month ? .quarter : .year }
        return (first / step.months...last / step.months).map { index in
            let start = index * step.months, end = start + step.months - 1
            let startDay = String(format: "%04d-%02d-01", start / 12, start % 12 + 1)
            let endDay = BishkekCalendar.adding(days: -1, to: String(format: "%04d-%02d-01", (end + 1) / 12, (end + 1) % 12 + 1))
            return PeriodSlice(step: step, year: start / 12, number: step == .year ? 1 : start % 12 / step.months + 1,
                               from: max(startDay, from), to: min(endDay, to))
        }
    }
}

/// The indicators kept month by month (the time banks' daily totals, memberships, the women reached), read
/// once for a whole period and added up for any slice of it: hours and exchanges between banks within
/// the slice, members and women reached by its end. A country's ledger is never read.
struct MonthlyFigures {
    /// Indicator → month → district → what the month added.
    private var within: [IndicatorCode: [String: [UUID: Int]]] = [:]
    private var byEnd: [IndicatorCode: [String: [UUID: Int]]] = [:]

    static func read(from: String, to: String, on db: any Database) async throws -> MonthlyFigures {
        let banks = TimeBankReports(db: db), first = String(from.prefix(7))
        var figures = MonthlyFigures()
        figures.within[.hoursExchanged] = Self.byMonth(try await banks.minutesEarned(from: from, to: to))
        figures.within[.exchangesBetweenBanks] = Self.byMonth(try await banks.exchangesBetweenBanks(from: from, to: to))
        figures.byEnd[.timeBankMembers] = Self.byMonth(try await banks.membersJoined(from: first, through: to))
        figures.byEnd[.producerMembers] = Self.byMonth(try await ProducerGroupService(db: db).membersJoined(from: first, through: to))
        figures.byEnd[.peopleReached] = Self.byMonth(try await NetworkReach.firstReached(from: first, through: to, on: db))
        return figures
    }

    /// The indicators for `from`–`to`, a slice of the period read (its months whole, or cut where the period is).
    func indicators(from: String, to: String) -> [Indicator] {
        let first = String(from.prefix(7)), last = String(to.prefix(7))
        func sum(_ months: [String: [UUID: Int]], _ counted: (String) -> Bool) -> [UUID: Int] {
            months.filter { counted($0.key) }.values.reduce(into: [:]) { total, month in total.merge(month, uniquingKeysWith: +) }
        }
        return within.map { NetworkIndicators.indicator($0.key, sum($0.value) { $0 >= first && $0 <= last }) }
            + byEnd.map { NetworkIndicators.indicator($0.key, sum($0.value) { $0 <= last }) }
    }

    /// Counts keyed by district, by month (a count with no district is left out, as everywhere on the dashboard).
    private static func byMonth(_ counts: [MonthCount]) -> [String: [UUID: Int]] {
        counts.reduce(into: [:]) { months, count in
            if let district = count.key { months[count.month, default: [:]][district, default: 0] += count.count }
        }
    }
}

/// The indicators counted from the contexts' own rows — the producer groups' money, partnerships, the
/// Centres' work, referrals (the network has hundreds of these where it has millions of transfers): read
/// once for a whole period, each row with its day, and cut for any slice of it.
struct DatedFigures {
    private struct Row {
        let day: String
        let district: UUID?
        let value: Int
    }

    private var rows: [IndicatorCode: [Row]] = [:]
    private var trained: [TrainedCount.Attendance] = []
    private var standing: [String: PartnershipStanding] = [:]

    /// `days`: those the partnerships' standing is wanted for (each slice's last, or today if sooner).
    static func read(from: String, to: String, standingOn days: Set<String>, on db: any Database) async throws -> DatedFigures {
        var figures = DatedFigures()
        let start = BishkekCalendar.start(of: from) ?? Date.distantPast
        let end = BishkekCalendar.start(of: BishkekCalendar.adding(days: 1, to: to)) ?? Date.distantFuture

        // Producer groups: what their money did, in the group's district.
        let money = try await ProducerReports(db: db).datedFigures(from: start, to: end)
        let groupDistricts = try await OrganisationService(db: db).lookup(Array(Set(money.map(\.groupID)))).mapValues(\.districtID)
        for (code, figure) in [(IndicatorCode.purchaseSavings, \ProducerReports.PeriodFigures.purchaseSavings), (.salesPaid, \.salesPaid), (.fundPayouts, \.fundPayouts)] {
            figures.rows[code] = money.compactMap { m in groupDistricts[m.groupID].map { Row(day: m.day, district: $0, value: m.figures[keyPath: figure]) } }
        }

        // Partnerships: agreements in force and obligations overdue on each day asked for.
        figures.standing = try await AgreementService(db: db).standing(on: days)

        // The Centres: women trained, and consultations by where the woman lives.
        let training = TrainingService(db: db)
        figures.trained = try await training.attendance(from: from, to: to)
        let consultations = try await training.consultations(from: from, to: to)
        let people = try await PeopleService(db: db).lookup(Array(Set(consultations.map(\.draft.personID))))
        let villages = try await GeographyService(db: db).lookup(Set(people.values.map(\.villageID)))
        figures.rows[.consultations] = consultations.compactMap { c in
            people[c.draft.personID].flatMap { villages[$0.villageID]?.districtID }.map { Row(day: c.draft.heldOn, district: $0, value: 1) }
        }

        // Referrals: counts only; one whose case names no district still counts in the network's total.
        let referrals = try await ReferralReport(db: db).sent(from: start, to: end)
        figures.rows[.referralsMade] = referrals.map { Row(day: $0.day, district: $0.districtID, value: 1) }
        figures.rows[.referralsCompleted] = referrals.filter(\.done).map { Row(day: $0.day, district: $0.districtID, value: 1) }
        return figures
    }

    /// The indicators for `from`–`to`, a slice of the period read; partnerships as they stood on `day`.
    func indicators(from: String, to: String, standingOn day: String) -> [Indicator] {
        var indicators = rows.map { code, rows in
            let counted = rows.filter { $0.day >= from && $0.day <= to }
            return Indicator(code: code, total: counted.reduce(0) { $0 + $1.value }, byDistrict: counted.reduce(into: [UUID: Int]()) { sums, row in
                if let district = row.district { sums[district, default: 0] += row.value }
            }.filter { $0.value != 0 })
        }
        let trained = TrainedCount.count(self.trained.filter { $0.heldOn >= from && $0.heldOn <= to })
        indicators.append(NetworkIndicators.indicator(.womenTrained, trained.reduce(into: [:]) { $0[$1.key.districtID, default: 0] += $1.value }))
        if let standing = standing[day] {
            indicators.append(Indicator(code: .agreementsActive, total: standing.inForce.count, byDistrict: standing.inForce.reduce(into: [:]) { counts, a in
                for district in a.districts { counts[district, default: 0] += 1 }
            }))
            indicators.append(Indicator(code: .obligationsOverdue, total: standing.overdue.count, byDistrict: standing.overdue.reduce(into: [:]) { counts, o in
                if let district = o.district { counts[district, default: 0] += 1 }
            }))
        }
        return indicators
    }
}
