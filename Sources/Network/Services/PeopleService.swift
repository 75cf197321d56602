import FluentKit
import Foundation
import Kernel

public struct PersonRecord: Sendable, Equatable {
    public let id: UUID
    public let fullName: String
    public let sex: Sex
    public let birthYear: Int
    public let villageID: UUID
    public let phone: String?
    public let householdCode: String?
    public let contactConsent: Bool
    /// The language of her messages (ky, ru, en), if she said.
    public let language: String?
    /// When she agreed that staff see her path across the network on one page; nil: she has not.
    public let pathConsentAt: Date?
    public let createdAt: Date?

    init(_ p: Person) {
        id = p.id!
        fullName = p.fullName
        sex = p.sex
        birthYear = p.birthYear
        villageID = p.villageID
        phone = p.phone
        householdCode = p.householdCode
        contactConsent = p.contactConsent
        language = p.language
        pathConsentAt = p.pathConsentAt
        createdAt = p.createdAt
    }
}

public struct PersonDraft: Sendable {
    public var fullName: String
    public var sex: Sex
    public var birthYear: Int?
    public var villageID: UUID?
    public var phone: String?
    public var householdCode: String?
    public var contactConsent: Bool
    /// The language of her messages: one of `languages`, or nil.
    public var language: String?

    /// The languages Ashar writes to people in.
    public static let languages = ["ky", "ru", "en"]

    public init(fullName: String, sex: Sex, birthYear: Int?, villageID: UUID?, phone: String? = nil,
                householdCode: String? = nil, contactConsent: Bool = false, language: String? = nil) {
        self.fullName = fullName
        self.sex = sex
        self.birthYear = birthYear
        self.villageID = villageID
        self.phone = phone
        self.householdCode = householdCode
        self.contactConsent = contactConsent
        self.language = language
    }

    public init(_ record: PersonRecord) {
        self.init(fullName: record.fullName, sex: record.sex, birthYear: record.birthYear, villageID: record.villageID,
                  phone: record.phone, householdCode: record.householdCode, contactConsent: record.contactConsent, language: record.language)
    }
}

/// Registering someone who looks like an existing person: the caller shows the matches and may confirm.
public struct PossibleDuplicate: Error, Sendable {
    public let matches: [PersonRecord]
}

public struct MemberNumberRecord: Sendable, Equatable {
    public let id: UUID
    public let organisationID: UUID
    public let number: String
}

