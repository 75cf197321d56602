import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// One line of a members file, as read: every field text, as the paper register or the other system had it.
public struct ImportRow: Sendable {
    public var line: Int
    public var number: String
    public var fullName: String
    public var village: String
    public var district: String
    public var birthYear: String
    public var phone: String
    /// The opening balance: whole minutes in `balanceMinutes`, or hours ("12", "-2:30") in `balanceHours`.
    public var balanceMinutes: String
    public var balanceHours: String

    public init(line: Int, number: String = "", fullName: String = "", village: String = "", district: String = "", birthYear: String = "",
                phone: String = "", balanceMinutes: String = "", balanceHours: String = "") {
        self.line = line
        self.number = number
        self.fullName = fullName
        self.village = village
        self.district = district
        self.birthYear = birthYear
        self.phone = phone
        self.balanceMinutes = balanceMinutes
        self.balanceHours = balanceHours
    }
}

/// What a file did: nothing, or all of this.
public struct ImportSummary: Sendable, Equatable {
    public let members: Int
    /// People who were not in the registry before.
    public let newPeople: Int
    public let openingMinutes: Int
}

/// Members and their opening balances from a paper register or another system, all or nothing: every
/// line is checked, and if any is wrong the whole file is refused with each line's reasons. A woman
/// already in the registry (same name, village and birth year) is reused, not registered twice.
/// Opening balances come from the bank's own account, marked as such, outside the credit limits: they
/// were earned before.
public struct MemberImport: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public static let maxRows = 5_000

    public func run(_ bankID: UUID, rows: [ImportRow], by actor: Actor) async throws -> ImportSummary {
        guard try await TimeBankSettings.find(bankID, on: db) != nil else { throw DomainError.notFound("timebank.bank") }
        guard !rows.isEmpty else { throw DomainError("timebank.import.empty") }
        guard rows.count <= Self.maxRows else { throw DomainError("timebank.import.too-many", arguments: ["max": String(Self.maxRows)]) }
        let villages = try await Place.query(on: db).filter(\.$level == .village).all()
        let districts = Dictionary(uniqueKeysWithValues: try await Place.query(on: db).filter(\.$level == .district).all().map { ($0.id!, $0) })

        // First every line on its own and against the others, so the answer lists every problem at once.
        var problems: [ImportFailed.Problem] = []
        var checked: [(row: ImportRow, village: UUID, birthYear: Int?, balance: Int)] = []
        var numbersSeen: [String: Int] = [:]
        for row in rows {
            var errors: [DomainError] = []
            let number = row.number.trimmingCharacters(in: .whitespaces)
            if !number.isEmpty, let first = numbersSeen[number] {
                errors.append(DomainError("timebank.import.number-twice", field: "number", arguments: ["number": number, "line": String(first)]))
            } else if !number.isEmpty {
                numbersSeen[number] = row.line
            }
            let village = Self.village(row.village, district: row.district, among: villages, districts: districts, errors: &errors)
            // The registry checks the person's own fields (name, birth year, phone) when she is written.
            let birthYear = Int(row.birthYear.trimmingCharacters(in: .whitespaces))
            let balance = Self.balance(minutes: row.balanceMinutes, hours: row.balanceHours)
            if balance == nil { errors.append(DomainError("timebank.import.balance-invalid", field: "balance")) }
            if errors.isEmpty, let village, let balance {
                checked.append((row, village, birthYear, balance))
            } else {
                problems.append(.init(line: row.line, errors: errors))
            }
        }
        if !problems.isEmpty { throw ImportFailed(problems: problems) }

        let lines = checked
        return try await db.writeTransaction { tx in
            var problems: [ImportFailed.Problem] = []
            var newPeople = 0, opening = 0
            let people = PeopleService(db: tx), banks = TimeBankService(db: tx)
            let bankAccount = try await Ledger.bankAccount(bankID, on: tx)
            for line in lines {
                do {
                    let draft = PersonDraft(fullName: line.row.fullName, sex: .female, birthYear: line.birthYear, villageID: line.village,
                                            phone: line.row.phone.trimmingCharacters(in: .whitespaces).nonEmpty)
                    let person: PersonRecord
                    if let known = try await people.possibleDuplicates(of: draft).first {
                        person = known
                    } else {
                        person = try await people.create(draft, confirmedNotDuplicate: true, by: actor)
                        newPeople += 1
                    }
                    let number = line.row.number.trimmingCharacters(in: .whitespaces)
                    if !number.isEmpty, try await !people.memberNumbers(of: person.id).contains(where: { $0.organisationID == bankID }) {
                        try await people.addMemberNumber(personID: person.id, organisationID: bankID, number: number, by: actor)
                    }
                    let member = try await banks.join(bankID, personID: person.id, welcome: false, by: actor)
                    if line.balance != 0 {
                        let account = try await Ledger.memberAccounts(bankID, [member.id], on: tx)[member.id]!
                        _ = try await Ledger(db: tx).post(
                            bankID: bankID, changes: [bankAccount.id!: -line.balance, account.id!: line.balance],
                            details: .init(minutes: abs(line.balance), serviceDate: member.joinedOn, purpose: .opening),
                            checkLimits: false, by: actor)
                        opening += line.balance
                    }
                } catch let error as DomainError {
                    problems.append(.init(line: line.row.line, errors: [error]))
                } catch let error as ValidationErrors {
                    problems.append(.init(line: line.row.line, errors: error.errors))
                }
            }
            // Throwing rolls the whole file back.
            if !problems.isEmpty { throw ImportFailed(problems: problems) }
            return ImportSummary(members: lines.count, newPeople: newPeople, openingMinutes: opening)
        }
    }

    /// The village named on the line: by its name in any language, spelled loosely; the district tells
    /// namesakes apart.
    static func village(_ name: String, district: String, among villages: [Place], districts: [UUID: Place],
                        errors: inout [DomainError]) -> UUID? {
        let key = SearchKey.fold(name)
        guard !key.isEmpty else {
            errors.append(DomainError("timebank.import.village-unknown", field: "village", arguments: ["village": name]))
            return nil
        }
        func names(_ p: Place) -> [String] { [p.nameKy, p.nameRu, p.nameEn].map(SearchKey.fold) }
        var found = villages.filter { names($0).contains(key) }
        let districtKey = SearchKey.fold(district)
        if found.count > 1, !districtKey.isEmpty {
            found = found.filter { $0.districtID.flatMap { districts[$0] }.map { names($0).contains(districtKey) } ?? false }
        }
        switch found.count {
        case 1: return found[0].id
        case 0: errors.append(DomainError("timebank.import.village-unknown", field: "village", arguments: ["village": name]))
        default: errors.append(DomainError("timebank.import.village-ambiguous", field: "village", arguments: ["village": name]))
        }
        return nil
    }

    /// Minutes from either column; blank is zero. Hours may be "12", "-2:30", "1:05".
    static func balance(minutes: String, hours: String) -> Int? {
        let m = minutes.trimmingCharacters(in: .whitespaces), h = hours.trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "−", with: "-")
        if !m.isEmpty { return Int(m.replacingOccurrences(of: "−", with: "-")) }
        if h.isEmpty { return 0 }
        let negative = h.hasPrefix("-")
        let parts = (negative ? String(h.dropFirst()) : h).split(separator: ":", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let whole = Int(parts[0]), whole >= 0 else { return nil }
        var total = whole * 60
        if parts.count == 2 {
            guard parts[1].count == 2, let rest = Int(parts[1]), (0...59).contains(rest) else { return nil }
            total += rest
        }
        return negative ? -total : total
    }
}
