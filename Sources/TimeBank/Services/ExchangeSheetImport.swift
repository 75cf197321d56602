import AsharNetwork
import FluentKit
import Foundation
import Kernel

/// One line of a printed exchange sheet as typed into a spreadsheet: the paper's columns, as text.
public struct ExchangeSheetRow: Sendable {
    public var line: Int
    /// The code printed on the sheet and its row number: together they name the row when it has no slip number.
    public var sheet = ""
    public var sheetLine = ""
    public var slipNumber = ""
    public var provider = ""
    public var recipient = ""
    public var hours = ""
    public var minutes = ""
    public var serviceDate = ""

    public init(line: Int) { self.line = line }

    /// The slip number it is booked under: the one written, or the sheet's code and row ("20261202-4821-1/7"),
    /// so the same sheet typed in twice is refused rather than booked twice.
    var slip: String? {
        let written = slipNumber.trimmingCharacters(in: .whitespaces)
        if !written.isEmpty { return written }
        let code = sheet.trimmingCharacters(in: .whitespaces), row = sheetLine.trimmingCharacters(in: .whitespaces)
        return code.isEmpty || row.isEmpty ? nil : "\(code)/\(row)"
    }
}

/// Exchange sheets come back typed into a spreadsheet: every line checked (members by number, the time,
/// the day, a slip booked before or twice in the file) with its errors by line number, then the whole
/// file booked in one transaction or none of it — a line the ledger refuses (a limit) refuses the file.
public struct ExchangeSheetImport: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public static let maxRows = 2_000

    /// Books every line; returns how many exchanges. Throws `ImportFailed` with each wrong line.
    public func run(_ bankID: UUID, rows: [ExchangeSheetRow], categoryID: UUID?, by actor: Actor) async throws -> Int {
        guard !rows.isEmpty else { throw DomainError("timebank.import.empty") }
        guard rows.count <= Self.maxRows else { throw DomainError("timebank.import.too-many", arguments: ["max": String(Self.maxRows)]) }
        let members = Dictionary(try await TimeBankService(db: db).allMembers(bankID).map { ($0.memberNumber, $0) }, uniquingKeysWith: { a, _ in a })
        let slips = rows.compactMap(\.slip)
        let bookedBefore = slips.isEmpty ? [] : Set(try await TimeTransfer.query(on: db).filter(\.$bankID == bankID)
            .filter(\.$slipNumber ~~ slips).all().compactMap(\.slipNumber))

        // Every line on its own and against the others first, so the answer lists every problem at once.
        var problems: [ImportFailed.Problem] = []
        var requests: [(line: Int, request: BookingRequest)] = []
        var slipsSeen: [String: Int] = [:]
        for row in rows {
            var errors: [DomainError] = []
            let provider = members[row.provider.trimmingCharacters(in: .whitespaces)]
            let recipient = members[row.recipient.trimmingCharacters(in: .whitespaces)]
            if provider == nil { errors.append(DomainError("timebank.member-number-unknown", field: "provider", arguments: ["number": row.provider])) }
            if recipient == nil { errors.append(DomainError("timebank.member-number-unknown", field: "recipient", arguments: ["number": row.recipient])) }
            let minutes = DurationInput.minutes(hours: row.hours, minutes: row.minutes)
            if minutes == nil { errors.append(DomainError("timebank.duration-invalid", field: "hours")) }
            if let slip = row.slip {
                if let first = slipsSeen[slip] {
                    errors.append(DomainError("timebank.import.slip-twice", field: "slip_number", arguments: ["slip": slip, "line": String(first)]))
                } else {
                    slipsSeen[slip] = row.line
                }
                if bookedBefore.contains(slip) { errors.append(DomainError("timebank.slip-already-booked", field: "slip_number", arguments: ["slip": slip])) }
            }
            do { _ = try ServiceDate.validate(row.serviceDate) } catch let error as DomainError { errors.append(error) }
            if errors.isEmpty, let provider, let recipient, let minutes {
                let draft = ExchangeDraft(bankID: bankID, provider: provider.id, recipient: recipient.id, minutes: minutes, categoryID: categoryID,
                                          serviceDate: row.serviceDate.trimmingCharacters(in: .whitespaces), slipNumber: row.slip)
                do {
                    requests.append((row.line, BookingRequest(try draft.normalized(), by: actor)))
                } catch let error as DomainError {
                    errors.append(error)
                } catch let many as ValidationErrors {
                    errors += many.errors
                }
            }
            if !errors.isEmpty { problems.append(ImportFailed.Problem(line: row.line, errors: errors)) }
        }
        if !problems.isEmpty { throw ImportFailed(problems: problems) }

        // Then the ledger, in the file's order, each line seeing the ones before it; one refusal undoes all.
        let checked = requests
        try await db.writeTransaction { tx in
            let results = try await Ledger.book(checked.map(\.request), on: tx)
            let refused: [ImportFailed.Problem] = try zip(checked, results).compactMap { item, result in
                guard case .failure(let error) = result else { return nil }
                guard let domain = error as? DomainError else { throw error }
                return ImportFailed.Problem(line: item.line, errors: [domain])
            }
            if !refused.isEmpty { throw ImportFailed(problems: refused) }
        }
        return checked.count
    }
}
