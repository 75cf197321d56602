import AsharNetwork
import DemoData
import FluentKit
import Foundation
import Kernel
import Partnerships
import Testing
import TestSupport

@Suite("Partnership rules")
struct PartnershipRulesTests {
    @Test("The power–interest grid: 4 and 5 are high")
    func grid() {
        #expect(GridQuadrant(influence: 5, interest: 4) == .manageClosely)
        #expect(GridQuadrant(influence: 4, interest: 2) == .keepSatisfied)
        #expect(GridQuadrant(influence: 3, interest: 5) == .keepInformed)
        #expect(GridQuadrant(influence: 1, interest: 1) == .monitor)
    }

    @Test("Recurring obligations move on by their period; attention dates")
    func dates() {
        #expect(Recurrence.quarterly.next(after: "2026-11-30") == "2027-02-28")
        #expect(Recurrence.yearly.next(after: "2024-02-29") == "2025-02-28")
        #expect(Recurrence.once.next(after: "2026-01-01") == nil)
        #expect(AgreementAttention.isOverdue(due: "2026-11-26", status: .open, today: "2026-11-27"))
        #expect(!AgreementAttention.isOverdue(due: "2026-11-26", status: .done, today: "2026-11-27"))
        #expect(AgreementAttention.status(.active, validUntil: "2026-11-26", today: "2026-11-27") == .expired)
        #expect(AgreementAttention.isEnding(.signed, validUntil: "2027-01-20", today: "2026-11-27"))
        #expect(!AgreementAttention.isEnding(.signed, validUntil: "2027-03-20", today: "2026-11-27"))
        #expect(AgreementAttention.isReviewDue(.active, reviewOn: "2026-12-10", today: "2026-11-27"))
    }
}

@Suite("Stakeholders and agreements on a real database")
struct PartnershipServiceTests {
    static func parties(_ db: any Database) async throws -> (StakeholderRecord, StakeholderRecord, UUID) {
        let make = Factories(db: db)
        let village = try await make.village()
        let district = try #require(village.districtID)
        let stakeholders = StakeholderService(db: db)
        let akimat = try await stakeholders.create(StakeholderDraft(name: "Кара-Суу райондук акимиаты", sector: .localGovernment, districtID: district,
                                                                    role: "Жер жана имарат берет", influence: 5, interest: 3,
                                                                    inputs: [.premises, .staffTime]), by: .system)
        let ngo = try await stakeholders.create(StakeholderDraft(name: "«Эпкин» коомдук бирикмеси", sector: .ngo, influence: 3, interest: 5,
                                                                 inputs: [.expertise]), by: .system)
        return (akimat, ngo, district)
    }

