import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct ApplicationRecord: Sendable, Equatable {
    public let id: UUID
    public let bankID: UUID
    public let fullName: String
    public let villageID: UUID
    public let birthYear: Int
    public let phone: String?
    public let offers: String?
    public let status: ApplicationStatus
    public let createdAt: Date
    public let memberID: UUID?

    public var person: PersonDraft {
        PersonDraft(fullName: fullName, sex: .female, birthYear: birthYear, villageID: villageID, phone: phone)
    }
}

/// Applications to join a time bank: a woman fills in the bank's form; the office accepts her (registering
/// her, or recognising her in the registry) or declines.
public struct ApplicationService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func apply(_ bankID: UUID, _ person: PersonDraft, offers: String?, consent: Bool) async throws -> ApplicationRecord {
        guard try await TimeBankSettings.find(bankID, on: db) != nil else { throw DomainError.notFound("timebank.bank") }
        var errors: [DomainError] = []
        do { try await PeopleService(db: db).check(person) } catch let invalid as ValidationErrors { errors += invalid.errors }
        let offers = offers?.trimmingCharacters(in: .whitespacesAndNewlines).nonEmpty
        if let offers, offers.count > 1_000 { errors.append(DomainError("timebank.note-too-long", field: "offers", arguments: ["max": "1000"])) }
        if !consent { errors.append(DomainError("timebank.application.consent-required", field: "consent")) }
        try ValidationErrors.throwIfAny(errors)
        let application = MembershipApplication()
        application.bankID = bankID
        application.fullName = person.fullName.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        application.villageID = person.villageID!
        application.birthYear = person.birthYear!
        application.phone = person.phone?.trimmingCharacters(in: .whitespaces).nonEmpty
        application.offers = offers
        application.status = .pending
        try await application.create(on: db)
        return Self.record(application)
    }

    public func pending(_ bankID: UUID) async throws -> [ApplicationRecord] {
        try await MembershipApplication.query(on: db).filter(\.$bankID == bankID).filter(\.$status == .pending)
            .sort(\.$createdAt).all().map(Self.record)
    }

    /// Makes her a member. `person`: the registry's record of her, when the office recognised her there;
    /// otherwise she is registered, unless she looks like someone already there and `newPerson` is not set
    /// (then `PossibleDuplicate` names who).
    public func accept(_ bankID: UUID, _ id: UUID, person: UUID?, newPerson: Bool, by actor: Actor) async throws -> MemberRecord {
        try await db.writeTransaction { tx in
            let application = try await Self.pending(bankID, id, on: tx)
            let record = Self.record(application)
            var personID = person
            if personID == nil {
                personID = try await PeopleService(db: tx).create(record.person, confirmedNotDuplicate: newPerson, by: actor).id
            }
            let member = try await TimeBankService(db: tx).join(bankID, personID: personID!, by: actor)
            application.status = .accepted
            application.memberID = member.id
            application.decidedAt = Date()
            application.decidedByLogin = actor.login
            try await application.update(on: tx)
            return member
        }
    }

    public func decline(_ bankID: UUID, _ id: UUID, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            let application = try await Self.pending(bankID, id, on: tx)
            application.status = .declined
            application.decidedAt = Date()
            application.decidedByLogin = actor.login
            try await application.update(on: tx)
        }
    }

    static func pending(_ bankID: UUID, _ id: UUID, on db: any Database) async throws -> MembershipApplication {
        guard let application = try await MembershipApplication.find(id, on: db), application.bankID == bankID else {
            throw DomainError.notFound("timebank.application")
        }
        guard application.status == .pending else { throw DomainError("timebank.application.decided", kind: .conflict) }
        return application
    }

    static func record(_ a: MembershipApplication) -> ApplicationRecord {
        ApplicationRecord(id: a.id!, bankID: a.bankID, fullName: a.fullName, villageID: a.villageID, birthYear: a.birthYear, phone: a.phone,
                          offers: a.offers, status: a.status, createdAt: a.createdAt ?? Date(), memberID: a.memberID)
    }
}
