import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit

public struct BankRecord: Sendable, Equatable {
    public let id: UUID
    public let name: String
    public let lowerLimitMinutes: Int
    public let upperLimitMinutes: Int?
    public let welcomeCreditMinutes: Int?
    public let clearingLimitMinutes: Int?
    public let memberCount: Int
}

public struct MemberRecord: Sendable, Equatable {
    public let id: UUID
    public let bankID: UUID
    public let personID: UUID
    public let memberNumber: String
    public let joinedOn: String
    public let balanceMinutes: Int
}

public struct BankSettingsDraft: Sendable {
    public var lowerLimitMinutes: Int
    public var upperLimitMinutes: Int?
    public var welcomeCreditMinutes: Int?
    public var clearingLimitMinutes: Int?

    /// The pilot's settings: ten hours below zero at most, no upper limit, no welcome credit, and at
    /// most a hundred hours owed either way to any other bank.
    public init(lowerLimitMinutes: Int = -600, upperLimitMinutes: Int? = nil, welcomeCreditMinutes: Int? = nil,
                clearingLimitMinutes: Int? = 6_000) {
        self.lowerLimitMinutes = lowerLimitMinutes
        self.upperLimitMinutes = upperLimitMinutes
        self.welcomeCreditMinutes = welcomeCreditMinutes
        self.clearingLimitMinutes = clearingLimitMinutes
    }
}

