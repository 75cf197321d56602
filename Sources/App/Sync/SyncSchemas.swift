import AsharNetwork
import Foundation
import Kernel
import TimeBank

/// The time bank's copies as the sync API writes them, and back: the centre's handlers and the office's
/// client read and write the same generated types.
typealias SyncSchemas = Components.Schemas

extension SyncSchemas.SyncAccount {
    init(_ a: AccountCopy) {
        self.init(id: a.id.uuidString, bankId: a.bankID.uuidString, kind: .init(rawValue: a.kind.rawValue)!,
                  memberId: a.memberID?.uuidString, counterpartBankId: a.counterpartBankID?.uuidString,
                  lowerLimitMinutes: a.lowerLimitMinutes, upperLimitMinutes: a.upperLimitMinutes)
    }

    func copy() throws -> AccountCopy {
        AccountCopy(id: try SyncSchemas.uuid(id), bankID: try SyncSchemas.uuid(bankId), kind: AccountKind(rawValue: kind.rawValue)!,
                    memberID: try memberId.map(SyncSchemas.uuid), counterpartBankID: try counterpartBankId.map(SyncSchemas.uuid),
                    lowerLimitMinutes: lowerLimitMinutes, upperLimitMinutes: upperLimitMinutes)
    }
}

extension SyncSchemas.SyncMember {
    init(_ m: MemberCopy) {
        let p = m.person
        self.init(id: m.id.uuidString, bankId: m.bankID.uuidString, memberNumber: m.memberNumber, joinedOn: m.joinedOn,
                  personId: m.personID.uuidString,
                  person: .init(fullName: p.fullName, sex: .init(rawValue: p.sex.rawValue)!, birthYear: p.birthYear ?? 0,
                                villageId: p.villageID?.uuidString ?? "", phone: p.phone, householdCode: p.householdCode,
                                contactConsent: p.contactConsent, language: p.language.flatMap(SyncSchemas.MessageLanguage.init(rawValue:))),
                  account: .init(m.account))
    }

    func copy() throws -> MemberCopy {
        let draft = PersonDraft(fullName: person.fullName, sex: Sex(rawValue: person.sex.rawValue)!, birthYear: person.birthYear,
                                villageID: UUID(uuidString: person.villageId), phone: person.phone, householdCode: person.householdCode,
                                contactConsent: person.contactConsent ?? false, language: person.language?.rawValue)
        return MemberCopy(id: try SyncSchemas.uuid(id), bankID: try SyncSchemas.uuid(bankId), memberNumber: memberNumber, joinedOn: joinedOn,
                          personID: try SyncSchemas.uuid(personId), person: draft, account: try account.copy(), createdAt: Date())
    }
}

extension SyncSchemas.SyncTransfer {
    init(_ t: TransferCopy) {
        self.init(id: t.id.uuidString, bankId: t.bankID.uuidString, minutes: t.minutes, serviceDate: t.serviceDate,
                  categoryId: t.categoryID?.uuidString, note: t.note, slipNumber: t.slipNumber, reversesId: t.reversesID?.uuidString,
                  overrideReason: t.overrideReason, purpose: t.purpose.flatMap { .init(rawValue: $0.rawValue) },
                  recordedByLogin: t.recordedByLogin,
                  entries: t.entries.map { SyncSchemas.SyncEntry(account: .init($0.account), minutes: $0.minutes) })
    }

    func copy() throws -> TransferCopy {
        TransferCopy(id: try SyncSchemas.uuid(id), bankID: try SyncSchemas.uuid(bankId), minutes: minutes, serviceDate: serviceDate,
                     categoryID: try categoryId.map(SyncSchemas.uuid), note: note, slipNumber: slipNumber,
                     reversesID: try reversesId.map(SyncSchemas.uuid), overrideReason: overrideReason,
                     purpose: purpose.flatMap { TransferPurpose(rawValue: $0.rawValue) }, recordedAt: Date(), recordedByLogin: recordedByLogin,
                     entries: try entries.map { EntryCopy(account: try $0.account.copy(), minutes: $0.minutes) })
    }
}

extension SyncSchemas {
    /// An id in a copied row: malformed breaks the request's rules (422), like any other field.
    static func uuid(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else { throw DomainError("request.uuid-invalid", field: "id") }
        return id
    }
}
