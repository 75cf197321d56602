import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Needs
import Producers
import Referrals
import TimeBank

/// A login the demo makes, printed by `ashar demo`.
public struct DemoLogin: Sendable, Equatable {
    public let login: String
    public let password: String
    public let what: String
}

/// The pilot network as a believable demo: Chüy and Osh oblasts with their real districts, a Centre
/// for Entrepreneurship Support in each pilot district (Sokuluk and Kara-Suu), two time banks, two
/// groups of solidary producers, a help centre, local governments, partners, and about 200 women.
public enum DemoNetwork {
    public static let staffPassword = "ashar-demo-2026"
    public static let memberPIN = "2468"
    public static let memberPhone = "0555 100 001"
    public static let womenCount = 200
    /// The women the pilot asked in its baseline survey.
    public static let baselineCount = 1_100

    public static let logins: [DemoLogin] = [
        DemoLogin(login: "admin", password: staffPassword, what: "network admin"),
        DemoLogin(login: "coordinator", password: staffPassword, what: "coordinator: Saray time bank and the Jibek producer group"),
        DemoLogin(login: "caseworker", password: staffPassword, what: "case worker: Meerim help centre"),
        DemoLogin(login: "caseworker2", password: staffPassword, what: "case worker: Umut crisis centre (cases are referred to it)"),
        DemoLogin(login: "supervisor", password: staffPassword, what: "case supervisor: Meerim help centre (may refer without consent in an emergency)"),
        DemoLogin(login: "viewer", password: staffPassword, what: "viewer: aggregates only"),
        DemoLogin(login: "member", password: memberPIN, what: "member of the Saray time bank (or phone \(memberPhone) with PIN \(memberPIN))"),
    ]

    /// Loads the demo unless it is there already. Everything in one transaction: all or nothing.
    /// `cipher`: the network's notes key, for the demo cases (none without it); `logos`: where brand logos
    /// are kept (the demo brand has none without it).
    /// - Returns: true when it loaded, false when the demo was already there.
    @discardableResult
    public static func load(on db: any Database, hash: @escaping @Sendable (String) throws -> String, cipher: NoteCipher? = nil,
                            logos: FileStore? = nil) async throws -> Bool {
        if try await Place.query(on: db).filter(\.$code == "KG-C").first() != nil { return false }
        try await db.writeTransaction { tx in
            try await build(Factories(db: tx), hash: hash, cipher: cipher, logos: logos)
        }
        return true
    }