/// Time banks and their members.
public struct TimeBankService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Opens the time bank of a network organisation of kind time bank, with its own account.
    public func open(_ organisationID: UUID, settings: BankSettingsDraft = .init(), by actor: Actor) async throws -> BankRecord {
        try await db.writeTransaction { tx in
            guard let org = try await Organisation.find(organisationID, on: tx), org.kind == .timeBank else {
                throw DomainError("timebank.not-a-time-bank", field: "organisation_id")
            }
            if try await TimeBankSettings.find(organisationID, on: tx) != nil {
                throw DomainError("timebank.already-open", kind: .conflict)
            }
            try Self.check(settings)
            let bank = TimeBankSettings()
            bank.id = organisationID
            bank.lowerLimitMinutes = settings.lowerLimitMinutes
            bank.upperLimitMinutes = settings.upperLimitMinutes
            bank.welcomeCreditMinutes = settings.welcomeCreditMinutes
            bank.clearingLimitMinutes = settings.clearingLimitMinutes
            try await bank.create(on: tx)
            let own = TimeAccount()
            own.bankID = organisationID
            own.kind = .bank
            own.balanceMinutes = 0
            own.entryCount = 0
            try await own.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "timebank", entityID: organisationID, changes: [
                FieldChange(field: "lower_limit_minutes", from: nil, to: String(settings.lowerLimitMinutes)),
                FieldChange(field: "upper_limit_minutes", from: nil, to: settings.upperLimitMinutes.map(String.init)),
                FieldChange(field: "welcome_credit_minutes", from: nil, to: settings.welcomeCreditMinutes.map(String.init)),
            ])
            return try await TimeBankService(db: tx).bank(organisationID)
        }
    }

    /// The banks by name, a page at a time, each with its member count: five queries, however many banks.
    public func banks(page: PageQuery) async throws -> Paged<BankRecord> {
        let (ids, total) = try await db.organisationPage(TimeBankSettings.schema, kind: .timeBank, page: page)
        let settings = try await TimeBankSettings.query(on: db).filter(\.$id ~~ ids).all()
        let orgs = try await OrganisationService(db: db).lookup(ids)
        let counts = try await db.rowCounts("timebank_members", by: "bank_id", in: ids)
        let byID = Dictionary(uniqueKeysWithValues: settings.map { ($0.id!, $0) })
        let records = ids.compactMap { id in byID[id].map { Self.record($0, name: orgs[id]?.name ?? "", members: counts[id] ?? 0) } }
        return Paged(items: records, total: total, request: page)
    }

    /// Whether there is such a bank: one indexed row, for checks on every call.
    public func exists(_ id: UUID) async throws -> Bool {
        try await Ledger.exists("timebanks", id, on: db as! any SQLDatabase)
    }

    public func bank(_ id: UUID) async throws -> BankRecord {
        guard let bank = try await TimeBankSettings.find(id, on: db) else { throw DomainError.notFound("timebank.bank") }
        let org = try await OrganisationService(db: db).get(id)
        let members = try await TimeBankMember.query(on: db).filter(\.$bankID == id).count()
        return Self.record(bank, name: org.name, members: members)
    }

    static func record(_ bank: TimeBankSettings, name: String, members: Int) -> BankRecord {
        BankRecord(id: bank.id!, name: name, lowerLimitMinutes: bank.lowerLimitMinutes, upperLimitMinutes: bank.upperLimitMinutes,
                   welcomeCreditMinutes: bank.welcomeCreditMinutes, clearingLimitMinutes: bank.clearingLimitMinutes, memberCount: members)
    }

    /// Makes a person a member: a member number (in the Network's registry of member numbers; one she
    /// already has with the bank is kept), an account with the bank's limits, and the welcome credit if
    /// the bank gives one (not to members carried over from a register, who had theirs).
    public func join(_ bankID: UUID, personID: UUID, on day: Date = Date(), welcome: Bool = true, by actor: Actor) async throws -> MemberRecord {
        try await db.writeTransaction { tx in
            guard let bank = try await TimeBankSettings.find(bankID, on: tx) else { throw DomainError.notFound("timebank.bank") }
            _ = try await PeopleService(db: tx).get(personID)
            if try await TimeBankMember.query(on: tx).filter(\.$bankID == bankID).filter(\.$personID == personID).first() != nil {
                throw DomainError("timebank.member.already", kind: .conflict, field: "person_id")
            }
            // A number she already has with this organisation (from the paper register) is kept.
            let people = PeopleService(db: tx)
            let number: String
            if let existing = try await people.memberNumbers(of: personID).first(where: { $0.organisationID == bankID }) {
                number = existing.number
            } else {
                number = try await Self.nextNumber(bankID, on: tx)
                try await people.addMemberNumber(personID: personID, organisationID: bankID, number: number, by: actor)
            }
            let member = TimeBankMember()
            member.bankID = bankID
            member.personID = personID
            member.memberNumber = number
            member.joinedOn = ServiceDate.string(day)
            let account = try await Self.admit(member, account: { TimeAccount(member: $0, bankID: bankID, lower: bank.lowerLimitMinutes,
                                                                               upper: bank.upperLimitMinutes) }, by: actor, on: tx)
            if welcome, let credit = bank.welcomeCreditMinutes, credit > 0 {
                let own = try await Ledger.bankAccount(bankID, on: tx)
                _ = try await Ledger(db: tx).post(bankID: bankID, changes: [own.id!: -credit, account.id!: credit],
                                                  details: .init(minutes: credit, serviceDate: member.joinedOn, purpose: .welcome),
                                                  checkLimits: false, by: actor)
            }
            return try await TimeBankService(db: tx).member(bankID, member.id!)
        }
    }

    public func member(_ bankID: UUID, _ memberID: UUID) async throws -> MemberRecord {
        guard let member = try await TimeBankMember.find(memberID, on: db), member.bankID == bankID else {
            throw DomainError.notFound("timebank.member")
        }
        return try await records([member])[0]
    }

    public func member(_ bankID: UUID, number: String) async throws -> MemberRecord? {
        guard let member = try await TimeBankMember.query(on: db).filter(\.$bankID == bankID)
            .filter(\.$memberNumber == number.trimmingCharacters(in: .whitespaces)).first() else { return nil }
        return try await records([member])[0]
    }

    /// The bank's members in member-number order.
    public func members(_ bankID: UUID, page: PageQuery) async throws -> Paged<MemberRecord> {
        guard try await TimeBankSettings.find(bankID, on: db) != nil else { throw DomainError.notFound("timebank.bank") }
        let query = TimeBankMember.query(on: db).filter(\.$bankID == bankID)
        let total = try await query.count()
        let rows = try await query.sort(\.$memberNumber).range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: try await records(rows), total: total, request: page)
    }

    /// Every member of the bank, for the printed register.
    public func allMembers(_ bankID: UUID) async throws -> [MemberRecord] {
        try await records(try await TimeBankMember.query(on: db).filter(\.$bankID == bankID).sort(\.$memberNumber).all())
    }

    /// Several members at once, by id, for lists that name them without a query per row.
    public func lookup(_ ids: some Collection<UUID>) async throws -> [UUID: MemberRecord] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await records(try await TimeBankMember.query(on: db).filter(\.$id ~~ unique).all())
            .map { ($0.id, $0) })
    }

    /// Her membership of one bank, if she has one.
    public func membership(of personID: UUID, in bankID: UUID) async throws -> MemberRecord? {
        try await records(try await TimeBankMember.query(on: db).filter(\.$personID == personID).filter(\.$bankID == bankID).all()).first
    }

    /// The banks a person belongs to.
    public func memberships(of personID: UUID) async throws -> [MemberRecord] {
        try await records(try await TimeBankMember.query(on: db).filter(\.$personID == personID).all())
    }

    func records(_ members: [TimeBankMember]) async throws -> [MemberRecord] {
        let ids = members.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let accounts = Dictionary(try await TimeAccount.query(on: db).filter(\.$memberID ~~ ids).all().map { ($0.memberID!, $0) },
                                  uniquingKeysWith: { a, _ in a })
        return members.map { m in
            MemberRecord(id: m.id!, bankID: m.bankID, personID: m.personID, memberNumber: m.memberNumber, joinedOn: m.joinedOn,
                         balanceMinutes: accounts[m.id!]?.balanceMinutes ?? 0)
        }
    }

    /// Writes a membership and her account, and counts her among the bank's members and the women reached.
    static func admit(_ member: TimeBankMember, account: (UUID) -> TimeAccount, by actor: Actor, on tx: any Database) async throws -> TimeAccount {
        try await member.create(on: tx)
        try await NetworkReach.record(member.personID, on: member.joinedOn, db: tx)
        try await KeptCounts.add([KeptCounts.Change(.timeBankMembers, key: member.bankID, month: member.joinedOn): 1], on: tx)
        let account = account(member.id!)
        try await account.create(on: tx)
        try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "timebank_member", entityID: member.id, changes: [
            FieldChange(field: "person_id", from: nil, to: member.personID.uuidString),
            FieldChange(field: "member_number", from: nil, to: member.memberNumber),
        ])
        return account
    }

    /// Member numbers run 0001, 0002, … in each bank; a number taken by an import is skipped.
    static func nextNumber(_ bankID: UUID, on db: any Database) async throws -> String {
        var candidate = try await TimeBankMember.query(on: db).filter(\.$bankID == bankID).count() + 1
        while true {
            let number = String(format: "%04d", candidate)
            let taken = try await MemberNumber.query(on: db).filter(\.$organisationID == bankID).filter(\.$number == number).first()
            if taken == nil { return number }
            candidate += 1
        }
    }

    static func check(_ settings: BankSettingsDraft) throws {
        var errors: [DomainError] = []
        if settings.lowerLimitMinutes > 0 { errors.append(DomainError("timebank.lower-limit-invalid", field: "lower_limit_minutes")) }
        if let upper = settings.upperLimitMinutes, upper <= 0 {
            errors.append(DomainError("timebank.upper-limit-invalid", field: "upper_limit_minutes"))
        }
        if let welcome = settings.welcomeCreditMinutes, welcome < 0 {
            errors.append(DomainError("timebank.welcome-credit-invalid", field: "welcome_credit_minutes"))
        }
        if let clearing = settings.clearingLimitMinutes, clearing < 0 {
            errors.append(DomainError("timebank.clearing-limit-invalid", field: "clearing_limit_minutes"))
        }
        try ValidationErrors.throwIfAny(errors)
    }
}
