import AsharNetwork
import Certification
import FluentKit
import Foundation
import Kernel
import Producers
import Referrals
import TimeBank
import Training

/// What the network achieved, as coordinators and funders read it.
public enum IndicatorCode: String, Codable, Sendable, CaseIterable {
    case peopleReached = "people-reached"
    case timeBankMembers = "time-bank-members"
    case producerMembers = "producer-members"
    case hoursExchanged = "hours-exchanged"
    case womenTrained = "women-trained"
    case consultations
    case referralsMade = "referrals-made"
    case referralsCompleted = "referrals-completed"
    case productsCertified = "products-certified"
    case documentsExpiring = "documents-expiring"

    /// Counts that could point at a woman who asked for help: cells under 5 are never shown exactly.
    public var isSensitive: Bool { self == .referralsMade || self == .referralsCompleted }

    public var unit: IndicatorUnit { self == .hoursExchanged ? .minutes : .count }
}

public enum IndicatorUnit: String, Codable, Sendable {
    case count
    case minutes
}

/// One indicator for a period: the network's total and each district's part (districts with none left out).
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
        let organisations = OrganisationService(db: db)
        var indicators: [Indicator] = []
        var reached: Set<UUID> = []

        // Time banks: members by the end of the period, minutes exchanged within it.
        let banks = try await TimeBankService(db: db).banks(page: PageQuery(page: 1, per: 1_000)).items
        let bankDistricts = try await organisations.lookup(banks.map(\.id)).mapValues(\.districtID)
        var bankMembers: [UUID: Int] = [:], minutes: [UUID: Int] = [:]
        for bank in banks {
            guard let district = bankDistricts[bank.id] else { continue }
            let members = try await TimeBankService(db: db).members(bank.id, page: PageQuery(page: 1, per: 1_000_000)).items.filter { $0.joinedOn <= to }
            bankMembers[district, default: 0] += members.count
            reached.formUnion(members.map(\.personID))
            let overview = try await TimeBankReports(db: db).overview(bank.id, MonthRange(first: String(from.prefix(7)), last: String(to.prefix(7))))
            minutes[district, default: 0] += overview.byMonth.reduce(0) { $0 + $1.minutes }
        }
        indicators.append(Self.indicator(.timeBankMembers, bankMembers))
        indicators.append(Self.indicator(.hoursExchanged, minutes))

        // Producer groups: members by the end of the period.
        let groups = try await ProducerGroupService(db: db).groups(page: PageQuery(page: 1, per: 1_000)).items
        let groupDistricts = try await organisations.lookup(groups.map(\.id)).mapValues(\.districtID)
        var groupMembers: [UUID: Int] = [:]
        for group in groups {
            let members = try await ProducerGroupService(db: db).members(group.id, page: PageQuery(page: 1, per: 1_000_000)).items.filter { $0.joinedOn <= to }
            if let district = groupDistricts[group.id] { groupMembers[district, default: 0] += members.count }
            reached.formUnion(members.map(\.personID))
        }
        indicators.append(Self.indicator(.producerMembers, groupMembers))

        // The Centres: women trained and consultations given in the period.
        let training = TrainingService(db: db)
        let trained = try await training.womenTrained(from: from, to: to)
        indicators.append(Self.indicator(.womenTrained, trained.reduce(into: [:]) { $0[$1.key.districtID, default: 0] += $1.value }))
        let consultations = try await training.consultations(from: from, to: to)
        let sessions = try await training.sessions(from: from, to: to)
        reached.formUnion(consultations.map(\.draft.personID))
        reached.formUnion(sessions.flatMap(\.attendees))

        // Products: their makers reached; those with every mandatory document valid today; documents expiring.
        let products = try await ProductService(db: db).products(page: PageQuery(page: 1, per: 100_000)).items
        reached.formUnion(products.compactMap(\.draft.personID))
        let productDistricts = try await organisations.lookup(products.map(\.draft.organisationID)).mapValues(\.districtID)
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

        // Consultations and people reached, by where the woman lives.
        let people = try await PeopleService(db: db).lookup(Array(reached))
        let villages = try await GeographyService(db: db).lookup(Set(people.values.map(\.villageID)))
        func district(_ person: UUID) -> UUID? { people[person].flatMap { villages[$0.villageID]?.districtID } }
        indicators.append(Self.indicator(.consultations, consultations.reduce(into: [:]) { counts, c in
            if let d = district(c.draft.personID) { counts[d, default: 0] += 1 }
        }))
        indicators.insert(Self.indicator(.peopleReached, reached.reduce(into: [:]) { counts, p in
            if let d = district(p) { counts[d, default: 0] += 1 }
        }), at: 0)

        // Referrals: counts only.
        let start = BishkekCalendar.start(of: from) ?? Date.distantPast
        let end = BishkekCalendar.start(of: BishkekCalendar.adding(days: 1, to: to)) ?? Date.distantFuture
        let referrals = try await ReferralReport(db: db).counts(from: start, to: end)
        indicators.append(Indicator(code: .referralsMade, total: referrals.referrals, byDistrict: referrals.referralsByDistrict))
        indicators.append(Indicator(code: .referralsCompleted, total: referrals.byStatus[.done] ?? 0, byDistrict: referrals.completedByDistrict))
        return IndicatorReport(from: from, to: to, indicators: indicators)
    }

    static func indicator(_ code: IndicatorCode, _ byDistrict: [UUID: Int]) -> Indicator {
        Indicator(code: code, total: byDistrict.values.reduce(0, +), byDistrict: byDistrict.filter { $0.value != 0 })
    }
}