    private static func build(_ make: Factories, hash: @escaping @Sendable (String) throws -> String, cipher: NoteCipher?, logos: FileStore?) async throws {
        var villages: [String: PlaceRecord] = [:]
        var districts: [String: UUID] = [:]
        for oblast in DemoGeography.oblasts {
            let o = try await make.place(.oblast, parent: nil, code: oblast.code, ky: oblast.name.ky, ru: oblast.name.ru, en: oblast.name.en)
            for district in oblast.districts {
                let d = try await make.place(.district, parent: o.id, code: district.code,
                                             ky: district.name.ky, ru: district.name.ru, en: district.name.en)
                districts[district.code] = d.id
                for v in district.villages {
                    let a = try await make.place(.aiylAimak, parent: d.id, ky: v.aimak.ky, ru: v.aimak.ru, en: v.aimak.en)
                    villages[v.village.en] = try await make.place(.village, parent: a.id, ky: v.village.ky, ru: v.village.ru, en: v.village.en)
                }
            }
        }
        func at(_ en: String) -> PlaceRecord { villages[en]! }

        let orgs = (
            cesSokuluk: try await make.organisation("Сокулук ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: at("Sokuluk"),
                                                    phone: "0312 555 101", contact: "Бекмуратова Айжан"),
            cesKaraSuu: try await make.organisation("Кара-Суу ишкердикти колдоо борбору", kind: .entrepreneurshipCentre, in: at("Kashgar-Kyshtak"),
                                                    phone: "03232 5 51 02", contact: "Юсупова Дилноза"),
            bankSaray: try await make.organisation("Сарай убакыт банкы", kind: .timeBank, in: at("Saray"),
                                                   phone: "0770 200 301", contact: "Осмонова Бурул"),
            bankJangyJer: try await make.organisation("Жаңы-Жер убакыт банкы", kind: .timeBank, in: at("Jangy-Jer"),
                                                      phone: "0700 200 302", contact: "Смирнова Ольга Викторовна"),
            groupAkBuudai: try await make.organisation("«Ак-Буудай» тилектеш өндүрүүчүлөр тобу", kind: .producerGroup, in: at("Kyzyl-Tuu")),
            groupJibek: try await make.organisation("«Жибек» тилектеш өндүрүүчүлөр тобу", kind: .producerGroup, in: at("Papan")),
            helpCentre: try await make.organisation("«Мээрим» аялдарга жардам борбору", kind: .helpCentre, in: at("Kashgar-Kyshtak"),
                                                    phone: "0555 300 400"),
            crisisCentre: try await make.organisation("«Үмүт» кризистик борбору", kind: .helpCentre, in: at("Sokuluk"), phone: "0700 911 112")
        )
        _ = try await make.organisation("Сарай айыл өкмөтү", kind: .localGovernment, in: at("Saray"))
        _ = try await make.organisation("Сокулук айыл өкмөтү", kind: .localGovernment, in: at("Sokuluk"))
        _ = try await make.organisation("«Аялдар форуму» бейөкмөт уюмдарынын бирикмеси", kind: .ngo, in: at("Sokuluk"))
        _ = try await make.organisation("«Эпкин» коомдук бирикмеси", kind: .ngo, in: at("Kashgar-Kyshtak"))
        _ = try await make.organisation("«ДИА» коомдук фонду", kind: .ngo, in: at("Sokuluk"))
        _ = try await make.organisation("Папан айылынын аялдар кеңеши", kind: .communityGroup, in: at("Papan"))
        _ = try await make.organisation("Кыргызстандарт, Ош бөлүмү", kind: .stateAgency, in: at("Kashgar-Kyshtak"), inNetwork: false)
        _ = try await make.organisation("«Ынтымак» микрокредиттик компаниясы", kind: .financial, in: at("Sokuluk"), inNetwork: false)
        let buyer = try await make.organisation("«Ош-Агро» дистрибьютор", kind: .business, in: at("Kyzyl-Kyshtak"), inNetwork: false,
                                                phone: "0550 700 800", contact: "Ахмедов Рустам")
        let supplier = try await make.organisation("«Агро-Сервис» ЖЧК", kind: .business, in: at("Kashgar-Kyshtak"), inNetwork: false,
                                                   phone: "0777 410 520", contact: "Мамытов Нурлан")

        // Women, spread over the pilot villages; Saray and Jangy-Jer have the time banks.
        let banks = TimeBankService(db: make.db)
        _ = try await banks.open(orgs.bankSaray.id, settings: BankSettingsDraft(welcomeCreditMinutes: 60), by: make.actor)
        _ = try await banks.open(orgs.bankJangyJer.id, by: make.actor)
        let south = ["Saray", "Saray", "Papan", "Kashgar-Kyshtak", "Kyzyl-Kyshtak"]
        let north = ["Jangy-Jer", "Jangy-Jer", "Sokuluk", "Kyzyl-Tuu", "Tash-Döbö"]
        let people = PeopleService(db: make.db)
        let groups = ProducerGroupService(db: make.db)
        _ = try await groups.open(orgs.groupJibek.id, by: make.actor)
        _ = try await groups.open(orgs.groupAkBuudai.id, by: make.actor)
        var producers: [UUID: [ProducerMemberRecord]] = [:]
        var seen = Set<String>()
        var members: [UUID: [MemberRecord]] = [:]
        for i in 0..<womenCount {
            let southern = i % 2 == 0
            let villageName = (southern ? south : north)[(i / 2) % 5]
            var name = DemoPeople.name(i, southern: southern)
            let born = 1958 + (i * 37) % 47
            while seen.contains("\(name)|\(villageName)|\(born)") { name += "а" }
            seen.insert("\(name)|\(villageName)|\(born)")
            let phone: String? = i == 0 ? memberPhone : (i % 5 == 3 ? nil : String(format: "0%03d %03d %03d", [555, 700, 770, 772][i % 4], 100 + i, 200 + (i * 13) % 800))
            let woman = try await make.person(name, in: at(villageName), born: born, phone: phone,
                                              household: "HH-\(String(format: "%04d", 1000 + i / 2))", consent: i % 6 != 5)
            let bank = villageName == "Saray" ? orgs.bankSaray.id : villageName == "Jangy-Jer" ? orgs.bankJangyJer.id : nil
            if let bank {
                members[bank, default: []].append(try await banks.join(bank, personID: woman.id, by: make.actor))
            }
            let group = villageName == "Papan" && i % 4 == 0 ? orgs.groupJibek.id : villageName == "Kyzyl-Tuu" ? orgs.groupAkBuudai.id : nil
            if let group {
                if group == orgs.groupJibek.id {
                    try await people.addMemberNumber(personID: woman.id, organisationID: group, number: String(format: "Ж-%03d", i), by: make.actor)
                }
                let joined = producers[group, default: []].count
                let role: ProducerRole = joined == 0 ? .coordinator : joined == 1 ? .treasurer : .member
                producers[group, default: []].append(try await groups.join(
                    group, personID: woman.id, role: role,
                    produces: group == orgs.groupJibek.id ? ["кургатылган өрүк", "жаңгак", "кийиз тапичке"][i % 3] : ["картошка", "сүт", "буудай"][i % 3],
                    by: make.actor))
            }
        }
        try await recordExchanges(members, on: make)
        try await postOnBoards(members, on: make)
        try await DemoProducers.season(of: orgs.groupJibek.id, members: producers[orgs.groupJibek.id] ?? [], supplier: supplier.id, buyer: buyer.id,
                                       by: make.actor, on: make.db)
        try await openPurchaseRound(for: orgs.groupJibek.id, members: producers[orgs.groupJibek.id] ?? [], on: make)
        let firstSarayMember = try await people.get(members[orgs.bankSaray.id]![0].personID)
        try await importBaselineAnswers(on: make)
        try await DemoPartnerships.load(districts: districts, on: make.db, by: make.actor)
        try await DemoPartnerships.mapTimeBankCategories(on: make.db, by: make.actor)
        try await DemoCertification.load(jibek: orgs.groupJibek.id, akBuudai: orgs.groupAkBuudai.id,
                                         jibekMembers: (producers[orgs.groupJibek.id] ?? []).map(\.personID), logos: logos, on: make.db, by: make.actor)
        try await DemoTraining.load(sokuluk: orgs.cesSokuluk.id, karaSuu: orgs.cesKaraSuu.id, villages: villages.mapValues(\.id),
                                    women: ((members[orgs.bankSaray.id] ?? []) + (members[orgs.bankJangyJer.id] ?? [])).map(\.personID),
                                    on: make.db, by: make.actor)
        if let cipher {
            try await DemoReferrals.load(meerim: orgs.helpCentre.id, umut: orgs.crisisCentre.id, districts: districts,
                                         villages: villages.mapValues(\.id), cipher: cipher, on: make.db, by: make.actor)
        }

        _ = try await make.user("admin", name: "Network admin", password: staffPassword, hash: hash, grants: [Grant(role: .admin)])
        _ = try await make.user("coordinator", name: "Осмонова Бурул", password: staffPassword, hash: hash, grants: [
            Grant(role: .coordinator, organisationID: orgs.bankSaray.id),
            Grant(role: .coordinator, organisationID: orgs.groupJibek.id),
        ])
        _ = try await make.user("caseworker", name: "Садыкова Асел", password: staffPassword, hash: hash,
                                grants: [Grant(role: .caseworker, organisationID: orgs.helpCentre.id)])
        _ = try await make.user("caseworker2", name: "Жумабаева Нургүл", password: staffPassword, hash: hash,
                                grants: [Grant(role: .caseworker, organisationID: orgs.crisisCentre.id)])
        _ = try await make.user("supervisor", name: "Токтогулова Айжан", password: staffPassword, hash: hash,
                                grants: [Grant(role: .supervisor, organisationID: orgs.helpCentre.id)])
        _ = try await make.user("viewer", name: "Monitoring officer", password: staffPassword, hash: hash, grants: [Grant(role: .viewer)])
        _ = try await make.user("member", name: firstSarayMember.fullName, password: memberPIN, hash: hash,
                                grants: [Grant(role: .member)], phone: memberPhone, person: firstSarayMember.id)
        // She agreed that staff see her path across the network on one page.
        _ = try await PeopleService(db: make.db).setPathConsent(firstSarayMember.id, given: true, by: make.actor)
    }

