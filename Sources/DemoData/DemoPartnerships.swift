import AsharNetwork
import FluentKit
import Foundation
import Partnerships
import TimeBank

/// A part of the pilot's stakeholder map and three of its framework agreements: the local governments
/// that give premises, the NGOs that train and counsel, a microcredit company, a donor; obligations
/// met and one past due, services by district for the referrals directory.
enum DemoPartnerships {
    static func load(districts: [String: UUID], on db: any Database, by actor: Actor) async throws {
        let map = StakeholderService(db: db)
        // A stakeholder that is also an organisation of the registry (an NGO of the network) is linked to it.
        let organisations = Dictionary(try await OrganisationService(db: db).all().map { ($0.name, $0.id) }, uniquingKeysWith: { first, _ in first })
        func add(_ name: String, _ sector: Sector, _ district: String?, influence: Int, interest: Int, role: String, inputs: [Input],
                 strategy: String) async throws -> UUID {
            try await map.create(StakeholderDraft(name: name, sector: sector, organisationID: organisations[name], districtID: district.flatMap { districts[$0] },
                                                  role: role, influence: influence, interest: interest, inputs: inputs, strategy: strategy), by: actor).id
        }
        let karaSuu = try await add("Кара-Суу райондук мамлекеттик администрациясы", .localGovernment, "KG-O-KSU", influence: 5, interest: 3,
                                    role: "Жер, жай жана уруксаттар", inputs: [.premises, .staffTime], strategy: "Чейрек сайын отчет, иш-чараларга чакыруу")
        let sokuluk = try await add("Сокулук райондук мамлекеттик администрациясы", .localGovernment, "KG-C-SOK", influence: 5, interest: 4,
                                    role: "Жай жана социалдык кызматкерлер", inputs: [.premises, .staffTime], strategy: "Биргелешкен пландоо")
        let forum = try await add("«Аялдар форуму» бейөкмөт уюмдарынын бирикмеси", .ngo, "KG-C-SOK", influence: 3, interest: 5,
                                  role: "Окутуу, юридикалык кеңеш", inputs: [.expertise, .staffTime], strategy: "Ар бир ишке тартуу")
        let epkin = try await add("«Эпкин» коомдук бирикмеси", .ngo, "KG-O-KSU", influence: 2, interest: 5,
                                  role: "Психологиялык жардам, кризистик борбор", inputs: [.expertise, .premises], strategy: "Жолдомолор боюнча макулдашуу")
        let credit = try await add("«Ынтымак» микрокредиттик компаниясы", .financial, "KG-C-SOK", influence: 4, interest: 2,
                                   role: "Чакан кредиттер", inputs: [.money], strategy: "Кызыкчылыгын көтөрүү: топтордун ишеним тарыхы")
        _ = try await add("Кыргызстандарт, Ош бөлүмү", .state, "KG-O-KSU", influence: 4, interest: 2,
                          role: "Стандарттар, сертификаттар", inputs: [.expertise], strategy: "Кабардар кылып туруу")
        let donor = try await add("Эл аралык донор уюм", .international, nil, influence: 5, interest: 5,
                                  role: "Долбоорду каржылоо", inputs: [.money, .expertise], strategy: "Ай сайын жыйынтыктар")
        _ = try await add("Папан айылынын аялдар кеңеши", .community, "KG-O-KSU", influence: 1, interest: 4,
                          role: "Аялдарды чогултуу", inputs: [.staffTime], strategy: "Жамааттык жыйындар")

        let agreements = AgreementService(db: db)
        let training = try await agreements.create(AgreementDraft(
            title: "Аялдарды ишкердикке окутуу боюнча алкактык макулдашуу", cooperation: [.training, .premises], rules: "Жай акысыз; отчет чейрек сайын",
            status: .active, signedOn: "2026-02-01", validFrom: "2026-02-01", validUntil: "2027-01-31", reviewOn: "2026-12-15",
            parties: [PartyDraft(stakeholderID: sokuluk), PartyDraft(stakeholderID: forum)]), by: actor)
        _ = try await agreements.addObligation(to: training.id, ObligationDraft(stakeholderID: forum, what: "Окутуулар боюнча чейректик отчет",
                                                                             dueOn: "2026-10-31", recurrence: .quarterly), by: actor)
        let premises = try await agreements.addObligation(to: training.id, ObligationDraft(stakeholderID: sokuluk, what: "Окутуу үчүн жай берүү",
                                                                                         dueOn: "2026-03-01"), by: actor)
        _ = try await agreements.recordObligation(premises.id, status: .done, evidence: "Маданият үйүнүн залы берилди", on: "2026-02-20", by: actor)
        _ = try await agreements.addService(to: training.id, stakeholder: forum, service: .training, district: districts["KG-C-SOK"]!, by: actor)
        _ = try await agreements.addService(to: training.id, stakeholder: forum, service: .legal, district: districts["KG-C-SOK"]!, by: actor)

        let protection = try await agreements.create(AgreementDraft(
            title: "Зомбулуктан жапа чеккен аялдарды жөнөтүү жана коргоо", cooperation: [.referrals, .expertise], rules: "Купуялык; 24 саат ичинде жооп",
            status: .active, signedOn: "2026-03-10", validFrom: "2026-03-10", validUntil: "2028-03-09",
            parties: [PartyDraft(stakeholderID: karaSuu), PartyDraft(stakeholderID: epkin)]), by: actor)
        _ = try await agreements.addService(to: protection.id, stakeholder: epkin, service: .psychological, district: districts["KG-O-KSU"]!, by: actor)
        _ = try await agreements.addService(to: protection.id, stakeholder: epkin, service: .crisisShelter, district: districts["KG-O-KSU"]!, by: actor)
        _ = try await agreements.addObligation(to: protection.id, ObligationDraft(stakeholderID: epkin, what: "Жөнөтүүлөр боюнча айлык эсеп (аты-жөнүсүз)",
                                                                               dueOn: "2026-12-05", recurrence: .monthly), by: actor)

        _ = try await agreements.create(AgreementDraft(
            title: "Өндүрүүчүлөр топторуна чакан кредит", cooperation: [.funding], rules: "Топтук кепилдик", status: .draft,
            parties: [PartyDraft(stakeholderID: credit), PartyDraft(stakeholderID: donor), PartyDraft(stakeholderID: forum)]), by: actor)
    }

    /// Besides what Ashar ships: women minding each other's children through the time bank answer
    /// childcare, in the villages where one offers it.
    static func mapTimeBankCategories(on db: any Database, by actor: Actor) async throws {
        guard let childcare = try await CategoryService(db: db).available(to: nil).first(where: { $0.code == "childcare" }) else { return }
        var answers = try await NeedCoverageService(db: db).mapping(formKey: NeedCoverage.baselineForm)["childcare"] ?? []
        answers.insert(.category(childcare.id))
        try await NeedCoverageService(db: db).setAnswers(formKey: NeedCoverage.baselineForm, need: "childcare", to: answers, by: actor)
    }
}
