import AsharNetwork
import Fluent
import Foundation
import Kernel
import OpenAPIRuntime
import Partnerships
import Vapor

/// The Partnerships context: the stakeholder map and framework agreements.
extension AsharAPI {
    func listStakeholders(_ input: Operations.ListStakeholders.Input) async throws -> Operations.ListStakeholders.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canRead)
        let list = try await StakeholderService(db: req.db).stakeholders(
            sector: input.query.sector.flatMap { Sector(rawValue: $0.rawValue) }, page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.stakeholder), total: list.total))))
    }

    func createStakeholder(_ input: Operations.CreateStakeholder.Input) async throws -> Operations.CreateStakeholder.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.stakeholder(try await StakeholderService(db: req.db).create(try Self.draft(body), by: req.actor)))))
    }

    func getStakeholder(_ input: Operations.GetStakeholder.Input) async throws -> Operations.GetStakeholder.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canRead)
        let id = try Self.id(input.path.stakeholder, notFound: "partnerships.stakeholder")
        return .ok(.init(body: .json(Self.stakeholder(try await StakeholderService(db: req.db).stakeholder(id)))))
    }

    func updateStakeholder(_ input: Operations.UpdateStakeholder.Input) async throws -> Operations.UpdateStakeholder.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let id = try Self.id(input.path.stakeholder, notFound: "partnerships.stakeholder")
        return .ok(.init(body: .json(Self.stakeholder(try await StakeholderService(db: req.db).update(id, try Self.draft(body), by: req.actor)))))
    }

    func listAgreements(_ input: Operations.ListAgreements.Input) async throws -> Operations.ListAgreements.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canRead)
        let list = try await AgreementService(db: req.db).agreements(
            status: input.query.status.flatMap { AgreementStatus(rawValue: $0.rawValue) }, page: PageQuery(page: input.query.page, per: input.query.per))
        return .ok(.init(body: .json(.init(items: list.items.map(Self.agreement), total: list.total))))
    }

    func createAgreement(_ input: Operations.CreateAgreement.Input) async throws -> Operations.CreateAgreement.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        return .created(.init(body: .json(Self.agreement(try await AgreementService(db: req.db).create(try Self.draft(body), by: req.actor)))))
    }

    func getAgreement(_ input: Operations.GetAgreement.Input) async throws -> Operations.GetAgreement.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canRead)
        let id = try Self.id(input.path.agreement, notFound: "partnerships.agreement")
        return .ok(.init(body: .json(Self.agreement(try await AgreementService(db: req.db).agreement(id)))))
    }

    func updateAgreement(_ input: Operations.UpdateAgreement.Input) async throws -> Operations.UpdateAgreement.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let id = try Self.id(input.path.agreement, notFound: "partnerships.agreement")
        return .ok(.init(body: .json(Self.agreement(try await AgreementService(db: req.db).update(id, try Self.draft(body), by: req.actor)))))
    }

    func getAgreementAttention(_ input: Operations.GetAgreementAttention.Input) async throws -> Operations.GetAgreementAttention.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canRead)
        let list = try await AgreementService(db: req.db).attention()
        return .ok(.init(body: .json(.init(
            overdue: list.overdue.map { .init(agreementId: $0.agreement.id.uuidString, title: $0.agreement.draft.title, obligation: Self.obligation($0.obligation)) },
            ending: list.ending.map(Self.agreement), reviewDue: list.reviewDue.map(Self.agreement)))))
    }

    func addObligation(_ input: Operations.AddObligation.Input) async throws -> Operations.AddObligation.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let id = try Self.id(input.path.agreement, notFound: "partnerships.agreement")
        let obligation = try await AgreementService(db: req.db).addObligation(to: id, ObligationDraft(
            stakeholderID: try Self.id(body.stakeholderId, field: "stakeholderId"), what: body.what, dueOn: body.dueOn,
            recurrence: body.recurrence.flatMap { Recurrence(rawValue: $0.rawValue) } ?? .once), by: req.actor)
        return .created(.init(body: .json(Self.obligation(obligation))))
    }

    func recordObligation(_ input: Operations.RecordObligation.Input) async throws -> Operations.RecordObligation.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let service = AgreementService(db: req.db)
        let agreement = try await service.agreement(try Self.id(input.path.agreement, notFound: "partnerships.agreement"))
        guard let id = UUID(uuidString: input.path.obligation), agreement.obligations.contains(where: { $0.id == id }) else {
            throw DomainError.notFound("partnerships.obligation")
        }
        let day = try body.on.map { text in
            guard BishkekCalendar.start(of: text) != nil else { throw DomainError("partnerships.date-invalid", field: "on", arguments: ["value": text]) }
            return text
        } ?? BishkekCalendar.day(of: Date())
        let obligation = try await service.recordObligation(id, status: ObligationStatus(rawValue: body.status.rawValue) ?? .open,
                                                            evidence: body.evidence ?? "", on: day, by: req.actor)
        return .ok(.init(body: .json(Self.obligation(obligation))))
    }

    func addAgreementService(_ input: Operations.AddAgreementService.Input) async throws -> Operations.AddAgreementService.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .json(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let record = try await AgreementService(db: req.db).addService(
            to: try Self.id(input.path.agreement, notFound: "partnerships.agreement"), stakeholder: try Self.id(body.stakeholderId, field: "stakeholderId"),
            service: ServiceKind(rawValue: body.service.rawValue)!, district: try Self.id(body.districtId, field: "districtId"), by: req.actor)
        return .created(.init(body: .json(Self.service(record))))
    }

    func attachAgreementScan(_ input: Operations.AttachAgreementScan.Input) async throws -> Operations.AttachAgreementScan.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canManage)
        guard case .pdf(let body) = input.body else { throw Abort(.unsupportedMediaType) }
        let data = try await Data(collecting: body, upTo: APIUploadLimits.agreementScan)
        try await AgreementService(db: req.db).attachScan(try Self.id(input.path.agreement, notFound: "partnerships.agreement"), data: data,
                                                          filename: "agreement.pdf", directory: req.application.agreementScans, by: req.actor)
        return .noContent(.init())
    }

    func getAgreementScan(_ input: Operations.GetAgreementScan.Input) async throws -> Operations.GetAgreementScan.Output {
        let req = try APIRequest.allowed(PartnershipAccess.canRead)
        let scan = try await AgreementService(db: req.db).scan(try Self.id(input.path.agreement, notFound: "partnerships.agreement"),
                                                               directory: req.application.agreementScans)
        return .ok(.init(body: .pdf(HTTPBody(scan.data))))
    }

    // MARK: -

    static func draft(_ body: Components.Schemas.StakeholderInput) throws -> StakeholderDraft {
        StakeholderDraft(
            name: body.name, isPerson: body.isPerson ?? false, sector: Sector(rawValue: body.sector.rawValue)!,
            organisationID: try body.organisationId.map { try id($0, field: "organisationId") }, districtID: try body.districtId.map { try id($0, field: "districtId") },
            role: body.role ?? "", influence: body.influence, interest: body.interest, activities: body.activities ?? "",
            inputs: (body.inputs ?? []).compactMap { Input(rawValue: $0.rawValue) }, strategy: body.strategy ?? "", contact: body.contact ?? "")
    }

    static func stakeholder(_ r: StakeholderRecord) -> Components.Schemas.Stakeholder {
        let d = r.draft
        return .init(
            value1: .init(name: d.name, isPerson: d.isPerson, sector: .init(rawValue: d.sector.rawValue)!, organisationId: d.organisationID?.uuidString,
                          districtId: d.districtID?.uuidString, role: d.role, influence: d.influence, interest: d.interest, activities: d.activities,
                          inputs: d.inputs.compactMap { .init(rawValue: $0.rawValue) }, strategy: d.strategy, contact: d.contact),
            value2: .init(id: r.id.uuidString, quadrant: .init(rawValue: r.quadrant.rawValue)!))
    }

    static func draft(_ body: Components.Schemas.AgreementInput) throws -> AgreementDraft {
        AgreementDraft(
            title: body.title, cooperation: (body.cooperation ?? []).compactMap { Cooperation(rawValue: $0.rawValue) }, rules: body.rules ?? "",
            status: body.status.flatMap { AgreementStatus(rawValue: $0.rawValue) } ?? .draft, signedOn: body.signedOn, validFrom: body.validFrom,
            validUntil: body.validUntil, reviewOn: body.reviewOn,
            parties: try body.parties.map { PartyDraft(stakeholderID: try id($0.stakeholderId, field: "parties"), signedOn: $0.signedOn) })
    }

    static func agreement(_ r: AgreementRecord) -> Components.Schemas.Agreement {
        let d = r.draft
        return .init(
            value1: .init(title: d.title, cooperation: d.cooperation.compactMap { .init(rawValue: $0.rawValue) }, rules: d.rules,
                          status: .init(rawValue: d.status.rawValue), signedOn: d.signedOn, validFrom: d.validFrom, validUntil: d.validUntil,
                          reviewOn: d.reviewOn, parties: d.parties.map { .init(stakeholderId: $0.stakeholderID.uuidString, signedOn: $0.signedOn) }),
            value2: .init(id: r.id.uuidString, currentStatus: .init(rawValue: r.status.rawValue)!, obligations: r.obligations.map(obligation),
                          services: r.services.map(service), hasScan: r.scanName != nil))
    }

    static func obligation(_ o: ObligationRecord) -> Components.Schemas.Obligation {
        .init(id: o.id.uuidString, stakeholderId: o.stakeholderID.uuidString, what: o.what, dueOn: o.dueOn, recurrence: .init(rawValue: o.recurrence.rawValue)!,
              status: .init(rawValue: o.status.rawValue)!, evidence: o.evidence, lastDoneOn: o.lastDoneOn,
              overdue: AgreementAttention.isOverdue(due: o.dueOn, status: o.status, today: BishkekCalendar.day(of: Date())))
    }

    static func service(_ s: ServiceRecord) -> Components.Schemas.DeliveredService {
        .init(id: s.id.uuidString, stakeholderId: s.stakeholderID.uuidString, service: s.service.rawValue, districtId: s.districtID.uuidString)
    }
}

extension Application {
    private struct AgreementScansKey: StorageKey { typealias Value = URL }

    /// Where scanned agreements are kept: `agreements/` in the data directory (a temporary one in tests).
    var agreementScans: URL {
        get { storage[AgreementScansKey.self] ?? URL(fileURLWithPath: DatabaseChoice.dataDirectory()).appendingPathComponent("agreements") }
        set { storage[AgreementScansKey.self] = newValue }
    }
}
