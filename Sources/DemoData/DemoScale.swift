import AsharNetwork
import FluentKit
import Foundation
import Kernel
import Needs
import Producers
import SQLKit
import TimeBank

/// A network grown past the pilot, on top of the demo network (`ashar demo --scale district|national`):
/// time banks in every district of both oblasts, each with its village's women as members, and years of
/// exchanges among them; producer groups of those women in the same villages, each with its members'
/// dues in the risk fund; and the baseline survey answered many times over. For measuring Ashar at the
/// size a country's network would reach.
///
/// Places, banks and groups go through the services; the women and their memberships are written in
/// bulk, a thousand to a statement, with what the services would write (member numbers in the registry,
/// an account with the bank's limits, the women reached, an audit entry per bank); the survey's answers
/// are imported as KoboToolbox exports, a hundred thousand at a time; the exchanges go through the
/// ledger in batches like any other booking, so balances, limits and the reports' totals hold.
public enum DemoScale: String, CaseIterable, Sendable {
    case district
    case national

    // A district is a fiftieth of the country, alike in every part (members, groups, answers and
    // exchanges per bank): what grows from one to the other is the network, not each bank's history.
    var banks: Int { self == .national ? 200 : 4 }
    var membersPerBank: Int { 1_000 }
    var groups: Int { self == .national ? 2_000 : 40 }
    var membersPerGroup: Int { 10 }
    var submissions: Int { self == .national ? 1_000_000 : 20_000 }
    public var transfers: Int { self == .national ? 10_000_000 : 200_000 }
    static let produce = ["кургатылган өрүк", "жаңгак", "картошка", "сүт", "буудай", "бал", "кийиз", "пияз", "алма", "жүн"]

    /// Villages a generated bank may sit in: common names, found in many districts.
    static let villages: [(ky: String, ru: String, en: String)] = [
        ("Ак-Булак", "Ак-Булак", "Ak-Bulak"), ("Кара-Булак", "Кара-Булак", "Kara-Bulak"), ("Сары-Булак", "Сары-Булак", "Sary-Bulak"),
        ("Жаңы-Жол", "Джаны-Джол", "Jangy-Jol"), ("Кызыл-Суу", "Кызыл-Суу", "Kyzyl-Suu"), ("Ак-Жар", "Ак-Жар", "Ak-Jar"),
        ("Төрт-Күл", "Торт-Куль", "Tört-Kül"), ("Көк-Жар", "Кок-Жар", "Kök-Jar"), ("Орто-Сай", "Орто-Сай", "Orto-Say"),
        ("Бак-Ордо", "Бак-Ордо", "Bak-Ordo"),
    ]

    /// Adds the banks, members and exchanges (the demo network must be loaded; `transfers` other than the
    /// scale's, for a test). Returns false, adding nothing, if a scale was generated before.
    public static func grow(_ scale: DemoScale, transfers: Int? = nil, on db: any Database,
                            progress: @escaping @Sendable (String) -> Void = { _ in }) async throws -> Bool {
        if try await Place.query(on: db).filter(\.$code == "KG-GEN").first() != nil { return false }
        let make = Factories(db: db)
        let banks: [(id: UUID, village: PlaceRecord, southern: Bool)] = try await db.writeTransaction { tx in
            var banks: [(id: UUID, village: PlaceRecord, southern: Bool)] = []
            let make = Factories(db: tx)
            // A mark that the generated part is there (and a parent for nothing): places are never deleted.
            _ = try await make.place(.oblast, parent: nil, code: "KG-GEN", ky: "Түзүлгөн тармак", ru: "Сгенерированная сеть", en: "Generated network")
            let districts = try await Place.query(on: tx).filter(\.$level == .district).filter(\.$code != nil).sort(\.$code).all()
            let perDistrict = (scale.banks + districts.count - 1) / districts.count
            for (d, district) in districts.enumerated() {
                let aimak = try await make.place(.aiylAimak, parent: district.id!, ky: "Түзүлгөн айыл аймагы \(d + 1)",
                                                 ru: "Сгенерированный айыл аймак \(d + 1)", en: "Generated aiyl aimak \(d + 1)")
                for v in 0..<perDistrict where banks.count < scale.banks {
                    let name = villages[v % villages.count]
                    let village = try await make.place(.village, parent: aimak.id, ky: name.ky, ru: name.ru, en: name.en)
                    let bank = try await make.organisation("\(name.ky) убакыт банкы (\(district.nameKy))", kind: .timeBank, in: village)
                    _ = try await TimeBankService(db: tx).open(bank.id, by: make.actor)
                    banks.append((bank.id, village, district.code?.hasPrefix("KG-O") ?? false))
                }
            }
            return banks
        }
        progress("\(banks.count) banks opened")
        let today = BishkekCalendar.day(of: Date())
        var women: [[UUID]] = []
        for (index, bank) in banks.enumerated() {
            women.append(try await db.writeTransaction { tx in
                try await addMembers(scale.membersPerBank, to: bank, numbered: index, today: today, by: make.actor, on: tx)
            })
            if (index + 1) % 20 == 0 { progress("\((index + 1) * scale.membersPerBank) members") }
        }
        // The women reached, recorded once for every bank: recorded bank by bank, the kept counts were
        // recounted from all the women reached so far after each bank.
        try await db.writeTransaction { tx in
            let members: SQLQueryString = "SELECT person_id, joined_on AS day FROM timebank_members WHERE bank_id IN (\(SQLQueryString.list(banks.map(\.id))))"
            try await NetworkReach.backfill(members, on: tx)
        }
        let groupsPerBank = scale.groups / banks.count
        for (index, bank) in banks.enumerated() {
            for number in 0..<groupsPerBank {
                let members = women[index].dropFirst(number * scale.membersPerGroup).prefix(scale.membersPerGroup)
                try await addGroup(index * groupsPerBank + number + 1, in: bank.village, of: Array(members), by: make.actor, on: db)
            }
            if (index + 1) % 20 == 0 { progress("\((index + 1) * groupsPerBank) producer groups") }
        }
        try await answerBaseline(scale.submissions, by: make.actor, on: db) { progress("\($0) survey answers imported") }
        let booked = try await DemoHistory.book(transfers ?? scale.transfers, on: db, every: 500_000) { progress("\($0) exchanges booked") }
        progress("\(booked) exchanges booked in all")
        return true
    }

