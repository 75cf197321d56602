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
        let months = try await MonthlyFigures.read(from: from, to: to, on: db)
        let indicators = months.indicators(from: from, to: to) + (try await sliceIndicators(from: from, to: to, today: today))
            + (try await standingIndicators(today: today))
        let order = Dictionary(uniqueKeysWithValues: IndicatorCode.allCases.enumerated().map { ($1, $0) })
        return IndicatorReport(from: from, to: to, indicators: indicators.sorted { order[$0.code]! < order[$1.code]! })
    }

    /// The indicators counted afresh for each slice of a period: the producer groups' money, partnerships,
    /// the Centres' work and referrals (the network has hundreds of these where it has millions of transfers).
    func sliceIndicators(from: String, to: String, today: String) async throws -> [Indicator] {
        let organisations = OrganisationService(db: db)
        var indicators: [Indicator] = []

        // Producer groups: what their money did in the period.
        let start = BishkekCalendar.start(of: from) ?? Date.distantPast
        let end = BishkekCalendar.start(of: BishkekCalendar.adding(days: 1, to: to)) ?? Date.distantFuture
        let money = try await ProducerReports(db: db).figures(from: start, to: end)
        let moneyDistricts = try await organisations.lookup(Array(money.keys)).mapValues(\.districtID)
        for (code, figure) in [(IndicatorCode.purchaseSavings, \ProducerReports.PeriodFigures.purchaseSavings), (.salesPaid, \.salesPaid), (.fundPayouts, \.fundPayouts)] {
            indicators.append(Self.indicator(code, money.reduce(into: [:]) { sums, group in
                if let district = moneyDistricts[group.key] { sums[district, default: 0] += group.value[keyPath: figure] }
            }))
        }

        // Partnerships: agreements in force at the end of the period, obligations overdue then (or today, if sooner).
        let standing = try await AgreementService(db: db).standing(on: min(to, today))
        indicators.append(Indicator(code: .agreementsActive, total: standing.inForce.count, byDistrict: standing.inForce.reduce(into: [:]) { counts, a in
            for district in a.districts { counts[district, default: 0] += 1 }
        }))
        indicators.append(Indicator(code: .obligationsOverdue, total: standing.overdue.count, byDistrict: standing.overdue.reduce(into: [:]) { counts, o in
            if let district = o.district { counts[district, default: 0] += 1 }
        }))

        // The Centres: women trained and consultations given in the period.
        let training = TrainingService(db: db)
        let trained = try await training.womenTrained(from: from, to: to)
        indicators.append(Self.indicator(.womenTrained, trained.reduce(into: [:]) { $0[$1.key.districtID, default: 0] += $1.value }))
        let consultations = try await training.consultations(from: from, to: to)

        // Consultations, by where the woman lives.
        let people = try await PeopleService(db: db).lookup(Array(Set(consultations.map(\.draft.personID))))
        let villages = try await GeographyService(db: db).lookup(Set(people.values.map(\.villageID)))
        indicators.append(Self.indicator(.consultations, consultations.reduce(into: [:]) { counts, c in
            if let d = people[c.draft.personID].flatMap({ villages[$0.villageID]?.districtID }) { counts[d, default: 0] += 1 }
        }))

        // Referrals: counts only.
        let referrals = try await ReferralReport(db: db).counts(from: start, to: end)
        indicators.append(Indicator(code: .referralsMade, total: referrals.referrals, byDistrict: referrals.referralsByDistrict))
        indicators.append(Indicator(code: .referralsCompleted, total: referrals.byStatus[.done] ?? 0, byDistrict: referrals.completedByDistrict))
        return indicators
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

extension NetworkIndicators {
    /// The indicators for each slice of a period, oldest first; the standing ones left out.
    public func series(from: String, to: String, step: PeriodStep, today: String = BishkekCalendar.day(of: Date())) async throws -> [(slice: PeriodSlice, report: IndicatorReport)] {
        let months = try await MonthlyFigures.read(from: from, to: to, on: db)
        var series: [(slice: PeriodSlice, report: IndicatorReport)] = []
        for slice in PeriodSlice.slices(from: from, to: to, step: step) {
            let indicators = months.indicators(from: slice.from, to: slice.to) + (try await sliceIndicators(from: slice.from, to: slice.to, today: today))
            series.append((slice, IndicatorReport(from: slice.from, to: slice.to, indicators: indicators)))
        }
        return series
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
