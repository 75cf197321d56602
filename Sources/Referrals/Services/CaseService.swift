import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct CaseDraft: Sendable {
    public var alias: String
    public var situations: Set<Situation>
    public var riskLevel: RiskLevel
    public var villageID: UUID?
    public var preferences: Preferences
    public var notes: String
    /// Her record in the people registry: only with `identityConsent`, how she agreed to it.
    public var personID: UUID?
    public var identityConsent: ConsentGiven?

    public init(alias: String, situations: Set<Situation>, riskLevel: RiskLevel, villageID: UUID? = nil, preferences: Preferences = .init(),
                notes: String = "", personID: UUID? = nil, identityConsent: ConsentGiven? = nil) {
        (self.alias, self.situations, self.riskLevel, self.villageID, self.preferences) = (alias, situations, riskLevel, villageID, preferences)
        (self.notes, self.personID, self.identityConsent) = (notes, personID, identityConsent)
    }
}

/// A case as one reader may see it: what her sight does not cover is nil.
public struct CaseRecord: Sendable, Equatable {
    public let id: UUID
    public let organisationID: UUID
    public let alias: String
    public let sight: CaseSight
    public let situations: [Situation]?
    public let riskLevel: RiskLevel?
    public let villageID: UUID?
    public let districtID: UUID?
    public let preferences: Preferences?
    public let notes: String?
    public let personID: UUID?
    public let status: CaseStatus
    public let openedAt: Date
    public let receivedAt: Date?
    public let firstContactAt: Date?
    public let closedAt: Date?
    public let outcome: Outcome?
    public let requestedByOrganisationID: UUID?
}

public struct ConsentDraft: Sendable {
    public var recipientOrganisationID: UUID?
    public var scope: Set<ConsentScope>
    public var purpose: String
    public var givenHow: ConsentGiven
    public var expiresOn: String?

    public init(recipientOrganisationID: UUID?, scope: Set<ConsentScope>, purpose: String, givenHow: ConsentGiven, expiresOn: String? = nil) {
        (self.recipientOrganisationID, self.scope, self.purpose, self.givenHow, self.expiresOn) = (recipientOrganisationID, scope, purpose, givenHow, expiresOn)
    }
}

public struct ConsentRecord: Sendable, Equatable {
    public let id: UUID
    public let caseID: UUID
    public let draft: ConsentDraft
    public let givenAt: Date
    public let withdrawnAt: Date?
    public let recordedBy: String

    public var terms: ConsentTerms {
        ConsentTerms(recipientOrganisationID: draft.recipientOrganisationID, scope: draft.scope, expiresOn: draft.expiresOn, withdrawn: withdrawnAt != nil)
    }
}

extension ConsentDraft: Equatable {}

/// What a time bank's or producer group's staff see of a request they sent: that it was received.
public struct HelpRequestReceipt: Sendable, Equatable {
    public let id: UUID
    public let helpCentreID: UUID
    public let sentAt: Date
    public let receivedAt: Date?
}

/// Who read a case, and when: shown to its case workers.
public struct CaseReading: Sendable, Equatable {
    public let login: String
    public let at: Date
}

/// Help requests and their consents. Every read and write of a case is in the audit log (by id and
/// action only: nothing about her); a case a user may not see answers "not found", as one that does not
/// exist. Preferences and notes are sealed with the network's key before they are stored.
public struct CaseService: Sendable {
    let db: any Database
    let cipher: NoteCipher
    public init(db: any Database, cipher: NoteCipher) {
        self.db = db
        self.cipher = cipher
    }

    static let entity = "referral_case"

    /// A case worker opens a case at her help centre.
    public func open(_ draft: CaseDraft, at organisation: UUID, grants: [Grant], by actor: Actor) async throws -> CaseRecord {
        guard CaseAccess.caseworkerOrganisations(grants).contains(organisation) else { throw DomainError("referrals.case.not-caseworker", kind: .forbidden) }
        return try await create(draft, holder: organisation, requestedBy: nil, by: actor)
    }