/// The people registry: one entry per person, shared by every context.
public struct PeopleService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// Finds people by folded name, phone digits or member number.
    public func search(q: String?, villageID: UUID? = nil, page: PageQuery) async throws -> Paged<PersonRecord> {
        let query = Person.query(on: db)
        let text = (q ?? "").trimmingCharacters(in: .whitespaces)
        let folded = SearchKey.fold(text), digits = SearchKey.phoneDigits(text)
        let byNumber = text.isEmpty ? [] : try await MemberNumber.query(on: db).filter(\.$number == text).all().map(\.personID)
        if !text.isEmpty {
            // A name (every word, any order), or a phone number, or a member number.
            query.group(.or) { or in
                if !folded.isEmpty { or.group(.and) { $0.matchingEveryWord(of: folded, in: \.$searchKey, index: .people) } }
                if digits.count >= 4 { or.filter(\.$phoneDigits ~~ digits) }
                if !byNumber.isEmpty { or.filter(\.$id ~~ byNumber) }
                if folded.isEmpty && digits.count < 4 && byNumber.isEmpty { or.filter(\.$id == UUID()) }
            }
        }
        if let villageID { query.filter(\.$villageID == villageID) }
        let nameAlone = !folded.isEmpty && digits.count < 4 && byNumber.isEmpty && villageID == nil
        let total: Int
        if text.isEmpty && villageID == nil {
            total = try await count()
        } else if nameAlone, let indexed = try await FullTextIndex.people.count(of: folded, on: db) {
            // A name alone: the full-text index counts its matches without reading a row of people.
            total = indexed
        } else {
            total = try await query.count()
        }
        if nameAlone, let ids = try await FullTextIndex.people.page(of: folded, offset: page.offset, limit: page.per, on: db) {
            let found = Dictionary(uniqueKeysWithValues: try await Person.query(on: db).filter(\.$id ~~ ids).all().map { ($0.id!, $0) })
            return Paged(items: ids.compactMap { found[$0] }.map(PersonRecord.init), total: total, request: page)
        }
        let rows = try await query.sort(\.$fullName).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: rows.map(PersonRecord.init), total: total, request: page)
    }

    public func get(_ id: UUID) async throws -> PersonRecord {
        guard let p = try await Person.find(id, on: db) else { throw DomainError.notFound("network.person") }
        return PersonRecord(p)
    }

    /// Everyone in the registry: a total the database keeps, not a count of 200,000 rows.
    public func count() async throws -> Int { try await RowTotals.of(Person.schema, on: db) }

    /// Several people at once, for lists that name them without a query per row.
    public func lookup(_ ids: some Collection<UUID>) async throws -> [UUID: PersonRecord] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await Person.query(on: db).filter(\.$id ~~ unique).all().map { ($0.id!, PersonRecord($0)) })
    }

    /// The people registered with this phone number (digits with the country code): who an SMS is from.
    public func registered(phone digits: String) async throws -> [PersonRecord] {
        try await Person.query(on: db).filter(\.$phoneDigits == digits).sort(\.$createdAt).all().map(PersonRecord.init)
    }

    /// People already registered with the same folded name, village and birth year.
    public func possibleDuplicates(of draft: PersonDraft, excluding id: UUID? = nil) async throws -> [PersonRecord] {
        guard let villageID = draft.villageID, let birthYear = draft.birthYear else { return [] }
        let query = Person.query(on: db)
            .filter(\.$searchKey == SearchKey.fold(draft.fullName))
            .filter(\.$villageID == villageID)
            .filter(\.$birthYear == birthYear)
        if let id { query.filter(\.$id != id) }
        return try await query.all().map(PersonRecord.init)
    }

    /// Checks a person's fields as `create` would, writing nothing: for forms that keep her details until
    /// someone registers her (an application to a time bank).
    public func check(_ draft: PersonDraft) async throws {
        try await Self.apply(draft, to: Person(), on: db)
    }

    /// Registers a person. Unless `confirmedNotDuplicate`, refuses with `PossibleDuplicate` when she looks
    /// like someone already in the registry.
    public func create(_ draft: PersonDraft, confirmedNotDuplicate: Bool = false, by actor: Actor) async throws -> PersonRecord {
        try await db.writeTransaction { tx in
            let person = Person()
            try await Self.apply(draft, to: person, on: tx)
            if !confirmedNotDuplicate {
                let matches = try await PeopleService(db: tx).possibleDuplicates(of: draft)
                if !matches.isEmpty { throw PossibleDuplicate(matches: matches) }
            }
            try await person.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "person", entityID: person.id,
                                      changes: FieldChange.diff([:], Self.snapshot(person)))
            return PersonRecord(person)
        }
    }

    public func update(_ id: UUID, _ draft: PersonDraft, by actor: Actor) async throws -> PersonRecord {
        try await db.writeTransaction { tx in
            guard let person = try await Person.find(id, on: tx) else { throw DomainError.notFound("network.person") }
            let before = Self.snapshot(person), village = person.villageID
            try await Self.apply(draft, to: person, on: tx)
            try await person.save(on: tx)
            if person.villageID != village { try await NetworkReach.moved(id, on: tx) }
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "person", entityID: id,
                                      changes: FieldChange.diff(before, Self.snapshot(person)))
            return PersonRecord(person)
        }
    }

    /// Records that she agreed (or no longer agrees) that staff see her path across the network.
    public func setPathConsent(_ id: UUID, given: Bool, by actor: Actor) async throws -> PersonRecord {
        try await db.writeTransaction { tx in
            guard let person = try await Person.find(id, on: tx) else { throw DomainError.notFound("network.person") }
            guard (person.pathConsentAt != nil) != given else { return PersonRecord(person) }
            person.pathConsentAt = given ? Date() : nil
            try await person.save(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "person", entityID: id,
                                      changes: [FieldChange(field: "path_consent", from: String(!given), to: String(given))])
            return PersonRecord(person)
        }
    }

    public func memberNumbers(of personID: UUID) async throws -> [MemberNumberRecord] {
        try await MemberNumber.query(on: db).filter(\.$personID == personID).sort(\.$number).all()
            .map { MemberNumberRecord(id: $0.id!, organisationID: $0.organisationID, number: $0.number) }
    }

    public func addMemberNumber(personID: UUID, organisationID: UUID, number raw: String, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            var errors: [DomainError] = []
            let number = Check.required(raw, field: "number", code: "network.member-number", maxLength: 20, into: &errors)
            try ValidationErrors.throwIfAny(errors)
            guard try await Person.find(personID, on: tx) != nil else { throw DomainError.notFound("network.person") }
            guard try await Organisation.find(organisationID, on: tx) != nil else {
                throw DomainError("network.member-number.organisation-invalid", field: "organisation_id")
            }
            let taken = try await MemberNumber.query(on: tx).filter(\.$organisationID == organisationID)
                .group(.or) { $0.filter(\.$number == number).filter(\.$personID == personID) }.first()
            if let taken {
                throw DomainError(taken.personID == personID ? "network.member-number.already-member" : "network.member-number.taken",
                                  kind: .conflict, field: "number", arguments: ["number": number])
            }
            let row = MemberNumber()
            row.personID = personID
            row.organisationID = organisationID
            row.number = number
            try await row.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "member_number",
                                      entityID: row.id, changes: [
                                        FieldChange(field: "person_id", from: nil, to: personID.uuidString),
                                        FieldChange(field: "organisation_id", from: nil, to: organisationID.uuidString),
                                        FieldChange(field: "number", from: nil, to: number),
                                      ])
        }
    }

    static let earliestBirthYear = 1900

    static func apply(_ draft: PersonDraft, to p: Person, on db: any Database) async throws {
        var errors: [DomainError] = []
        let code = "network.person"
        let name = Check.required(draft.fullName, field: "full_name", code: code, into: &errors)
        if !name.isEmpty && !Check.isCyrillicName(name) {
            errors.append(DomainError("\(code).full_name-not-cyrillic", field: "full_name"))
        }
        let thisYear = Calendar(identifier: .gregorian).component(.year, from: Date())
        if let year = draft.birthYear, (Self.earliestBirthYear...thisYear).contains(year) {} else {
            errors.append(DomainError("\(code).birth_year-invalid", field: "birth_year",
                                      arguments: ["min": "\(Self.earliestBirthYear)", "max": "\(thisYear)"]))
        }
        let village = try await draft.villageID.asyncFlatMap { try await Place.find($0, on: db) }
        if village?.level != .village {
            errors.append(DomainError("\(code).village_id-invalid", field: "village_id"))
        }
        var phoneDigits: String?
        if let raw = Check.optional(draft.phone, field: "phone", code: code, into: &errors) {
            phoneDigits = PhoneNumber.normalise(raw)
            if phoneDigits == nil { errors.append(DomainError("\(code).phone-invalid", field: "phone")) }
        }
        let household = Check.optional(draft.householdCode, field: "household_code", code: code, maxLength: 40, into: &errors)
        let language = draft.language.flatMap { $0.isEmpty ? nil : $0 }
        if let language, !PersonDraft.languages.contains(language) { errors.append(DomainError("\(code).language-invalid", field: "language")) }
        try ValidationErrors.throwIfAny(errors)
        p.fullName = name.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        p.searchKey = SearchKey.fold(name)
        p.sex = draft.sex
        p.birthYear = draft.birthYear!
        p.villageID = village!.id!
        p.phoneDigits = phoneDigits
        p.phone = phoneDigits.map(PhoneNumber.display)
        p.householdCode = household
        p.contactConsent = draft.contactConsent
        p.language = language
    }

    static func snapshot(_ p: Person) -> [String: String?] {
        ["full_name": p.fullName, "sex": p.sex.rawValue, "birth_year": String(p.birthYear),
         "village_id": p.villageID.uuidString, "phone": p.phone, "household_code": p.householdCode,
         "contact_consent": String(p.contactConsent), "language": p.language]
    }
}