    /// A producer group of women of a village (`number` makes its name unique in the network), in one transaction: opened, joined, and each member's dues paid.
    private static func addGroup(_ number: Int, in village: PlaceRecord, of women: [UUID], by actor: Actor, on db: any Database) async throws {
        try await db.writeTransaction { tx in
            let org = try await Factories(db: tx, actor: actor).organisation("«\(village.name.ky)-\(number)» тилектеш өндүрүүчүлөр тобу",
                                                                             kind: .producerGroup, in: village)
            let groups = ProducerGroupService(db: tx)
            _ = try await groups.open(org.id, by: actor)
            for (i, woman) in women.enumerated() {
                let member = try await groups.join(org.id, personID: woman, role: i == 0 ? .coordinator : .member,
                                                   produces: produce[(number + i) % produce.count], by: actor)
                try await GroupFundService(db: tx).payDues(member.id, amount: 50_000, by: actor)
            }
        }
    }

    /// The baseline survey answered `count` times, imported as KoboToolbox exports of at most 100,000.
    private static func answerBaseline(_ count: Int, by actor: Actor, on db: any Database, progress: (Int) -> Void) async throws {
        let forms = FormService(db: db)
        if try await forms.latest(formKey: "ashar_baseline_needs") == nil { try await forms.importBaselineIfMissing(by: actor) }
        guard let baseline = try await forms.latest(formKey: "ashar_baseline_needs") else { return }
        let chunk = 100_000
        // Numbered after the demo's own answers (its export starts at 0), so no instance key repeats.
        for first in stride(from: 0, to: count, by: chunk) {
            let export = ExportFile(name: "baseline-kobo-\(first / chunk + 1).csv",
                                    data: try DemoSurvey.baselineExport(count: min(chunk, count - first), first: 10_000_000 + first,
                                                                        seed: 3_000 + UInt64(first / chunk)))
            _ = try await SubmissionService(db: db).importExport(form: baseline.id, files: [export], source: .kobo, by: actor)
            progress(first + min(chunk, count - first))
        }
    }

    /// A bank's members, in one transaction: the women, their numbers, memberships and accounts (the women reached are recorded after the last bank).
    /// - Returns: the women (their ids in the registry), in member-number order.
    private static func addMembers(_ count: Int, to bank: (id: UUID, village: PlaceRecord, southern: Bool), numbered index: Int, today: String,
                                   by actor: Actor, on db: any Database) async throws -> [UUID] {
        var random = SeededRandom(seed: UInt64(1_000 + index))
        let settings = try await TimeBankService(db: db).bank(bank.id)
        var people: [Person] = [], numbers: [MemberNumber] = [], members: [TimeBankMember] = [], accounts: [TimeAccount] = []
        for i in 0..<count {
            let person = Person()
            person.id = UUID()
            person.fullName = DemoPeople.name(index * count + i, southern: bank.southern)
            person.searchKey = SearchKey.fold(person.fullName)
            person.sex = .female
            person.birthYear = Int.random(in: 1955...2004, using: &random)
            person.villageID = bank.village.id
            person.contactConsent = true
            people.append(person)
            let number = String(format: "%04d", i + 1)
            let registered = MemberNumber()
            registered.personID = person.id!
            registered.organisationID = bank.id
            registered.number = number
            numbers.append(registered)
            let member = TimeBankMember()
            member.id = UUID()
            member.bankID = bank.id
            member.personID = person.id!
            member.memberNumber = number
            // Members joined over the two years before the exchanges begin (those go three years back).
            member.joinedOn = BishkekCalendar.adding(days: -(3 * 365 + Int.random(in: 0..<(2 * 365), using: &random)), to: today)
            members.append(member)
            accounts.append(TimeAccount(member: member.id!, bankID: bank.id, lower: settings.lowerLimitMinutes, upper: settings.upperLimitMinutes))
        }
        try await people.create(on: db)
        try await numbers.create(on: db)
        try await members.create(on: db)
        try await accounts.create(on: db)
        try await KeptCounts.add(members.reduce(into: [:]) { $0[KeptCounts.Change(.timeBankMembers, key: bank.id, month: $1.joinedOn), default: 0] += 1 }, on: db)
        try await AuditLog.record(on: db, actor: actor, action: "generate", entity: "timebank", entityID: bank.id,
                                  changes: [FieldChange(field: "members", from: nil, to: String(count))])
        return people.map { $0.id! }
    }
}
