import AsharNetwork
import Fluent
import Foundation
import Kernel
import OpenAPIRuntime
import Partnerships
import Referrals
import Vapor

/// The Referrals context: the service directory, cases, consents, referrals and their report. A case
/// or referral the user may not see answers 404, exactly as one that does not exist.
extension AsharAPI {
    func listHelpServices(_ input: Operations.ListHelpServices.Input) async throws -> Operations.ListHelpServices.Output {
        let req = try APIRequest.allowed(CaseAccess.canReadDirectory)
        let services = try await req.helpDirectory(kind: input.query.kind.flatMap { HelpServiceKind(rawValue: $0.rawValue) },
                                                   district: try input.query.districtId.map { try Self.id($0, field: "districtId") })
        return .ok(.init(body: .json(.init(items: services.map(Self.helpService), total: services.count))))
    }

    func listCases(_ input: Operations.ListCases.Input) async throws -> Operations.ListCases.Output {
        let req = try APIRequest.allowed(CaseAccess.isCaseworker)
        let page = try await req.cases.cases(grants: req.grants, page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: page.items.map(Self.helpCase), total: page.total))))
    }

    func openCase(_ input: Operations.OpenCase.Input) async throws -> Operations.OpenCase.Output {
        let req = try APIRequest.allowed(CaseAccess.isCaseworker)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let centres = CaseAccess.caseworkerOrganisations(req.grants)
        let centre = try body.organisationId.map { try Self.id($0, field: "organisationId") } ?? (centres.count == 1 ? centres.first! : nil)
        guard let centre else { throw DomainError("referrals.case.centre-required", field: "organisationId") }
        let preferences = body.preferences.map {
            Preferences(providerSex: $0.providerSex?.rawValue, languages: $0.languages ?? [], safeContact: $0.safeContact, safeTime: $0.safeTime, never: $0.never)
        } ?? Preferences()
        let draft = CaseDraft(alias: body.alias, situations: Set(body.situations.compactMap { Situation(rawValue: $0.rawValue) }),
                              riskLevel: RiskLevel(rawValue: body.riskLevel.rawValue) ?? .medium,
                              villageID: try body.villageId.map { try Self.id($0, field: "villageId") }, preferences: preferences,
                              notes: body.notes ?? "", personID: try body.personId.map { try Self.id($0, field: "personId") },
                              identityConsent: body.identityConsent.flatMap { ConsentGiven(rawValue: $0.rawValue) })
        return .created(.init(body: .json(Self.helpCase(try await req.cases.open(draft, at: centre, grants: req.grants, by: req.actor)))))
    }

    func getCase(_ input: Operations.GetCase.Input) async throws -> Operations.GetCase.Output {
        let req = try APIRequest.allowed { !$0.isEmpty }
        let id = try Self.id(input.path._case, notFound: "referrals.case")
        return .ok(.init(body: .json(Self.helpCase(try await req.cases.read(id, grants: req.grants, by: req.actor)))))
    }

    func addConsent(_ input: Operations.AddConsent.Input) async throws -> Operations.AddConsent.Output {
        let req = try APIRequest.allowed { !$0.isEmpty }
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let consent = try await req.cases.addConsent(
            to: try Self.id(input.path._case, notFound: "referrals.case"),
            ConsentDraft(recipientOrganisationID: try Self.id(body.recipientOrganisationId, field: "recipientOrganisationId"),
                         scope: Set(body.scope.compactMap { ConsentScope(rawValue: $0.rawValue) }), purpose: body.purpose,
                         givenHow: ConsentGiven(rawValue: body.givenHow.rawValue) ?? .spoken, expiresOn: body.expiresOn),
            grants: req.grants, by: req.actor)
        return .created(.init(body: .json(Self.consent(consent))))
    }

    func referCase(_ input: Operations.ReferCase.Input) async throws -> Operations.ReferCase.Output {
        let req = try APIRequest.allowed { !$0.isEmpty }
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let referral = try await ReferralService(db: req.db).refer(
            case: try Self.id(input.path._case, notFound: "referrals.case"), service: try Self.id(body.serviceId, field: "serviceId"),
            consent: try body.consentId.map { try Self.id($0, field: "consentId") }, overrideReason: body.overrideReason,
            followUpOn: body.followUpOn, grants: req.grants, by: req.actor)
        return .created(.init(body: .json(Self.referral(referral))))
    }

    func actOnReferral(_ input: Operations.ActOnReferral.Input) async throws -> Operations.ActOnReferral.Output {
        let req = try APIRequest.allowed { !$0.isEmpty }
        var reason: String?, outcome: Outcome?
        if case .json(let body) = input.body {
            (reason, outcome) = (body.reason, body.outcome.flatMap { Outcome(rawValue: $0.rawValue) })
        }
        guard let action = ReferralStatus.Action(rawValue: input.path.action.rawValue) else { throw DomainError.notFound("referrals.referral") }
        let referral = try await ReferralService(db: req.db).act(try Self.id(input.path.referral, notFound: "referrals.referral"), action,
                                                                 reason: reason, outcome: outcome, grants: req.grants, by: req.actor)
        return .ok(.init(body: .json(Self.referral(referral))))
    }

    func referralReport(_ input: Operations.ReferralReport.Input) async throws -> Operations.ReferralReport.Output {
        let req = try APIRequest.allowed(CaseAccess.canReadReport)
        let period = try ReferralPeriod(from: input.query.from, to: input.query.to)
        let counts = try await ReferralReport(db: req.db).counts(from: period.start, to: period.end)
        func rows<K>(_ counts: [K: Int], _ key: (K) -> String) -> [Components.Schemas.CountRow] {
            counts.map { (key($0.key), $0.value) }.sorted { $0.0 < $1.0 }.map { .init(key: $0.0, count: SmallCount.shown($0.1)) }
        }
        return .ok(.init(body: .json(.init(
            from: period.from, to: period.to, cases: SmallCount.shown(counts.cases), referrals: SmallCount.shown(counts.referrals),
            bySituation: rows(counts.bySituation, \.rawValue), byDistrict: rows(counts.byDistrict) { $0.uuidString.lowercased() },
            byService: rows(counts.byServiceKind, \.rawValue), byStatus: rows(counts.byStatus, \.rawValue), byOutcome: rows(counts.byOutcome, \.rawValue),
            medianHoursToFirstContact: counts.medianHoursToFirstContact))))
    }

    // MARK: -

    static func helpService(_ s: HelpServiceRecord) -> Components.Schemas.HelpService {
        .init(id: s.id.uuidString, organisationId: s.draft.organisationID?.uuidString, provider: s.draft.provider,
              kind: .init(rawValue: s.draft.kind.rawValue)!, districtIds: s.draft.districtIDs.map(\.uuidString), languages: s.draft.languages,
              womanStaff: s.draft.womanStaff, hours: s.draft.hours, contact: s.draft.contact, capacity: s.draft.capacity, active: s.draft.active,
              fromAgreement: s.fromAgreement)
    }

    static func helpCase(_ c: CaseRecord) -> Components.Schemas.Case {
        .init(id: c.id.uuidString, organisationId: c.organisationID.uuidString, alias: c.alias, holder: c.sight == .holder,
              situations: (c.situations ?? []).compactMap { .init(rawValue: $0.rawValue) }, riskLevel: c.riskLevel.flatMap { .init(rawValue: $0.rawValue) },
              villageId: c.villageID?.uuidString, districtId: c.districtID?.uuidString,
              preferences: c.preferences.map {
                  .init(providerSex: $0.providerSex.flatMap { .init(rawValue: $0) }, languages: $0.languages, safeContact: $0.safeContact,
                        safeTime: $0.safeTime, never: $0.never)
              },
              notes: c.notes, personId: c.personID?.uuidString, status: .init(rawValue: c.status.rawValue)!, openedAt: c.openedAt,
              firstContactAt: c.firstContactAt, closedAt: c.closedAt, outcome: c.outcome.flatMap { .init(rawValue: $0.rawValue) })
    }

    static func consent(_ c: ConsentRecord) -> Components.Schemas.Consent {
        .init(id: c.id.uuidString, recipientOrganisationId: c.draft.recipientOrganisationID?.uuidString ?? "",
              scope: ConsentScope.allCases.filter(c.draft.scope.contains).compactMap { .init(rawValue: $0.rawValue) }, purpose: c.draft.purpose,
              givenHow: .init(rawValue: c.draft.givenHow.rawValue)!, givenAt: c.givenAt, expiresOn: c.draft.expiresOn, withdrawnAt: c.withdrawnAt)
    }

    static func referral(_ r: ReferralRecord) -> Components.Schemas.Referral {
        .init(id: r.id.uuidString, caseId: r.caseID.uuidString, serviceId: r.serviceID.uuidString, consentId: r.consentID?.uuidString,
              status: .init(rawValue: r.status.rawValue)!, reason: r.reason, outcome: r.outcome.flatMap { .init(rawValue: $0.rawValue) },
              followUpOn: r.followUpOn, sentAt: r.sentAt)
    }
}

