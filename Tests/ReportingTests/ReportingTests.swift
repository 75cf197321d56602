import AsharNetwork
import Certification
import DemoData
import FluentKit
import Foundation
import Kernel
import Producers
import Reporting
import Testing
import TestSupport
import TimeBank
import Training

@Suite("Network indicators on a real database")
struct ReportingTests {
    @Test("Every indicator agrees with the activity recorded in each context, district by district")
    func knownNetwork() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let today = BishkekCalendar.day(of: Date())
            let north = try await make.village(named: "Сарай"), south = try await make.village(named: "Папан")
            let (a, b) = (north.districtID!, south.districtID!)

            // North: a time bank of two women who exchanged 90 minutes; one of them consulted.
            let bank = try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: north)
            _ = try await TimeBankService(db: db).open(bank.id, by: .system)
            let aigul = try await make.person("Токтосунова Айгүл", in: north), nurjan = try await make.person("Асанова Нуржан", in: north)
            let m1 = try await TimeBankService(db: db).join(bank.id, personID: aigul.id, welcome: false, by: .system)
            let m2 = try await TimeBankService(db: db).join(bank.id, personID: nurjan.id, welcome: false, by: .system)
            _ = try await Ledger(db: db).record(ExchangeDraft(bankID: bank.id, provider: m1.id, recipient: m2.id, minutes: 90, serviceDate: today), by: .system)
            let centre = try await make.organisation("Ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: north)
            _ = try await TrainingService(db: db).consult(ConsultationDraft(organisationID: centre.id, personID: aigul.id, topic: .startup, heldOn: today,
                                                                            advisor: "А."), by: .system)

            // South: a producer group of one woman, who came to a training with two women not named; its product certified.
            let group = try await make.organisation("«Жибек» тобу", kind: .producerGroup, in: south)
            _ = try await ProducerGroupService(db: db).open(group.id, by: .system)
            let jamila = try await make.person("Алиева Жамиля", in: south)
            _ = try await ProducerGroupService(db: db).join(group.id, personID: jamila.id, produces: "өрүк", by: .system)
            let session = try await TrainingService(db: db).create(SessionDraft(organisationID: centre.id, topic: .standards, title: "ТР ТС 022",
                                                                                heldOn: today, villageID: south.id, trainer: "Б.", headcount: 2), by: .system)
            _ = try await TrainingService(db: db).attend(session.id, person: jamila.id, by: .system)
            let apricots = try await ProductService(db: db).create(ProductDraft(organisationID: group.id, personID: jamila.id, nameKy: "Өрүк", nameRu: "Курага",
                                                                                category: .fruitVegetables), by: .system)
            _ = try await DocumentService(db: db).register(DocumentDraft(type: .declaration, number: "Д-1", issuedOn: BishkekCalendar.adding(days: -300, to: today),
                                                                         expiresOn: BishkekCalendar.adding(days: 20, to: today), productIDs: [apricots.id]), by: .system)

            let report = try await NetworkIndicators(db: db).report(from: String(today.prefix(4)) + "-01-01", to: today)
            func check(_ code: IndicatorCode, _ expected: [UUID: Int], sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(report.value(code)?.byDistrict == expected, "\(code.rawValue)", sourceLocation: sourceLocation)
                #expect(report.value(code)?.total == expected.values.reduce(0, +), "\(code.rawValue) total", sourceLocation: sourceLocation)
            }
            check(.peopleReached, [a: 2, b: 1])
            check(.timeBankMembers, [a: 2])
            check(.producerMembers, [b: 1])
            check(.hoursExchanged, [a: 90])
            check(.womenTrained, [b: 3])
            check(.consultations, [a: 1])
            check(.productsCertified, [b: 1])
            check(.documentsExpiring, [b: 1])
            check(.referralsMade, [:])
            check(.referralsCompleted, [:])
            #expect(Set(report.indicators.map(\.code)) == Set(IndicatorCode.allCases))

            // A period before any of it: nothing exchanged, trained or consulted, nobody a member yet.
            let before = try await NetworkIndicators(db: db).report(from: "2020-01-01", to: "2020-12-31")
            for code in [IndicatorCode.hoursExchanged, .womenTrained, .consultations, .timeBankMembers, .producerMembers] {
                #expect(before.value(code)?.total == 0, "\(code.rawValue) in 2020")
            }
        }
    }
}
