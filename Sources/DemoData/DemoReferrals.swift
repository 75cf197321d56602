import AsharNetwork
import FluentKit
import Foundation
import Referrals

/// The help centres' side of the demo: services in the directory, and three cases at the Meerim
/// centre — one referred (with her consent) to the Umut crisis centre, one waiting, one closed.
/// Aliases only: no case names a woman, and none is linked to the registry.
enum DemoReferrals {
    static func load(meerim: UUID, umut: UUID, districts: [String: UUID], villages: [String: UUID], cipher: NoteCipher,
                     on db: any Database, by actor: Actor) async throws {
        let directory = DirectoryService(db: db)
        let (karaSuu, sokuluk) = (districts["KG-O-KSU"]!, districts["KG-C-SOK"]!)
        _ = try await directory.create(HelpServiceDraft(organisationID: meerim, provider: "«Мээрим» — психолог", kind: .psychosocial,
                                                        districtIDs: [karaSuu], languages: ["ky", "ru", "uz"], hours: "Дш–Жм 9:00–18:00",
                                                        contact: "0555 300 400", capacity: 12), by: actor)
        _ = try await directory.create(HelpServiceDraft(organisationID: meerim, provider: "«Мээрим» — юрист", kind: .legalAid,
                                                        districtIDs: [karaSuu], languages: ["ky", "ru"], hours: "Шш 10:00–14:00",
                                                        contact: "0555 300 400"), by: actor)
        let shelter = try await directory.create(HelpServiceDraft(organisationID: umut, provider: "«Үмүт» кризистик борбору — баш калкалоочу жай",
                                                                  kind: .crisisShelter, districtIDs: [sokuluk, karaSuu], languages: ["ky", "ru"],
                                                                  hours: "24/7", contact: "0700 911 112", capacity: 8), by: actor)
        _ = try await directory.create(HelpServiceDraft(organisationID: nil, provider: "Кара-Суу райондук ички иштер бөлүмү — аялдар инспектору",
                                                        kind: .policeLiaison, districtIDs: [karaSuu], languages: ["ky", "ru"], womanStaff: true,
                                                        contact: "102"), by: actor)

        let cases = CaseService(db: db, cipher: cipher)
        let referrals = ReferralService(db: db)
        let caseworker = [Grant(role: .caseworker, organisationID: meerim)]
        let umutWorker = [Grant(role: .caseworker, organisationID: umut)]
        let referred = try await cases.open(CaseDraft(
            alias: "М-014", situations: [.domesticViolence, .shelter], riskLevel: .high, villageID: villages["Kashgar-Kyshtak"],
            preferences: Preferences(providerSex: "female", languages: ["ky"], safeContact: "Эжесинин телефону аркылуу", safeTime: "Түштөн кийин",
                                     never: "Үйдүн телефонуна чалбагыла"),
            notes: "Балдары менен кетүүгө даяр. Документтери эжесинде."), at: meerim, grants: caseworker, by: actor)
        try await cases.recordContact(referred.id, grants: caseworker, by: actor)
        let consent = try await cases.addConsent(to: referred.id, ConsentDraft(
            recipientOrganisationID: umut, scope: [.situation, .preferences], purpose: "Баш калкалоочу жайга жайгаштыруу", givenHow: .spoken,
            expiresOn: "2027-06-30"), grants: caseworker, by: actor)
        let referral = try await referrals.refer(case: referred.id, service: shelter.id, consent: consent.id, followUpOn: "2026-12-05",
                                                 grants: caseworker, by: actor)
        _ = try await referrals.act(referral.id, .accept, grants: umutWorker, by: actor)

        _ = try await cases.open(CaseDraft(
            alias: "М-015", situations: [.legal, .economic], riskLevel: .low, villageID: villages["Papan"],
            preferences: Preferences(languages: ["ru"]), notes: "Алимент боюнча кеңеш керек."), at: meerim, grants: caseworker, by: actor)
        let closed = try await cases.open(CaseDraft(alias: "М-009", situations: [.psychological], riskLevel: .medium, villageID: villages["Saray"]),
                                          at: meerim, grants: caseworker, by: actor)
        try await cases.recordContact(closed.id, grants: caseworker, by: actor)
        try await cases.close(closed.id, outcome: .helped, grants: caseworker, by: actor)
    }
}