/// A report's period: whole Bishkek days, the last one included; a year up to today when not given.
struct ReferralPeriod {
    let from: String
    let to: String
    let start: Date
    let end: Date

    init(from: String?, to: String?, now: Date = Date()) throws {
        let today = BishkekCalendar.day(of: now)
        let to = to.flatMap { $0.isEmpty ? nil : $0 } ?? today
        let from = from.flatMap { $0.isEmpty ? nil : $0 } ?? BishkekCalendar.day(of: now.addingTimeInterval(-365 * 86_400))
        guard let start = BishkekCalendar.start(of: from) else { throw DomainError("referrals.report.day-invalid", field: "from") }
        guard let last = BishkekCalendar.start(of: to) else { throw DomainError("referrals.report.day-invalid", field: "to") }
        guard start <= last else { throw DomainError("referrals.report.period-reversed", field: "to") }
        (self.from, self.to, self.start, self.end) = (from, to, start, last.addingTimeInterval(86_400))
    }
}

extension Request {
    var grants: [Grant] { currentUser?.grants.map(\.grant) ?? [] }

    /// The directory, with the services partners agreed to deliver brought in first.
    func helpDirectory(kind: HelpServiceKind? = nil, district: UUID? = nil) async throws -> [HelpServiceRecord] {
        let directory = DirectoryService(db: db)
        do {
            try await directory.syncPartnerServices(try await partnerServiceFacts())
        } catch {
            // Two readers bringing the same new service in at once: one wins, the other reads what it wrote.
            logger.warning("partner services not synchronised: \(String(reflecting: type(of: error)))")
        }
        return try await directory.services(kind: kind, district: district)
    }

    /// The partners' services under agreements in force, as the directory names them.
    func partnerServiceFacts() async throws -> [PartnerServiceFact] {
        let stakeholders = Dictionary(uniqueKeysWithValues: try await StakeholderService(db: db).all().map { ($0.id, $0) })
        return try await AgreementService(db: db).directory().compactMap { service in
            guard let stakeholder = stakeholders[service.stakeholderID] else { return nil }
            return PartnerServiceFact(partnerServiceID: service.id, organisationID: stakeholder.draft.organisationID, provider: stakeholder.draft.name,
                                      kind: Self.helpKind(service.service), districtID: service.districtID, contact: stakeholder.draft.contact)
        }
    }

    static func helpKind(_ kind: ServiceKind) -> HelpServiceKind {
        switch kind {
        case .legal: .legalAid
        case .psychological: .psychosocial
        case .crisisShelter: .crisisShelter
        case .health: .medical
        case .childcare: .childcare
        case .credit: .microfinance
        case .training, .markets, .certification, .equipment: .livelihoods
        }
    }
}
