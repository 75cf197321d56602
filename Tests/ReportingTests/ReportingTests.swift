import AsharNetwork
import Certification
import DemoData
import FluentKit
import Foundation
import Kernel
import Partnerships
import Producers
import Reporting
import SQLKit
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

            // The group's money: a joint purchase (500 kg reach the 24-som tier instead of 30), a pooled sale of
            // 10,000 som paid out less the 5 % levy, and a 300-som claim on the risk fund.
            let bolot = try await make.person("Осмонова Бурул", in: south), chynara = try await make.person("Токтогулова Чынара", in: south)
            let members = [jamila.id, bolot.id, chynara.id]
            var producers: [ProducerMemberRecord] = [try await ProducerGroupService(db: db).members(group.id, page: PageQuery(page: 1, per: 10)).items[0]]
            for person in members.dropFirst() { producers.append(try await ProducerGroupService(db: db).join(group.id, personID: person, produces: "өрүк", by: .system)) }
            let rounds = PurchaseRoundService(db: db)
            let round = try await rounds.create(group.id, supplierID: nil, deadline: Date().addingTimeInterval(3_600), allocation: .firstCome, by: .system)
            let seed = try await rounds.addArticle(round.id, ArticleDraft(name: "Үрөн", unit: "kg", packageSize: 50, tiers: [
                PriceTier(minQuantity: 1, unitPrice: 3_000), PriceTier(minQuantity: 500, unitPrice: 2_400)]), by: .system)
            _ = try await rounds.setOrder(round.id, member: producers[0].id, lines: [OrderLineDraft(articleID: seed.id, quantity: 300)], by: .system)
            _ = try await rounds.setOrder(round.id, member: producers[1].id, lines: [OrderLineDraft(articleID: seed.id, quantity: 200)], by: .system)
            _ = try await rounds.close(round.id, by: .system)
            _ = try await rounds.markOrdered(round.id, by: .system)
            _ = try await rounds.settle(round.id, by: .system)
            let pools = SalePoolService(db: db)
            let pool = try await pools.create(group.id, PoolDraft(product: "Курага", buyer: "Ош", gradePrices: ["A": 20_000], levyBasisPoints: 500, rejects: .member), by: .system)
            try await pools.intake(pool.id, member: producers[0].id, quantity: 50, grade: "A", by: .system)
            try await pools.record(pool.id, payment: true, amount: 1_000_000, by: .system)
            _ = try await pools.distribute(pool.id, by: .system)
            let fund = GroupFundService(db: db)
            let claim = try await fund.claim(producers[2].id, reason: "Мөндүр", amount: 30_000, by: .system)
            _ = try await fund.vote(claim.id, member: producers[0].id, approve: true, by: .system)
            _ = try await fund.vote(claim.id, member: producers[1].id, approve: true, by: .system)
            _ = try await fund.pay(claim.id, by: .system)

            // A woman of the south's own time bank served one of the north's, recorded by the north's bank.
            let southBank = try await make.organisation("Папан убакыт банкы", kind: .timeBank, in: south)
            _ = try await TimeBankService(db: db).open(southBank.id, by: .system)
            let inSouth = try await TimeBankService(db: db).join(southBank.id, personID: bolot.id, welcome: false, by: .system)
            _ = try await Ledger(db: db).record(ExchangeDraft(bankID: bank.id, provider: inSouth.id, recipient: m2.id, minutes: 30, serviceDate: today), by: .system)

            // An agreement in force between a partner of each district; the north's partner owes a report since last month.
            let stakeholders = StakeholderService(db: db)
            let akimat = try await stakeholders.create(StakeholderDraft(name: "Айыл өкмөтү", sector: .localGovernment, districtID: a, role: "", influence: 4, interest: 3), by: .system)
            let ngo = try await stakeholders.create(StakeholderDraft(name: "«Эпкин»", sector: .ngo, districtID: b, influence: 3, interest: 5), by: .system)
            let agreement = try await AgreementService(db: db).create(AgreementDraft(
                title: "Алкактык макулдашуу", cooperation: [.training], status: .active, signedOn: BishkekCalendar.adding(days: -60, to: today),
                parties: [PartyDraft(stakeholderID: akimat.id), PartyDraft(stakeholderID: ngo.id)]), by: .system)
            _ = try await AgreementService(db: db).addObligation(to: agreement.id, ObligationDraft(stakeholderID: akimat.id, what: "Отчёт",
                                                                                                   dueOn: BishkekCalendar.adding(days: -30, to: today)), by: .system)
            _ = try await AgreementService(db: db).addObligation(to: agreement.id, ObligationDraft(stakeholderID: ngo.id, what: "Окутуу",
                                                                                                   dueOn: BishkekCalendar.adding(days: 30, to: today)), by: .system)

            // The period runs to tomorrow: the purchase round's deadline is within the hour.
            let report = try await NetworkIndicators(db: db).report(from: String(today.prefix(4)) + "-01-01", to: BishkekCalendar.adding(days: 1, to: today), today: today)
            func check(_ code: IndicatorCode, _ expected: [UUID: Int], sourceLocation: SourceLocation = #_sourceLocation) {
                #expect(report.value(code)?.byDistrict == expected, "\(code.rawValue)", sourceLocation: sourceLocation)
                #expect(report.value(code)?.total == expected.values.reduce(0, +), "\(code.rawValue) total", sourceLocation: sourceLocation)
            }
            check(.peopleReached, [a: 2, b: 3])
            check(.timeBankMembers, [a: 2, b: 1])
            check(.producerMembers, [b: 3])
            check(.hoursExchanged, [a: 90, b: 30])
            check(.exchangesBetweenBanks, [a: 1])
            check(.purchaseSavings, [b: 500 * 600])
            check(.salesPaid, [b: 950_000])
            check(.fundPayouts, [b: 30_000])
            check(.obligationsOverdue, [a: 1])
            check(.needsServed, [:])
            check(.needsUnserved, [:])
            // One agreement in force, counted in each district its parties are in.
            #expect(report.value(.agreementsActive)?.total == 1)
            #expect(report.value(.agreementsActive)?.byDistrict == [a: 1, b: 1])
            check(.womenTrained, [b: 3])
            check(.consultations, [a: 1])
            check(.productsCertified, [b: 1])
            check(.documentsExpiring, [b: 1])
            check(.referralsMade, [:])
            check(.referralsCompleted, [:])
            #expect(Set(report.indicators.map(\.code)) == Set(IndicatorCode.allCases))

            // This month whole (read from the counts kept by month, where the period above read its last days).
            let month = String(today.prefix(7)) + "-01"
            let whole = try await NetworkIndicators(db: db).report(from: month, to: BishkekCalendar.adding(days: -1, to: KeptCounts.monthAfter(month)), today: today)
            #expect(whole.value(.hoursExchanged)?.byDistrict == [a: 90, b: 30])
            #expect(whole.value(.exchangesBetweenBanks)?.byDistrict == [a: 1])
            #expect(whole.value(.timeBankMembers)?.byDistrict == [a: 2, b: 1])
            #expect(whole.value(.peopleReached)?.byDistrict == [a: 2, b: 3])

            // A period before any of it: nothing exchanged, trained or consulted, nobody a member yet.
            let before = try await NetworkIndicators(db: db).report(from: "2020-01-01", to: "2020-12-31")
            for code in [IndicatorCode.hoursExchanged, .womenTrained, .consultations, .timeBankMembers, .producerMembers, .exchangesBetweenBanks,
                         .purchaseSavings, .salesPaid, .fundPayouts, .agreementsActive, .obligationsOverdue] {
                #expect(before.value(code)?.total == 0, "\(code.rawValue) in 2020")
            }
        }
    }

    @Test("Women reached add up month by month: each once, from the day the network first served her, where she lives now")
    func reachOverTime() async throws {
        try await TestDatabase.withDatabase { db in
            let make = Factories(db: db)
            let north = try await make.village(named: "Сарай"), south = try await make.village(named: "Папан")
            let (a, b) = (north.districtID!, south.districtID!)
            let centre = try await make.organisation("Ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: north)
            let aigul = try await make.person("Токтосунова Айгүл", in: north), nurjan = try await make.person("Асанова Нуржан", in: north)
            let training = TrainingService(db: db)
            // Aigul first in January, again in March; Nurjan in March only.
            for (person, day) in [(aigul, "2026-01-20"), (aigul, "2026-03-02"), (nurjan, "2026-03-05")] {
                _ = try await training.consult(ConsultationDraft(organisationID: centre.id, personID: person.id, topic: .startup, heldOn: day, advisor: "А."), by: .system)
            }
            let series = try await NetworkIndicators(db: db).overview(from: "2026-01-01", to: "2026-03-31", step: .month, today: "2026-04-01").series
            #expect(series.map { $0.report.value(.peopleReached)?.total } == [1, 1, 2])
            #expect(series.map { $0.report.value(.consultations)?.total } == [1, 0, 2])
            // A period that ends inside a month counts who came by its last day, not by the month's.
            let cut = try await NetworkIndicators(db: db).report(from: "2026-02-10", to: "2026-03-03", today: "2026-04-01")
            #expect(cut.value(.peopleReached)?.byDistrict == [a: 1])
            #expect(cut.value(.consultations)?.total == 1)

            // Nurjan moves south: she counts there now, in every period.
            var draft = PersonDraft(try await PeopleService(db: db).get(nurjan.id))
            draft.villageID = south.id
            _ = try await PeopleService(db: db).update(nurjan.id, draft, by: .system)
            let report = try await NetworkIndicators(db: db).report(from: "2026-01-01", to: "2026-03-31", today: "2026-04-01")
            #expect(report.value(.peopleReached)?.byDistrict == [a: 1, b: 1])
        }
    }

    @Test("Each slice of the chart over time, cut from the period read once, is what that slice reads on its own")
    func slicesReadOnce() async throws {
        try await TestDatabase.withDatabase { db in
            try await DemoNetwork.load(on: db, hash: { "hash:" + $0 })
            let today = BishkekCalendar.day(of: Date()), indicators = NetworkIndicators(db: db)
            let from = BishkekCalendar.adding(days: -400, to: today)
            let (report, series) = try await indicators.overview(from: from, to: today, step: .month, today: today)
            #expect(series.count >= 13 && series.first?.slice.from == from && series.last?.slice.to == today)
            var seen: Set<IndicatorCode> = []
            for (slice, cut) in series {
                let alone = try await indicators.report(from: slice.from, to: slice.to, today: today)
                for indicator in cut.indicators {
                    #expect(alone.value(indicator.code) == indicator, "\(indicator.code.rawValue) \(slice.from)–\(slice.to)")
                    if indicator.total != 0 { seen.insert(indicator.code) }
                }
                #expect(Set(cut.indicators.map(\.code)) == Set(IndicatorCode.allCases.filter { !$0.isStanding }))
            }
            // The demo network's history gives each of these something to count in some month.
            #expect(seen.isSuperset(of: [.hoursExchanged, .exchangesBetweenBanks, .timeBankMembers, .womenTrained, .consultations, .agreementsActive, .obligationsOverdue, .purchaseSavings, .salesPaid]),
                    "\(seen.map(\.rawValue).sorted())")
            // What adds up month by month adds up to the whole period.
            for code in [IndicatorCode.hoursExchanged, .exchangesBetweenBanks, .purchaseSavings, .salesPaid, .fundPayouts, .consultations, .referralsMade] {
                #expect(series.reduce(0) { $0 + ($1.report.value(code)?.total ?? 0) } == report.value(code)?.total, "\(code.rawValue)")
            }
        }
    }

    @Test("The women reached that each context adds for what it recorded before the count was kept are the ones it kept")
    func reachBackfill() async throws {
        try await TestDatabase.withDatabase { db in
            try await DemoNetwork.load(on: db, hash: { "hash:" + $0 })
            let sql = try #require(db as? any SQLDatabase)
            func reached() async throws -> [String] {
                try await sql.raw("SELECT person_id, first_day, district_id FROM network_reach").all().map {
                    "\(try $0.decode(column: "person_id", as: UUID.self)) \(try $0.decode(column: "first_day", as: String.self)) "
                    + "\(try $0.decode(column: "district_id", as: UUID?.self)?.uuidString ?? "-")"
                }.sorted()
            }
            let kept = try await reached()
            #expect(kept.count > 60)
            func counts() async throws -> [String] {
                try await sql.raw("SELECT key_id, month, count FROM network_month_counts WHERE figure = 'women-reached' AND count <> 0").all().map {
                    "\(try $0.decode(column: "key_id", as: UUID.self)) \(try $0.decode(column: "month", as: String.self)) \(try $0.decode(column: "count", as: Int.self))"
                }.sorted()
            }
            let keptCounts = try await counts()
            #expect(keptCounts.count >= 2)
            try await sql.raw("DELETE FROM network_reach").run()
            let backfills = (TimeBankMigrations.all + ProducerMigrations.all + TrainingMigrations.all + CertificationMigrations.all).filter { $0.name.contains("reach") }
            #expect(backfills.count == 4)
            for migration in backfills { try await migration.prepare(on: db).get() }
            #expect(try await reached() == kept)
            #expect(try await counts() == keptCounts)
        }
    }

    @Test("A period cuts into months, quarters or years, the first and last cut to the period; too many months give way to quarters")
    func slices() {
        let months = PeriodSlice.slices(from: "2026-01-15", to: "2026-03-10", step: .month)
        #expect(months.map { [$0.from, $0.to] } == [["2026-01-15", "2026-01-31"], ["2026-02-01", "2026-02-28"], ["2026-03-01", "2026-03-10"]])
        #expect(months.map(\.number) == [1, 2, 3])
        let quarters = PeriodSlice.slices(from: "2025-11-01", to: "2026-04-30", step: .quarter)
        #expect(quarters.map { "\($0.year)/\($0.number) \($0.from) \($0.to)" } == ["2025/4 2025-11-01 2025-12-31", "2026/1 2026-01-01 2026-03-31", "2026/2 2026-04-01 2026-04-30"])
        #expect(PeriodSlice.slices(from: "2024-02-29", to: "2026-12-31", step: .year).map(\.from) == ["2024-02-29", "2025-01-01", "2026-01-01"])
        let long = PeriodSlice.slices(from: "2020-01-01", to: "2026-12-31", step: .month)
        #expect(long.count == 28 && long.allSatisfy { $0.step == .quarter })
        #expect(PeriodSlice.slices(from: "2026-02-01", to: "2026-01-01", step: .month).isEmpty)
    }
}
