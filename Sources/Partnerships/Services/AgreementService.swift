import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// The kinds of cooperation an agreement can set out.
public enum Cooperation: String, Codable, Sendable, CaseIterable {
    case training, referrals, funding, premises, marketing, certification, expertise, jointActivities = "joint_activities"
}

public struct PartyDraft: Sendable, Equatable {
    public var stakeholderID: UUID
    public var signedOn: String?
    public init(stakeholderID: UUID, signedOn: String? = nil) {
        self.stakeholderID = stakeholderID
        self.signedOn = signedOn
    }
}

/// What a coordinator types for an agreement.
public struct AgreementDraft: Sendable, Equatable {
    public var title: String
    public var cooperation: [Cooperation]
    public var rules: String
    public var status: AgreementStatus
    public var signedOn: String?
    public var validFrom: String?
    public var validUntil: String?
    public var reviewOn: String?
    public var parties: [PartyDraft]

    public init(title: String, cooperation: [Cooperation], rules: String = "", status: AgreementStatus = .draft, signedOn: String? = nil,
                validFrom: String? = nil, validUntil: String? = nil, reviewOn: String? = nil, parties: [PartyDraft]) {
        self.title = title
        self.cooperation = cooperation
        self.rules = rules
        self.status = status
        self.signedOn = signedOn
        self.validFrom = validFrom
        self.validUntil = validUntil
        self.reviewOn = reviewOn
        self.parties = parties
    }
}

public struct ObligationDraft: Sendable, Equatable {
    public var stakeholderID: UUID
    public var what: String
    public var dueOn: String?
    public var recurrence: Recurrence
    public init(stakeholderID: UUID, what: String, dueOn: String?, recurrence: Recurrence = .once) {
        self.stakeholderID = stakeholderID
        self.what = what
        self.dueOn = dueOn
        self.recurrence = recurrence
    }
}

public struct ObligationRecord: Sendable, Equatable {
    public let id: UUID
    public let agreementID: UUID
    public let stakeholderID: UUID
    public let what: String
    public let dueOn: String?
    public let recurrence: Recurrence
    public let status: ObligationStatus
    public let evidence: String
    public let lastDoneOn: String?
}

public struct ServiceRecord: Sendable, Equatable {
    public let id: UUID
    public let agreementID: UUID
    public let stakeholderID: UUID
    public let service: ServiceKind
    public let districtID: UUID
}

public struct AgreementRecord: Sendable, Equatable {
    public let id: UUID
    public let draft: AgreementDraft
    /// The status as it stands today (a signed agreement past its end has expired).
    public let status: AgreementStatus
    public let obligations: [ObligationRecord]
    public let services: [ServiceRecord]
    public let scanName: String?
    public let scanBytes: Int?
}

/// What needs the coordinator: obligations past due, agreements ending or due for review.
public struct AgreementAttentionList: Sendable {
    public let overdue: [(agreement: AgreementRecord, obligation: ObligationRecord)]
    public let ending: [AgreementRecord]
    public let reviewDue: [AgreementRecord]
}

/// Agreements in force on a day and obligations overdue then, each with the districts it concerns.
public struct PartnershipStanding: Sendable {
    public let inForce: [(agreementID: UUID, districts: Set<UUID>)]
    public let overdue: [(obligationID: UUID, district: UUID?)]
}