    /// Staff of a time bank or producer group send a request for help to a help centre. They keep only
    /// the receipt: the case is the help centre's.
    public func request(_ draft: CaseDraft, from organisation: UUID, to helpCentre: UUID, grants: [Grant], by actor: Actor) async throws -> HelpRequestReceipt {
        guard CaseAccess.requestingOrganisations(grants).contains(organisation) else { throw DomainError("referrals.request.not-staff", kind: .forbidden) }
        guard try await Organisation.find(helpCentre, on: db)?.kind == .helpCentre else {
            throw DomainError("referrals.request.not-help-centre", field: "help_centre_id")
        }
        let record = try await create(draft, holder: helpCentre, requestedBy: organisation, by: actor)
        return HelpRequestReceipt(id: record.id, helpCentreID: helpCentre, sentAt: record.openedAt, receivedAt: nil)
    }

    func create(_ draft: CaseDraft, holder: UUID, requestedBy: UUID?, by actor: Actor) async throws -> CaseRecord {
        let d = try Self.checked(draft)
        let preferences = try cipher.seal(String(decoding: try JSONEncoder().encode(d.preferences), as: UTF8.self))
        let notes = d.notes.isEmpty ? nil : try cipher.seal(d.notes)
        return try await db.writeTransaction { tx in
            var district: UUID?
            if let village = d.villageID {
                guard let place = try await Place.find(village, on: tx) else { throw DomainError("referrals.case.village-unknown", field: "village_id") }
                district = place.level == .district ? place.id : place.districtID
            }
            if let person = d.personID, try await Person.find(person, on: tx) == nil { throw DomainError.notFound("network.person") }
            let row = HelpCase()
            row.organisationID = holder
            row.requestedByOrganisationID = requestedBy
            row.alias = d.alias
            row.personID = d.personID
            row.situations = Self.codes(d.situations)
            row.riskLevel = d.riskLevel
            row.villageID = d.villageID
            row.districtID = district
            row.preferencesSealed = preferences
            row.notesSealed = notes
            row.status = .open
            row.openedAt = Date()
            row.receivedAt = requestedBy == nil ? row.openedAt : nil
            row.openedByLogin = actor.login
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: requestedBy == nil ? "create" : "request", entity: Self.entity, entityID: row.id,
                                      changes: d.identityConsent.map { [FieldChange(field: "identity_consent", from: nil, to: $0.rawValue)] } ?? [])
            return try self.record(row, sight: .holder)
        }
    }

    /// The case as `grants` may see it, the read written to the audit log; not found when she may not.
    public func read(_ id: UUID, grants: [Grant], by actor: Actor) async throws -> CaseRecord {
        guard let row = try await HelpCase.find(id, on: db), let sight = try await sight(of: row, grants: grants) else {
            throw DomainError.notFound("referrals.case")
        }
        try await AuditLog.record(on: db, actor: actor, action: "read", entity: Self.entity, entityID: id)
        return try record(row, sight: sight)
    }

    /// How much of the case the user sees, nil when nothing.
    func sight(of row: HelpCase, grants: [Grant]) async throws -> CaseSight? {
        try await sights(of: [row], grants: grants)[row.id!]
    }

    /// How much of each case the user sees (absent: nothing), read with two queries however many cases.
    func sights(of rows: [HelpCase], grants: [Grant]) async throws -> [UUID: CaseSight] {
        let organisations = CaseAccess.caseworkerOrganisations(grants)
        var sights: [UUID: CaseSight] = [:]
        for row in rows where organisations.contains(row.organisationID) { sights[row.id!] = .holder }
        let others = rows.map { $0.id! }.filter { sights[$0] == nil }
        guard !others.isEmpty, !organisations.isEmpty else { return sights }
        let referrals = try await Referral.query(on: db).filter(\.$caseID ~~ others).filter(\.$toOrganisationID ~~ Array(organisations))
            .filter(\.$status ~~ [ReferralStatus.sent, .accepted, .done]).all()
        guard !referrals.isEmpty else { return sights }
        let consents = Dictionary(uniqueKeysWithValues: try await CaseConsent.query(on: db).filter(\.$caseID ~~ Set(referrals.map(\.caseID)))
            .filter(\.$withdrawnAt == nil).all().map { ($0.id!, Self.scopes($0)) })
        for referral in referrals {
            var scopes: Set<ConsentScope> = if case .receiver(let seen) = sights[referral.caseID] { seen } else { [] }
            if let consent = referral.consentID {
                scopes.formUnion(consents[consent] ?? [])
            } else {
                // Sent without consent in an emergency: what is needed to reach her safely, nothing more.
                scopes.formUnion([.situation, .preferences])
            }
            sights[referral.caseID] = .receiver(scopes)
        }
        return sights
    }

    /// The cases a case worker works on: those her centre holds, and those referred to it. Open first,
    /// newest first. Listing is not reading: no audit entry, and only what each sight allows.
    public func cases(grants: [Grant], status: CaseStatus? = nil, page: PageQuery) async throws -> Paged<CaseRecord> {
        let organisations = Array(CaseAccess.caseworkerOrganisations(grants))
        guard !organisations.isEmpty else { return Paged(items: [], total: 0, request: page) }
        let referred = try await Referral.query(on: db).filter(\.$toOrganisationID ~~ organisations)
            .filter(\.$status ~~ [ReferralStatus.sent, .accepted, .done]).all().map(\.caseID)
        let query = HelpCase.query(on: db).group(.or) { or in
            or.filter(\.$organisationID ~~ organisations)
            if !referred.isEmpty { or.filter(\.$id ~~ referred) }
        }
        if let status { query.filter(\.$status == status) }
        let total = try await query.count()
        let rows = try await query.sort(\.$status, .descending).sort(\.$openedAt, .descending)
            .range(page.offset..<(page.offset + page.per)).all()
        let sights = try await sights(of: rows, grants: grants)
        let items = try rows.compactMap { row in try sights[row.id!].map { try record(row, sight: $0) } }
        return Paged(items: items, total: total, request: page)
    }

    /// The requests a time bank's or group's staff sent: when, to whom, and whether it was received.
    public func receipts(grants: [Grant]) async throws -> [HelpRequestReceipt] {
        let organisations = Array(CaseAccess.requestingOrganisations(grants))
        guard !organisations.isEmpty else { return [] }
        return try await HelpCase.query(on: db).filter(\.$requestedByOrganisationID ~~ organisations).sort(\.$openedAt, .descending).all()
            .map { HelpRequestReceipt(id: $0.id!, helpCentreID: $0.organisationID, sentAt: $0.openedAt, receivedAt: $0.receivedAt) }
    }

    /// The help centre takes a request in; its sender sees that it was received.
    public func receive(_ id: UUID, grants: [Grant], by actor: Actor) async throws {
        try await holderWrite(id, grants: grants, action: "receive", by: actor) { row in
            if row.receivedAt == nil { row.receivedAt = Date() }
        }
    }

    /// The first time a case worker reached her: the report's "time to first contact".
    public func recordContact(_ id: UUID, grants: [Grant], by actor: Actor) async throws {
        try await holderWrite(id, grants: grants, action: "contact", by: actor) { row in
            if row.firstContactAt == nil { row.firstContactAt = Date() }
            if row.receivedAt == nil { row.receivedAt = Date() }
        }
    }

    public func close(_ id: UUID, outcome: Outcome, grants: [Grant], by actor: Actor) async throws {
        try await holderWrite(id, grants: grants, action: "close", by: actor) { row in
            guard row.status == .open else { throw DomainError("referrals.case.closed", kind: .conflict) }
            row.status = .closed
            row.closedAt = Date()
            row.outcome = outcome.rawValue
        }
    }

    /// Links the case to her record in the people registry: only with her consent, said how she gave it.
    public func linkPerson(_ id: UUID, person: UUID, consentGiven: Bool, how: ConsentGiven, grants: [Grant], by actor: Actor) async throws {
        guard consentGiven else { throw DomainError("referrals.case.identity-consent-required", field: "consent") }
        guard try await Person.find(person, on: db) != nil else { throw DomainError.notFound("network.person") }
        try await db.writeTransaction { tx in
            guard let row = try await HelpCase.find(id, on: tx), CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else {
                throw DomainError.notFound("referrals.case")
            }
            row.personID = person
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "link-person", entity: Self.entity, entityID: id,
                                      changes: [FieldChange(field: "identity_consent", from: nil, to: how.rawValue)])
        }
    }

    /// Changes her notes (the holder's case workers only).
    public func updateNotes(_ id: UUID, notes: String, grants: [Grant], by actor: Actor) async throws {
        let sealed = notes.isEmpty ? nil : try cipher.seal(notes)
        try await holderWrite(id, grants: grants, action: "update", by: actor) { row in row.notesSealed = sealed }
    }

    func holderWrite(_ id: UUID, grants: [Grant], action: String, by actor: Actor, _ change: @escaping @Sendable (HelpCase) throws -> Void) async throws {
        try await db.writeTransaction { tx in
            guard let row = try await HelpCase.find(id, on: tx), CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else {
                throw DomainError.notFound("referrals.case")
            }
            try change(row)
            try await row.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: action, entity: Self.entity, entityID: id)
        }
    }

    /// Who read the case and when, newest first: for its own case workers only.
    public func readings(_ id: UUID, grants: [Grant]) async throws -> [CaseReading] {
        guard let row = try await HelpCase.find(id, on: db), CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else {
            throw DomainError.notFound("referrals.case")
        }
        return try await AuditEntry.query(on: db).filter(\.$entity == Self.entity).filter(\.$entityID == id).filter(\.$action == "read")
            .sort(\.$at, .descending).range(0..<200).all().map { CaseReading(login: $0.actorLogin, at: $0.at) }
    }

    // MARK: Consent

    public func addConsent(to caseID: UUID, _ draft: ConsentDraft, grants: [Grant], by actor: Actor) async throws -> ConsentRecord {
        var d = draft
        d.purpose = d.purpose.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [DomainError] = []
        if d.scope.isEmpty { problems.append(DomainError("referrals.consent.scope-required", field: "scope")) }
        if d.purpose.isEmpty { problems.append(DomainError("referrals.consent.purpose-required", field: "purpose")) }
        if let expires = d.expiresOn, BishkekCalendar.start(of: expires) == nil { problems.append(DomainError("referrals.consent.expiry-invalid", field: "expires_on")) }
        try ValidationErrors.throwIfAny(problems)
        let purpose = try cipher.seal(d.purpose)
        let checked = d
        return try await db.writeTransaction { tx in
            let d = checked
            guard let row = try await HelpCase.find(caseID, on: tx), CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else {
                throw DomainError.notFound("referrals.case")
            }
            if let recipient = d.recipientOrganisationID, try await Organisation.find(recipient, on: tx) == nil {
                throw DomainError("referrals.consent.recipient-unknown", field: "recipient_organisation_id")
            }
            let consent = CaseConsent()
            consent.caseID = caseID
            consent.recipientOrganisationID = d.recipientOrganisationID
            consent.scope = ConsentScope.allCases.filter(d.scope.contains).map(\.rawValue).joined(separator: " ")
            consent.purpose = purpose
            consent.givenHow = d.givenHow
            consent.givenAt = Date()
            consent.expiresOn = d.expiresOn
            consent.recordedByLogin = actor.login
            try await consent.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "referral_consent", entityID: consent.id,
                                      changes: [FieldChange(field: "scope", from: nil, to: consent.scope)])
            return try self.record(consent)
        }
    }

    /// She withdrew it: from now on it covers nothing, and what it let others see they no longer see.
    public func withdrawConsent(_ id: UUID, grants: [Grant], by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            guard let consent = try await CaseConsent.find(id, on: tx), let row = try await HelpCase.find(consent.caseID, on: tx),
                  CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else { throw DomainError.notFound("referrals.consent") }
            guard consent.withdrawnAt == nil else { return }
            consent.withdrawnAt = Date()
            try await consent.update(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "withdraw", entity: "referral_consent", entityID: id)
        }
    }

    public func consents(of caseID: UUID, grants: [Grant]) async throws -> [ConsentRecord] {
        guard let row = try await HelpCase.find(caseID, on: db), CaseAccess.caseworkerOrganisations(grants).contains(row.organisationID) else {
            throw DomainError.notFound("referrals.case")
        }
        return try await CaseConsent.query(on: db).filter(\.$caseID == caseID).sort(\.$givenAt, .descending).all().map(record)
    }

    // MARK: Retention and keys

    /// Closed cases older than `months` lose everything that could point at her: alias, registry link,
    /// village, preferences, notes, consent purposes. Codes and dates stay for the reports.
    public func anonymise(closedBefore cutoff: Date, by actor: Actor) async throws -> Int {
        try await db.writeTransaction { tx in
            let rows = try await HelpCase.query(on: tx).filter(\.$status == .closed).filter(\.$closedAt < cutoff).filter(\.$anonymisedAt == nil).all()
            for row in rows {
                row.alias = "—"
                row.personID = nil
                row.villageID = nil
                row.preferencesSealed = nil
                row.notesSealed = nil
                row.anonymisedAt = Date()
                try await row.update(on: tx)
                try await CaseConsent.query(on: tx).filter(\.$caseID == row.id!).set(\.$purpose, to: "—").update()
            }
            if !rows.isEmpty {
                try await AuditLog.record(on: tx, actor: actor, action: "anonymise", entity: Self.entity, entityID: nil,
                                          changes: [FieldChange(field: "cases", from: nil, to: String(rows.count))])
            }
            return rows.count
        }
    }

    /// Seals again, under the current key, everything sealed under an older one. Returns how many texts.
    public func resealStale(by actor: Actor) async throws -> Int {
        try await db.writeTransaction { tx in
            var count = 0
            func reseal(_ text: String?) throws -> String? {
                guard let text, cipher.isStale(text) else { return text }
                count += 1
                return try cipher.seal(try cipher.open(text))
            }
            for row in try await HelpCase.query(on: tx).all() {
                let preferences = try reseal(row.preferencesSealed), notes = try reseal(row.notesSealed)
                guard preferences != row.preferencesSealed || notes != row.notesSealed else { continue }
                (row.preferencesSealed, row.notesSealed) = (preferences, notes)
                try await row.update(on: tx)
            }
            for consent in try await CaseConsent.query(on: tx).all() where consent.purpose != "—" {
                guard let purpose = try reseal(consent.purpose), purpose != consent.purpose else { continue }
                consent.purpose = purpose
                try await consent.update(on: tx)
            }
            try await AuditLog.record(on: tx, actor: actor, action: "rotate-key", entity: Self.entity, entityID: nil,
                                      changes: [FieldChange(field: "texts", from: nil, to: String(count))])
            return count
        }
    }

    // MARK: -

    static func checked(_ draft: CaseDraft) throws -> CaseDraft {
        var d = draft
        d.alias = d.alias.trimmingCharacters(in: .whitespacesAndNewlines)
        d.notes = d.notes.trimmingCharacters(in: .whitespacesAndNewlines)
        var problems: [DomainError] = []
        if d.alias.isEmpty { problems.append(DomainError("referrals.case.alias-required", field: "alias")) }
        if d.situations.isEmpty { problems.append(DomainError("referrals.case.situation-required", field: "situations")) }
        if d.personID != nil && d.identityConsent == nil { problems.append(DomainError("referrals.case.identity-consent-required", field: "identity_consent")) }
        try ValidationErrors.throwIfAny(problems)
        return d
    }

    static func codes(_ situations: Set<Situation>) -> String {
        Situation.allCases.filter(situations.contains).map(\.rawValue).joined(separator: " ")
    }

    static func scopes(_ consent: CaseConsent) -> Set<ConsentScope> {
        Set(consent.scope.split(separator: " ").compactMap { ConsentScope(rawValue: String($0)) })
    }

    func record(_ row: HelpCase, sight: CaseSight) throws -> CaseRecord {
        let situations = row.situations.split(separator: " ").compactMap { Situation(rawValue: String($0)) }
        let preferences = try row.preferencesSealed.map { try JSONDecoder().decode(Preferences.self, from: Data(try cipher.open($0).utf8)) }
        let holder = sight == .holder
        return CaseRecord(
            id: row.id!, organisationID: row.organisationID, alias: row.alias, sight: sight,
            situations: sight.shows(.situation) ? situations : nil, riskLevel: sight.shows(.situation) ? row.riskLevel : nil,
            villageID: sight.shows(.identity) ? row.villageID : nil, districtID: row.districtID,
            preferences: sight.shows(.preferences) ? preferences : nil,
            notes: sight.shows(.notes) ? try row.notesSealed.map(cipher.open) : nil,
            personID: sight.shows(.identity) ? row.personID : nil, status: row.status, openedAt: row.openedAt, receivedAt: row.receivedAt,
            firstContactAt: row.firstContactAt, closedAt: row.closedAt, outcome: row.outcome.flatMap(Outcome.init(rawValue:)),
            requestedByOrganisationID: holder ? row.requestedByOrganisationID : nil)
    }

    func record(_ row: CaseConsent) throws -> ConsentRecord {
        ConsentRecord(id: row.id!, caseID: row.caseID, draft: ConsentDraft(
            recipientOrganisationID: row.recipientOrganisationID, scope: Self.scopes(row),
            purpose: row.purpose == "—" ? "—" : try cipher.open(row.purpose), givenHow: row.givenHow, expiresOn: row.expiresOn),
            givenAt: row.givenAt, withdrawnAt: row.withdrawnAt, recordedBy: row.recordedByLogin)
    }
}