    @Test("A stakeholder is refused without a name or outside 1–5; changes are audited")
    func stakeholders() async throws {
        try await TestDatabase.withDatabase { db in
            let (akimat, _, _) = try await Self.parties(db)
            #expect(akimat.quadrant == .keepSatisfied)
            #expect(akimat.draft.inputs == [.premises, .staffTime])
            let refused = try await #require(throws: ValidationErrors.self) {
                try await StakeholderService(db: db).create(StakeholderDraft(name: " ", sector: .ngo, influence: 0, interest: 6), by: .system)
            }
            #expect(Set(refused.errors.compactMap(\.field)) == ["name", "influence", "interest"])
            var changed = akimat.draft
            changed.interest = 5
            #expect(try await StakeholderService(db: db).update(akimat.id, changed, by: .system).quadrant == .manageClosely)
            #expect(try await StakeholderService(db: db).stakeholders(page: PageQuery()).total == 2)
        }
    }

    @Test("An agreement: two parties, obligations that fall due and recur, services by district, a scanned PDF")
    func agreements() async throws {
        try await TestDatabase.withDatabase { db in
            let (akimat, ngo, district) = try await Self.parties(db)
            let service = AgreementService(db: db)
            await #expect(throws: ValidationErrors.self) {
                try await service.create(AgreementDraft(title: "", cooperation: [.training], status: .signed, parties: [PartyDraft(stakeholderID: ngo.id)]), by: .system)
            }
            let agreement = try await service.create(AgreementDraft(
                title: "Аялдарды окутуу боюнча алкактык макулдашуу", cooperation: [.training, .premises], rules: "Ай сайын отчет",
                status: .active, signedOn: "2026-01-15", validFrom: "2026-01-15", validUntil: "2027-01-14", reviewOn: "2026-12-01",
                parties: [PartyDraft(stakeholderID: akimat.id, signedOn: "2026-01-15"), PartyDraft(stakeholderID: ngo.id, signedOn: "2026-01-15")]), by: .system)
            #expect(agreement.draft.parties.count == 2)
            let report = try await service.addObligation(to: agreement.id, ObligationDraft(stakeholderID: ngo.id, what: "Квартальный отчёт",
                                                                                         dueOn: "2026-10-31", recurrence: .quarterly), by: .system)
            _ = try await service.addObligation(to: agreement.id, ObligationDraft(stakeholderID: akimat.id, what: "Жай берүү", dueOn: "2027-02-01"), by: .system)
            let attention = try await service.attention(today: "2026-11-27")
            #expect(attention.overdue.map(\.obligation.id) == [report.id])
            #expect(attention.ending.map(\.id) == [agreement.id])
            #expect(attention.reviewDue.map(\.id) == [agreement.id])

            let done = try await service.recordObligation(report.id, status: .done, evidence: "Отчёт получен", on: "2026-11-27", by: .system)
            #expect(done.status == .open && done.dueOn == "2027-01-31" && done.lastDoneOn == "2026-11-27")
            #expect(done.evidence == "2026-11-27: Отчёт получен")
            #expect(try await service.attention(today: "2026-11-27").overdue.isEmpty)

            let stranger = try await StakeholderService(db: db).create(StakeholderDraft(name: "Банк", sector: .financial, influence: 2, interest: 2), by: .system)
            await #expect(throws: DomainError.self) {
                try await service.addService(to: agreement.id, stakeholder: stranger.id, service: .legal, district: district, by: .system)
            }
            _ = try await service.addService(to: agreement.id, stakeholder: ngo.id, service: .training, district: district, by: .system)
            #expect(try await service.directory(today: "2026-11-27").map(\.service) == [.training])
            #expect(try await service.directory(today: "2027-02-01").isEmpty)  // expired: no longer in the directory

            var drop = agreement.draft
            drop.parties = [PartyDraft(stakeholderID: akimat.id), PartyDraft(stakeholderID: stranger.id)]
            await #expect(throws: DomainError.self) { try await service.update(agreement.id, drop, by: .system) }  // the NGO still owes a report

            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("scans-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            await #expect(throws: DomainError.self) {
                try await service.attachScan(agreement.id, data: Data("not a pdf".utf8), filename: "x.pdf", directory: directory, by: .system)
            }
            let pdf = Data("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n".utf8)
            try await service.attachScan(agreement.id, data: pdf, filename: "agreement-signed.pdf", directory: directory, by: .system)
            let stored = try await service.scan(agreement.id, directory: directory)
            #expect(stored.data == pdf && stored.name == "agreement-signed.pdf")
            #expect(try await service.agreement(agreement.id).scanBytes == pdf.count)
        }
    }

    @Test("A need is served where its service is: partners and organisations in their district, a time-bank category in the villages it is offered")
    func presence() {
        let district = UUID(), other = UUID(), village = UUID(), neighbour = UUID(), category = UUID()
        var presence = ServicePresence()
        presence.partnerServices[.legal] = [district]
        presence.organisations[.producerGroup] = [other]
        presence.offers[category] = [village]
        presence.villageDistrict = [village: district, neighbour: district]
        #expect(presence.serves(.service(.legal), district: district, village: neighbour))
        #expect(!presence.serves(.service(.legal), district: other, village: nil))
        #expect(presence.serves(.organisation(.producerGroup), district: other, village: nil))
        #expect(!presence.serves(.organisation(.producerGroup), district: district, village: village))
        #expect(presence.serves(.category(category), district: district, village: village))
        #expect(!presence.serves(.category(category), district: district, village: neighbour))
        #expect(presence.serves(.category(category), district: district, village: nil))
        #expect(!presence.serves(.category(category), district: other, village: nil))
        for reference in [ServiceReference.service(.crisisShelter), .organisation(.helpCentre), .category(category)] {
            #expect(ServiceReference(code: reference.code) == reference)
        }
        #expect(ServiceReference(code: "service:magic") == nil && ServiceReference(code: "category") == nil)
    }
}