    /// The baseline survey's 1,100 answers, as the pilot collected them, imported from a KoboToolbox export.
    private static func importBaselineAnswers(on make: Factories) async throws {
        let forms = FormService(db: make.db)
        if try await forms.latest(formKey: "ashar_baseline_needs") == nil { try await forms.importBaselineIfMissing(by: make.actor) }
        guard let baseline = try await forms.latest(formKey: "ashar_baseline_needs") else { return }
        let export = ExportFile(name: "baseline-kobo.csv", data: try DemoSurvey.baselineExport(count: baselineCount))
        _ = try await SubmissionService(db: make.db).importExport(form: baseline.id, files: [export], source: .kobo, by: make.actor)
    }

    /// A season of exchanges in each bank: weddings, fruit, harvest… over the last three months.
    /// An exchange that would pass a member's limit is skipped, as the office would refuse it.
    private static func recordExchanges(_ members: [UUID: [MemberRecord]], on make: Factories) async throws {
        let categories = try await ServiceCategory.query(on: make.db).filter(\.$bankID == nil).sort(\.$code).all().compactMap(\.id)
        let ledger = Ledger(db: make.db)
        let day: TimeInterval = 86_400
        for (bank, list) in members.sorted(by: { $0.key.uuidString < $1.key.uuidString }) where list.count > 2 {
            for i in 0..<(list.count * 3) {
                let provider = list[(i * 7) % list.count], recipient = list[(i * 11 + 3) % list.count]
                guard provider.id != recipient.id else { continue }
                let draft = ExchangeDraft(bankID: bank, provider: provider.id, recipient: recipient.id,
                                          minutes: [60, 90, 120, 180, 240][i % 5], categoryID: categories[i % categories.count],
                                          serviceDate: ServiceDate.string(Date().addingTimeInterval(-Double(90 - i % 90) * day)),
                                          slipNumber: String(format: "%05d", i + 1))
                try await bookUnlessOverLimit(draft, ledger: ledger, by: make.actor)
            }
        }
        // Some women of one bank help women of the other, at harvest: booked by the receiving bank.
        let banks = members.keys.sorted { $0.uuidString < $1.uuidString }
        guard banks.count == 2, let first = members[banks[0]], let second = members[banks[1]] else { return }
        for i in 0..<6 {
            let draft = ExchangeDraft(bankID: banks[0], provider: second[i * 3].id, recipient: first[i * 2 + 1].id, minutes: 120,
                                      categoryID: categories.first, serviceDate: ServiceDate.string(Date().addingTimeInterval(-Double(20 + i) * day)))
            try await bookUnlessOverLimit(draft, ledger: ledger, by: make.actor)
        }
    }

