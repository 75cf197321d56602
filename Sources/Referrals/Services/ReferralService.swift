import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct ReferralRecord: Sendable, Equatable {
    public let id: UUID
    public let caseID: UUID
    public let serviceID: UUID
    public let fromOrganisationID: UUID
    public let toOrganisationID: UUID?
    public let consentID: UUID?
    /// Sent without consent, by a case supervisor, for this written reason (the sender's eyes only).
    public let overrideReason: String?
    public let status: ReferralStatus
    public let reason: String?
    public let outcome: Outcome?
    public let followUpOn: String?
    public let sentAt: Date
    public let answeredAt: Date?
    public let closedAt: Date?
}

/// A case sent to a service, and its way from sent to done. The sender is the case's help centre;
/// the receiver the organisation that gives the service (none for a partner outside the network:
/// then the sender records its answer).
public struct ReferralService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    static let entity = "referral"

    /// The services that fit the case, best first.
    public func proposals(for record: CaseRecord) async throws -> [(service: HelpServiceRecord, proposal: Matching.Proposal)] {
        let services = try await DirectoryService(db: db).services(activeOnly: true)
        let byID = Dictionary(uniqueKeysWithValues: services.map { ($0.id, $0) })
        return Matching.propose(services.map(DirectoryService.facts), situations: Set(record.situations ?? []),
                                preferences: record.preferences ?? .init(), district: record.districtID)
            .compactMap { proposal in byID[proposal.serviceID].map { ($0, proposal) } }
    }

    /// Sends the case to a service: under a consent that covers the service's organisation today, or —
    /// a case supervisor only — without one, with a written reason, which the audit log keeps.
    public func refer(case caseID: UUID, service serviceID: UUID, consent consentID: UUID?, overrideReason: String? = nil,
                      followUpOn: String? = nil, grants: [Grant], by actor: Actor,
                      today: String = BishkekCalendar.day(of: Date())) async throws -> ReferralRecord {
        let reason = overrideReason?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        if let followUpOn, BishkekCalendar.start(of: followUpOn) == nil { throw DomainError("referrals.referral.follow-up-invalid", field: "follow_up_on") }
        return try await db.writeTransaction { tx in
            guard let row = try await HelpCase.find(caseID, on: tx), CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else {
                throw DomainError.notFound("referrals.case")
            }
            guard row.status == .open else { throw DomainError("referrals.case.closed", kind: .conflict) }
            guard let service = try await HelpService.find(serviceID, on: tx), service.active else {
                throw DomainError("referrals.referral.service-unknown", field: "service_id")
            }
            var consentUsed: UUID?
            if let consentID {
                guard let consent = try await CaseConsent.find(consentID, on: tx), consent.caseID == caseID else {
                    throw DomainError("referrals.no-consent", field: "consent_id")
                }
                let terms = ConsentTerms(recipientOrganisationID: consent.recipientOrganisationID, scope: CaseService.scopes(consent),
                                         expiresOn: consent.expiresOn, withdrawn: consent.withdrawnAt != nil)
                guard terms.covers(recipient: service.organisationID, today: today) else { throw DomainError("referrals.no-consent", field: "consent_id") }
                consentUsed = consentID
            } else if reason == nil {
                throw DomainError("referrals.no-consent", field: "consent_id")
            } else if !CaseAccess.supervises(grants, organisation: row.organisationID) {
                throw DomainError("referrals.override.not-supervisor", kind: .forbidden, field: "override_reason")
            }
            let referral = Referral()
            referral.caseID = caseID
            referral.serviceID = serviceID
            referral.fromOrganisationID = row.organisationID
            referral.toOrganisationID = service.organisationID
            referral.consentID = consentUsed
            referral.overrideReason = consentUsed == nil ? reason : nil
            referral.status = .sent
            referral.followUpOn = followUpOn
            referral.sentAt = Date()
            try await referral.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: consentUsed == nil ? "override-consent" : "create", entity: Self.entity,
                                      entityID: referral.id, changes: [FieldChange(field: "status", from: nil, to: ReferralStatus.sent.rawValue)])
            return Self.record(referral, sender: true)
        }
    }

    /// Accept, decline (with a reason), done (with its outcome) — the receiver; revoke — the sender.
    /// A referral the user may not act on answers "not found".
    public func act(_ id: UUID, _ action: ReferralStatus.Action, reason: String? = nil, outcome: Outcome? = nil,
                    grants: [Grant], by actor: Actor) async throws -> ReferralRecord {
        let note = reason?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        if action == .decline, note == nil { throw DomainError("referrals.referral.reason-required", field: "reason") }
        if action == .done, outcome == nil { throw DomainError("referrals.referral.outcome-required", field: "outcome") }
        return try await db.writeTransaction { tx in
            guard let referral = try await Referral.find(id, on: tx) else { throw DomainError.notFound("referrals.referral") }
            let organisations = CaseAccess.caseworkerOrganisations(grants)
            let isSender = organisations.contains(referral.fromOrganisationID)
            // A partner outside the network has no case workers here: the sender records its answers.
            let isReceiver = referral.toOrganisationID.map(organisations.contains) ?? isSender
            guard action.byReceiver ? isReceiver : isSender else {
                guard isSender || isReceiver else { throw DomainError.notFound("referrals.referral") }
                throw DomainError("referrals.referral.not-yours", kind: .forbidden)
            }
            guard let next = referral.status.after(action) else {
                throw DomainError("referrals.referral.transition", kind: .conflict, arguments: ["status": referral.status.rawValue])
            }
            let before = referral.status
            referral.status = next
            switch action {
            case .accept: referral.answeredAt = Date()
            case .decline: (referral.answeredAt, referral.reason) = (Date(), note)
            case .done: (referral.closedAt, referral.outcome) = (Date(), outcome?.rawValue)
            case .revoke: (referral.closedAt, referral.reason) = (Date(), note)
            }
            try await referral.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: action.rawValue, entity: Self.entity, entityID: id,
                                      changes: [FieldChange(field: "status", from: before.rawValue, to: next.rawValue)])
            return Self.record(referral, sender: isSender)
        }
    }

    /// The case a referral belongs to, for its sender or receiver; nil for anyone else.
    public func caseOf(_ id: UUID, grants: [Grant]) async throws -> UUID? {
        guard let referral = try await Referral.find(id, on: db) else { return nil }
        let organisations = CaseAccess.caseworkerOrganisations(grants)
        let involved = organisations.contains(referral.fromOrganisationID) || referral.toOrganisationID.map(organisations.contains) == true
        return involved ? referral.caseID : nil
    }

    /// The case's referrals, for those who see the case: the receiver sees only those sent to it.
    public func referrals(of record: CaseRecord, grants: [Grant]) async throws -> [ReferralRecord] {
        let organisations = CaseAccess.caseworkerOrganisations(grants)
        let rows = try await Referral.query(on: db).filter(\.$caseID == record.id).sort(\.$sentAt, .descending).all()
        return rows.filter { record.sight == .holder || $0.toOrganisationID.map(organisations.contains) == true }
            .map { Self.record($0, sender: record.sight == .holder) }
    }

    /// Referrals sent to the user's organisations, waiting or in hand first.
    public func incoming(grants: [Grant]) async throws -> [ReferralRecord] {
        let organisations = Array(CaseAccess.caseworkerOrganisations(grants))
        guard !organisations.isEmpty else { return [] }
        return try await Referral.query(on: db).filter(\.$toOrganisationID ~~ organisations).sort(\.$sentAt, .descending).range(0..<200).all()
            .sorted { ($0.status.isLive ? 0 : 1) < ($1.status.isLive ? 0 : 1) }.map { Self.record($0, sender: false) }
    }

    /// Live referrals of the user's organisations whose follow-up day has come: the reminders.
    public func followUpsDue(grants: [Grant], today: String = BishkekCalendar.day(of: Date())) async throws -> [ReferralRecord] {
        let organisations = Array(CaseAccess.caseworkerOrganisations(grants))
        guard !organisations.isEmpty else { return [] }
        return try await Referral.query(on: db).filter(\.$fromOrganisationID ~~ organisations).filter(\.$status ~~ [ReferralStatus.sent, .accepted])
            .filter(\.$followUpOn <= today).sort(\.$followUpOn).all().map { Self.record($0, sender: true) }
    }

    static func record(_ row: Referral, sender: Bool) -> ReferralRecord {
        ReferralRecord(id: row.id!, caseID: row.caseID, serviceID: row.serviceID, fromOrganisationID: row.fromOrganisationID,
                       toOrganisationID: row.toOrganisationID, consentID: row.consentID, overrideReason: sender ? row.overrideReason : nil,
                       status: row.status, reason: row.reason, outcome: row.outcome.flatMap(Outcome.init(rawValue:)), followUpOn: row.followUpOn, sentAt: row.sentAt,
                       answeredAt: row.answeredAt, closedAt: row.closedAt)
    }
}
