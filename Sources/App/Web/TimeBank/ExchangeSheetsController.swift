import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// Exchange sheets, on paper and back: printed for a village office with a code and a QR code on each
/// sheet (it opens the page where that sheet is typed in); the filled sheet, typed into a spreadsheet,
/// comes back as a CSV file — every line checked, errors by line number, all of it booked or none.
struct ExchangeSheetsController: RouteCollection {
    static let rowsPerSheet = 18

    func boot(routes: any RoutesBuilder) throws {
        let sheets = routes.grouped("timebanks", ":bank", "sheets")
        sheets.get(use: printable)
        sheets.get("import", use: form)
        sheets.on(.POST, "import", body: .collect(maxSize: "5mb"), use: upload)
        sheets.get("sample.csv", use: sample)
    }

    struct Sheet: Encodable {
        let code: String
        let number: Int
        let qr: String
    }

    struct Member: Encodable {
        let number: String
        let name: String
    }

    struct PrintPage: Encodable {
        let bankID: UUID
        let bankName: String
        let sheets: [Sheet]
        /// Printed after the sheets: whose number is whose, to fill them in where the register is not at hand.
        let members: [Member]
        let rows: [Int]
        let count: Int
    }

    /// `?count=` sheets (1–20), each with its own code: the day, a number for this printing, the sheet.
    @Sendable func printable(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let count = min(max(req.query["count"] ?? 1, 1), 20)
        let run = String(format: "%04d", Int.random(in: 0..<10_000))
        let day = BishkekCalendar.day(of: Date()).replacingOccurrences(of: "-", with: "")
        let sheets = try (1...count).map { number in
            let code = "\(day)-\(run)-\(number)"
            return Sheet(code: code, number: number,
                         qr: try QRCode(req.publicURL("/timebanks/\(bank.id)/sheets/import?sheet=\(code)")).svg(moduleSize: 3))
        }
        let members = try await TimeBankService(db: req.db).allMembers(bank.id)
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        return try await req.render("timebanks/sheets", title: req.t("sheets.title"), PrintPage(
            bankID: bank.id, bankName: bank.name, sheets: sheets,
            members: members.map { Member(number: $0.memberNumber, name: people[$0.personID]?.fullName ?? "") },
            rows: Array(1...Self.rowsPerSheet), count: count))
    }

    @Sendable func form(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        return try await render(req, bank: bank, problems: [], done: nil, text: "", sheet: req.query["sheet"])
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        guard let text = try req.content.decode(TypedFile.self).content else {
            return try await refuse(req, bank, [.init(line: 0, messages: [req.t("error.timebank.import.not-utf8")])], text: "")
        }
        do {
            let rows = try CSV.rows(text, columns: Self.columns, required: ["provider", "recipient", "service_date"]) { ExchangeSheetRow(line: $0) }
            let booked = try await ExchangeSheetImport(db: req.db).run(bank.id, rows: rows, categoryID: nil, by: req.actor)
            return try await render(req, bank: bank, problems: [], done: req.catalogue.plural("timebanks.batch.booked", count: booked), text: "", sheet: nil)
        } catch let failed as ImportFailed {
            return try await refuse(req, bank, failed.problems.map { p in
                .init(line: p.line, messages: p.errors.map { req.t($0.key, $0.arguments) })
            }, text: text)
        } catch let error as DomainError {
            return try await refuse(req, bank, [.init(line: 0, messages: [req.t(error.key, error.arguments)])], text: text)
        }
    }

    func refuse(_ req: Request, _ bank: BankRecord, _ problems: [MemberImportController.LineErrors], text: String) async throws -> Response {
        try await render(req, bank: bank, problems: problems, done: nil, text: text, sheet: nil, status: .unprocessableEntity)
    }

    @Sendable func sample(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let members = try await TimeBankService(db: req.db).members(bank.id, page: PageQuery(page: 1, per: 2)).items.map(\.memberNumber)
        let (a, b) = (members.first ?? "0001", members.dropFirst().first ?? "0002")
        return CSV.response([
            Self.columns.map(\.header),
            ["20261202-0417-1", "1", "", a, b, "2", "30", "2026-11-28"],
            ["20261202-0417-1", "2", "B-118", b, a, "", "45", "2026-11-29"],
        ], filename: "exchange-sheet-sample.csv")
    }

    func render(_ req: Request, bank: BankRecord, problems: [MemberImportController.LineErrors], done: String?, text: String, sheet: String?,
                status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.render("timebanks/import", title: req.t("sheets.import.title"), MemberImportController.Page(
            bankID: bank.id, bankName: bank.name, title: req.t("sheets.import.title"),
            explain: (sheet.map { req.t("sheets.import.this-sheet", ["sheet": $0]) + " " } ?? "") + req.t("sheets.import.explain"),
            action: "/timebanks/\(bank.id)/sheets/import", sampleHref: "/timebanks/\(bank.id)/sheets/sample.csv",
            columns: Self.columns.map { .init(name: $0.header, meaning: req.t("sheets.column.\($0.header)")) },
            problems: problems, done: done, text: text), status: status)
    }

    /// The sheet's columns by their English header, with the headers people write in Kyrgyz and Russian.
    static let columns: [CSV.Column<ExchangeSheetRow>] = [
        ("sheet", ["лист", "барак"], \.sheet),
        ("line", ["строка", "сап", "№"], \.sheetLine),
        ("slip_number", ["квитанция", "кагаз", "slip"], \.slipNumber),
        ("provider", ["кто помог", "жардам берген"], \.provider),
        ("recipient", ["кто получил", "жардам алган"], \.recipient),
        ("hours", ["часы", "саат"], \.hours),
        ("minutes", ["минуты", "мүнөт"], \.minutes),
        ("service_date", ["дата", "күнү", "date"], \.serviceDate),
    ]
}