    /// A few offers and requests on each bank's board, in the members' own villages.
    private static func postOnBoards(_ members: [UUID: [MemberRecord]], on make: Factories) async throws {
        let categories = try await ServiceCategory.query(on: make.db).filter(\.$bankID == nil).all()
        func category(_ code: String) -> UUID? { categories.first { $0.code == code }?.id }
        let offers = [("childcare", "Кечке чейин балдарды карап берем"), ("fruit", "Өрүк кургатуу, варенье кайнатуу"),
                      ("weddings", "Той-тамашага дасторкон жасалгалоо"), ("sewing", "Курак жууркан тигем")]
        let board = BoardService(db: make.db)
        for (bank, list) in members.sorted(by: { $0.key.uuidString < $1.key.uuidString }) where list.count > offers.count {
            for (i, offer) in offers.enumerated() {
                _ = try await board.post(bank, ListingDraft(memberID: list[i * 2].id, kind: .offer, categoryID: category(offer.0), description: offer.1), by: make.actor)
            }
            _ = try await board.post(bank, ListingDraft(memberID: list[1].id, kind: .request, categoryID: category("harvest"),
                                                        description: "Күздө картошка казууга эки киши керек"), by: make.actor)
        }
    }

    /// Jibek's spring purchase, open for orders: seed potatoes by the 50 kg sack with a price break at
    /// 500 kg, and hoes; most members have ordered.
    private static func openPurchaseRound(for group: UUID, members: [ProducerMemberRecord], on make: Factories) async throws {
        let rounds = PurchaseRoundService(db: make.db)
        let round = try await rounds.create(group, supplierID: nil, deadline: Date().addingTimeInterval(10 * 86_400), allocation: .firstCome,
                                            by: make.actor)
        let potatoes = try await rounds.addArticle(round.id, ArticleDraft(name: "Үрөнчүк картошка / Семенной картофель", unit: "кг", packageSize: 50,
            tiers: [PriceTier(minQuantity: 1, unitPrice: 3_000), PriceTier(minQuantity: 500, unitPrice: 2_400)]), by: make.actor)
        let hoes = try await rounds.addArticle(round.id, ArticleDraft(name: "Кетмен / Тяпка", unit: "даана", packageSize: 1,
            tiers: [PriceTier(minQuantity: 1, unitPrice: 45_000), PriceTier(minQuantity: 10, unitPrice: 39_000)]), by: make.actor)
        for (i, member) in members.enumerated() where i % 5 != 4 {
            var lines = [OrderLineDraft(articleID: potatoes.id, quantity: 40 + (i * 30) % 120, tolerance: i % 2 == 0 ? 10 : 0)]
            if i % 3 == 0 { lines.append(OrderLineDraft(articleID: hoes.id, quantity: 1)) }
            _ = try await rounds.setOrder(round.id, member: member.id, lines: lines, by: make.actor)
        }
    }

    private static func bookUnlessOverLimit(_ draft: ExchangeDraft, ledger: Ledger, by actor: Actor) async throws {
        do {
            _ = try await ledger.record(draft, by: actor)
        } catch let error as DomainError where error.code.hasPrefix("timebank.over-") {
            return
        }
    }
}
