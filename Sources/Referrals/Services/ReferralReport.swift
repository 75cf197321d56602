import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// The referrals in numbers, for anyone who reads the network's aggregates: counts only, never a case,
/// each count under 5 shown as "<5" by whoever prints it (`SmallCount.shown`).
public struct ReferralCounts: Sendable, Equatable {
    public var cases = 0
    public var bySituation: [Situation: Int] = [:]
    public var byDistrict: [UUID: Int] = [:]
    public var referrals = 0
    public var byServiceKind: [HelpServiceKind: Int] = [:]
    public var byStatus: [ReferralStatus: Int] = [:]
    public var byOutcome: [Outcome: Int] = [:]
    /// From the request to the first contact with her, in hours.
    public var medianHoursToFirstContact: Int?
}

public struct ReferralReport: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Cases opened and referrals sent in [from, to).
    public func counts(from: Date, to: Date) async throws -> ReferralCounts {
        var counts = ReferralCounts()
        let cases = try await HelpCase.query(on: db).filter(\.$openedAt >= from).filter(\.$openedAt < to)
            .field(\.$id).field(\.$situations).field(\.$districtID).field(\.$openedAt).field(\.$firstContactAt).all()
        counts.cases = cases.count
        for row in cases {
            for code in row.situations.split(separator: " ") { if let s = Situation(rawValue: String(code)) { counts.bySituation[s, default: 0] += 1 } }
            if let district = row.districtID { counts.byDistrict[district, default: 0] += 1 }
        }
        counts.medianHoursToFirstContact = SmallCount.medianHours(cases.compactMap { row in row.firstContactAt.map { $0.timeIntervalSince(row.openedAt) } })
        let referrals = try await Referral.query(on: db).filter(\.$sentAt >= from).filter(\.$sentAt < to)
            .field(\.$id).field(\.$serviceID).field(\.$status).field(\.$outcome).all()
        counts.referrals = referrals.count
        let kinds = Dictionary(uniqueKeysWithValues: try await HelpService.query(on: db).field(\.$id).field(\.$kind).all().map { ($0.id!, $0.kind) })
        for referral in referrals {
            if let kind = kinds[referral.serviceID] { counts.byServiceKind[kind, default: 0] += 1 }
            counts.byStatus[referral.status, default: 0] += 1
            if let outcome = referral.outcome.flatMap(Outcome.init(rawValue:)) { counts.byOutcome[outcome, default: 0] += 1 }
        }
        return counts
    }

    /// A referral sent, on its day (Asia/Bishkek), with the district of its case and whether it is done.
    public struct SentReferral: Sendable, Equatable {
        public let day: String
        public let districtID: UUID?
        public let done: Bool
    }

    /// Referrals sent in [from, to), each with its day, so a period is read once and cut into months by whoever reads it.
    public func sent(from: Date, to: Date) async throws -> [SentReferral] {
        let referrals = try await Referral.query(on: db).filter(\.$sentAt >= from).filter(\.$sentAt < to)
            .field(\.$id).field(\.$caseID).field(\.$sentAt).field(\.$status).all()
        let caseIDs = Array(Set(referrals.map(\.caseID)))
        let districts = caseIDs.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: try await HelpCase.query(on: db).filter(\.$id ~~ caseIDs)
            .field(\.$id).field(\.$districtID).all().map { ($0.id!, $0.districtID) })
        return referrals.map { SentReferral(day: BishkekCalendar.day(of: $0.sentAt), districtID: districts[$0.caseID] ?? nil, done: $0.status == .done) }
    }
}