/// Framework agreements: parties, obligations, the services partners deliver where, the scanned copy.
public struct AgreementService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// A signed copy is a few pages scanned; this is far above one.
    public static let largestScan = 10 * 1024 * 1024

    public func create(_ draft: AgreementDraft, by actor: Actor) async throws -> AgreementRecord {
        let draft = try Self.checked(draft)
        return try await db.writeTransaction { tx in
            try await Self.checkParties(draft.parties, on: tx)
            let row = Agreement()
            Self.apply(draft, to: row)
            try await row.create(on: tx)
            for party in draft.parties { try await Self.party(party, of: row.id!).create(on: tx) }
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "agreement", entityID: row.id, changes: [
                FieldChange(field: "title", from: nil, to: draft.title), FieldChange(field: "status", from: nil, to: draft.status.rawValue),
                FieldChange(field: "parties", from: nil, to: String(draft.parties.count)),
            ])
            return try await AgreementService(db: tx).agreement(row.id!)
        }
    }

    /// Changes the agreement's terms and parties; a party that still owes an obligation or delivers a
    /// service under it cannot be taken off.
    public func update(_ id: UUID, _ draft: AgreementDraft, by actor: Actor) async throws -> AgreementRecord {
        let draft = try Self.checked(draft)
        return try await db.writeTransaction { tx in
            guard let row = try await Agreement.find(id, on: tx) else { throw DomainError.notFound("partnerships.agreement") }
            try await Self.checkParties(draft.parties, on: tx)
            let kept = Set(draft.parties.map(\.stakeholderID))
            let bound = Set(try await Obligation.query(on: tx).filter(\.$agreementID == id).all().map(\.stakeholderID))
                .union(try await DeliveredService.query(on: tx).filter(\.$agreementID == id).all().map(\.stakeholderID))
            if !bound.isSubset(of: kept) { throw DomainError("partnerships.agreement.party-bound", field: "parties") }
            let before = row.status
            Self.apply(draft, to: row)
            try await row.update(on: tx)
            try await AgreementParty.query(on: tx).filter(\.$agreementID == id).delete()
            for party in draft.parties { try await Self.party(party, of: id).create(on: tx) }
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "agreement", entityID: id, changes: [
                FieldChange(field: "status", from: before.rawValue, to: draft.status.rawValue),
            ])
            return try await AgreementService(db: tx).agreement(id)
        }
    }

    public func addObligation(to agreementID: UUID, _ draft: ObligationDraft, by actor: Actor) async throws -> ObligationRecord {
        let what = draft.what.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [DomainError] = []
        if what.isEmpty { errors.append(DomainError("partnerships.obligation.what-required", field: "what")) }
        var due: String?
        do { due = try CalendarDay.checked(draft.dueOn, field: "due_on") } catch let error as DomainError { errors.append(error) }
        if draft.recurrence != .once && due == nil { errors.append(DomainError("partnerships.obligation.recurrence-needs-date", field: "due_on")) }
        try ValidationErrors.throwIfAny(errors)
        let dueOn = due
        return try await db.writeTransaction { tx in
            try await Self.requireParty(draft.stakeholderID, of: agreementID, on: tx)
            let row = Obligation()
            (row.agreementID, row.stakeholderID, row.what, row.dueOn, row.recurrence) = (agreementID, draft.stakeholderID, what, dueOn, draft.recurrence)
            (row.status, row.evidence) = (.open, "")
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "agreement_obligation", entityID: row.id,
                                      changes: [FieldChange(field: "what", from: nil, to: what)])
            return Self.record(row)
        }
    }

    /// Records an obligation met (with its evidence), waived, or open again. A recurring obligation met
    /// moves on to its next due date and stays open.
    public func recordObligation(_ id: UUID, status: ObligationStatus, evidence: String, on day: String, by actor: Actor) async throws -> ObligationRecord {
        let note = evidence.trimmingCharacters(in: .whitespacesAndNewlines)
        return try await db.writeTransaction { tx in
            guard let row = try await Obligation.find(id, on: tx) else { throw DomainError.notFound("partnerships.obligation") }
            let before = row.status
            if !note.isEmpty { row.evidence = row.evidence.isEmpty ? "\(day): \(note)" : row.evidence + "\n\(day): \(note)" }
            if status == .done {
                row.lastDoneOn = day
                if let next = row.dueOn.flatMap(row.recurrence.next(after:)) {
                    row.dueOn = next
                    row.status = .open
                } else {
                    row.status = .done
                }
            } else {
                row.status = status
            }
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "agreement_obligation", entityID: id, changes: [
                FieldChange(field: "status", from: before.rawValue, to: status.rawValue),
            ])
            return Self.record(row)
        }
    }

    /// A service a party delivers in a district under the agreement.
    public func addService(to agreementID: UUID, stakeholder: UUID, service: ServiceKind, district: UUID, by actor: Actor) async throws -> ServiceRecord {
        try await db.writeTransaction { tx in
            try await Self.requireParty(stakeholder, of: agreementID, on: tx)
            guard try await Place.find(district, on: tx)?.level == .district else { throw DomainError("partnerships.district-unknown", field: "district_id") }
            if try await DeliveredService.query(on: tx).filter(\.$agreementID == agreementID).filter(\.$stakeholderID == stakeholder)
                .filter(\.$service == service).filter(\.$districtID == district).first() != nil {
                throw DomainError("partnerships.service.exists", kind: .conflict, field: "service")
            }
            let row = DeliveredService()
            (row.agreementID, row.stakeholderID, row.service, row.districtID) = (agreementID, stakeholder, service, district)
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "agreement_service", entityID: row.id,
                                      changes: [FieldChange(field: "service", from: nil, to: service.rawValue)])
            return Self.record(row)
        }
    }

    /// Keeps the scanned copy (a PDF) in `directory` under the agreement's id, replacing an earlier one.
    public func attachScan(_ id: UUID, data: Data, filename: String, directory: URL, by actor: Actor) async throws {
        guard data.count <= Self.largestScan else { throw DomainError("partnerships.scan.too-large", field: "scan") }
        guard data.starts(with: Array("%PDF".utf8)) else { throw DomainError("partnerships.scan.not-pdf", field: "scan") }
        guard try await Agreement.find(id, on: db) != nil else { throw DomainError.notFound("partnerships.agreement") }
        try FileStore(directory).write(data, id: id, ext: "pdf")
        try await db.writeTransaction { tx in
            guard let row = try await Agreement.find(id, on: tx) else { throw DomainError.notFound("partnerships.agreement") }
            row.scanName = String(filename.suffix(200))
            row.scanBytes = data.count
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "attach-scan", entity: "agreement", entityID: id,
                                      changes: [FieldChange(field: "scan_bytes", from: nil, to: String(data.count))])
        }
    }

    public func scan(_ id: UUID, directory: URL) async throws -> (name: String, data: Data) {
        guard let row = try await Agreement.find(id, on: db), let name = row.scanName,
              let data = FileStore(directory).read(id, "pdf") else { throw DomainError.notFound("partnerships.scan") }
        return (name, data)
    }

    public func agreement(_ id: UUID, today: String = BishkekCalendar.day(of: Date())) async throws -> AgreementRecord {
        guard let row = try await Agreement.find(id, on: db) else { throw DomainError.notFound("partnerships.agreement") }
        return try await records([row], today: today)[0]
    }

    /// Agreements, newest first; by status as it stands today when asked.
    public func agreements(status: AgreementStatus? = nil, page: PageQuery, today: String = BishkekCalendar.day(of: Date())) async throws -> Paged<AgreementRecord> {
        let all = try await records(try await Agreement.query(on: db).sort(\.$createdAt, .descending).all(), today: today)
            .filter { status == nil || $0.status == status }
        return Paged(items: Array(all.dropFirst(page.offset).prefix(page.per)), total: all.count, request: page)
    }

    public func attention(today: String = BishkekCalendar.day(of: Date())) async throws -> AgreementAttentionList {
        let all = try await records(try await Agreement.query(on: db).sort(\.$validUntil).all(), today: today)
        let overdue = all.flatMap { agreement in
            agreement.obligations.filter { AgreementAttention.isOverdue(due: $0.dueOn, status: $0.status, today: today) }.map { (agreement, $0) }
        }.sorted { ($0.1.dueOn ?? "") < ($1.1.dueOn ?? "") }
        return AgreementAttentionList(
            overdue: overdue,
            ending: all.filter { AgreementAttention.isEnding($0.status, validUntil: $0.draft.validUntil, today: today) },
            reviewDue: all.filter { AgreementAttention.isReviewDue($0.status, reviewOn: $0.draft.reviewOn, today: today) })
    }

    /// The services partners deliver, by district: the directory referrals use. Only agreements in force.
    public func directory(today: String = BishkekCalendar.day(of: Date())) async throws -> [ServiceRecord] {
        let inForce = Set(try await records(try await Agreement.query(on: db).all(), today: today)
            .filter { $0.status == .signed || $0.status == .active }.map(\.id))
        return try await DeliveredService.query(on: db).all().filter { inForce.contains($0.agreementID) }.map(Self.record)
    }

    /// Agreements in force on each of some days and obligations overdue then, with the districts each
    /// concerns: an agreement's are those of its parties and of the services delivered under it, an
    /// obligation's that of the party that owes it. What the network's indicators count, read once for
    /// every slice of a period.
    public func standing(on days: Set<String>) async throws -> [String: PartnershipStanding] {
        guard let first = days.min() else { return [:] }
        let all = try await records(try await Agreement.query(on: db).all(), today: first)
        let districts = Dictionary(uniqueKeysWithValues: try await Stakeholder.query(on: db).all().compactMap { s in s.districtID.map { (s.id!, $0) } })
        return Dictionary(uniqueKeysWithValues: days.map { day in
            let inForce = all.filter { a in
                [.signed, .active].contains(AgreementAttention.status(a.draft.status, validUntil: a.draft.validUntil, today: day))
                    && (a.draft.validFrom ?? a.draft.signedOn ?? "") <= day
            }
            return (day, PartnershipStanding(
                inForce: inForce.map { a in
                    (a.id, Set(a.services.map(\.districtID)).union(a.draft.parties.compactMap { districts[$0.stakeholderID] }))
                },
                overdue: all.flatMap { a in
                    a.obligations.filter { AgreementAttention.isOverdue(due: $0.dueOn, status: $0.status, today: day) }.map { ($0.id, districts[$0.stakeholderID]) }
                }))
        })
    }

    // MARK: -

    static func checked(_ draft: AgreementDraft) throws -> AgreementDraft {
        var d = draft
        d.title = d.title.trimmingCharacters(in: .whitespacesAndNewlines)
        var errors: [DomainError] = []
        if d.title.isEmpty { errors.append(DomainError("partnerships.agreement.title-required", field: "title")) }
        if Set(d.parties.map(\.stakeholderID)).count < 2 { errors.append(DomainError("partnerships.agreement.two-parties", field: "parties")) }
        if Set(d.parties.map(\.stakeholderID)).count != d.parties.count { errors.append(DomainError("partnerships.agreement.party-twice", field: "parties")) }
        for (field, keyPath) in [("signed_on", \AgreementDraft.signedOn), ("valid_from", \.validFrom), ("valid_until", \.validUntil), ("review_on", \.reviewOn)] {
            do { d[keyPath: keyPath] = try CalendarDay.checked(d[keyPath: keyPath], field: field) } catch let error as DomainError { errors.append(error) }
        }
        for index in d.parties.indices {
            do { d.parties[index].signedOn = try CalendarDay.checked(d.parties[index].signedOn, field: "parties") } catch let error as DomainError { errors.append(error) }
        }
        if let from = d.validFrom, let until = d.validUntil, until < from {
            errors.append(DomainError("partnerships.agreement.ends-before-start", field: "valid_until"))
        }
        if [.signed, .active].contains(d.status) && d.signedOn == nil {
            errors.append(DomainError("partnerships.agreement.signed-date-required", field: "signed_on"))
        }
        try ValidationErrors.throwIfAny(errors)
        d.cooperation = Cooperation.allCases.filter(d.cooperation.contains)
        return d
    }

    static func checkParties(_ parties: [PartyDraft], on db: any Database) async throws {
        let ids = parties.map(\.stakeholderID)
        let found = try await Stakeholder.query(on: db).filter(\.$id ~~ ids).count()
        if found != Set(ids).count { throw DomainError("partnerships.agreement.party-unknown", field: "parties") }
    }

    static func requireParty(_ stakeholder: UUID, of agreement: UUID, on db: any Database) async throws {
        guard try await Agreement.find(agreement, on: db) != nil else { throw DomainError.notFound("partnerships.agreement") }
        guard try await AgreementParty.query(on: db).filter(\.$agreementID == agreement).filter(\.$stakeholderID == stakeholder).first() != nil else {
            throw DomainError("partnerships.agreement.not-a-party", field: "stakeholder_id")
        }
    }

    static func party(_ draft: PartyDraft, of agreement: UUID) -> AgreementParty {
        let row = AgreementParty()
        (row.agreementID, row.stakeholderID, row.signedOn) = (agreement, draft.stakeholderID, draft.signedOn)
        return row
    }

    static func apply(_ d: AgreementDraft, to row: Agreement) {
        (row.title, row.cooperation, row.rules, row.status) = (d.title, d.cooperation.map(\.rawValue).joined(separator: " "), d.rules, d.status)
        (row.signedOn, row.validFrom, row.validUntil, row.reviewOn) = (d.signedOn, d.validFrom, d.validUntil, d.reviewOn)
    }

    func records(_ rows: [Agreement], today: String) async throws -> [AgreementRecord] {
        let ids = rows.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let parties = Dictionary(grouping: try await AgreementParty.query(on: db).filter(\.$agreementID ~~ ids).all(), by: \.agreementID)
        let obligations = Dictionary(grouping: try await Obligation.query(on: db).filter(\.$agreementID ~~ ids).sort(\.$dueOn).all(), by: \.agreementID)
        let services = Dictionary(grouping: try await DeliveredService.query(on: db).filter(\.$agreementID ~~ ids).all(), by: \.agreementID)
        return rows.map { row in
            let draft = AgreementDraft(
                title: row.title, cooperation: row.cooperation.split(separator: " ").compactMap { Cooperation(rawValue: String($0)) },
                rules: row.rules, status: row.status, signedOn: row.signedOn, validFrom: row.validFrom, validUntil: row.validUntil,
                reviewOn: row.reviewOn, parties: (parties[row.id!] ?? []).map { PartyDraft(stakeholderID: $0.stakeholderID, signedOn: $0.signedOn) })
            return AgreementRecord(id: row.id!, draft: draft, status: AgreementAttention.status(row.status, validUntil: row.validUntil, today: today),
                                   obligations: (obligations[row.id!] ?? []).map(Self.record), services: (services[row.id!] ?? []).map(Self.record),
                                   scanName: row.scanName, scanBytes: row.scanBytes)
        }
    }

    static func record(_ row: Obligation) -> ObligationRecord {
        ObligationRecord(id: row.id!, agreementID: row.agreementID, stakeholderID: row.stakeholderID, what: row.what, dueOn: row.dueOn,
                         recurrence: row.recurrence, status: row.status, evidence: row.evidence, lastDoneOn: row.lastDoneOn)
    }

    static func record(_ row: DeliveredService) -> ServiceRecord {
        ServiceRecord(id: row.id!, agreementID: row.agreementID, stakeholderID: row.stakeholderID, service: row.service, districtID: row.districtID)
    }
}
