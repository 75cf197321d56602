import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// Members and opening balances from a CSV file (a paper register typed into a spreadsheet, or another
/// system's export): every line checked, errors by line number, and nothing booked unless all is right.
struct MemberImportController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let imports = routes.grouped("timebanks", ":bank", "import")
        imports.get(use: form)
        imports.on(.POST, body: .collect(maxSize: "5mb"), use: upload)
        imports.get("sample.csv", use: sample)
    }

    struct LineErrors: Encodable {
        let line: Int
        let messages: [String]
    }

    /// The page of a file typed in (members here, exchange sheets in `ExchangeSheetsController`).
    struct Page: Encodable {
        let bankID: UUID
        let bankName: String
        let title: String
        let explain: String
        let action: String
        let sampleHref: String
        let columns: [Column]
        let problems: [LineErrors]
        let done: String?
        let text: String
    }

    struct Column: Encodable {
        let name: String
        let meaning: String
    }

    @Sendable func form(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        return try await render(req, bank: bank, problems: [], done: nil, text: "")
    }

    @Sendable func upload(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        guard let text = try req.content.decode(TypedFile.self).content else {
            return try await refuse(req, bank, [LineErrors(line: 0, messages: [req.t("error.timebank.import.not-utf8")])], text: "")
        }
        do {
            let rows = try Self.rows(text)
            let summary = try await MemberImport(db: req.db).run(bank.id, rows: rows, by: req.actor)
            let done = req.t("import.done", ["members": req.catalogue.plural("timebanks.member-count", count: summary.members),
                                             "people": String(summary.newPeople), "balance": req.duration(summary.openingMinutes)])
            return try await render(req, bank: try await TimeBankService(db: req.db).bank(bank.id), problems: [], done: done, text: "")
        } catch let failed as ImportFailed {
            return try await refuse(req, bank, failed.problems.map { p in
                LineErrors(line: p.line, messages: p.errors.map { req.t($0.key, $0.arguments) })
            }, text: text)
        } catch let error as DomainError {
            return try await refuse(req, bank, [LineErrors(line: 0, messages: [req.t(error.key, error.arguments)])], text: text)
        }
    }

    func refuse(_ req: Request, _ bank: BankRecord, _ problems: [LineErrors], text: String) async throws -> Response {
        try await render(req, bank: bank, problems: problems, done: nil, text: text, status: .unprocessableEntity)
    }

    @Sendable func sample(req: Request) async throws -> Response {
        _ = try await TimeBankController().managedBank(req)
        return CSV.response([
            Self.columns.map(\.header),
            ["0101", "Токтосунова Айгүл", "Сарай", "Сокулук", "1984", "0555 123 456", "", "12:30"],
            ["0102", "Жумабаева Нургүл", "Сарай", "Сокулук", "1990", "", "-90", ""],
        ], filename: "members-sample.csv")
    }

    func render(_ req: Request, bank: BankRecord, problems: [LineErrors], done: String?, text: String,
                status: HTTPResponseStatus = .ok) async throws -> Response {
        try await req.render("timebanks/import", title: req.t("import.title"), Page(
            bankID: bank.id, bankName: bank.name, title: req.t("import.title"), explain: req.t("import.explain"),
            action: "/timebanks/\(bank.id)/import", sampleHref: "/timebanks/\(bank.id)/import/sample.csv",
            columns: Self.columns.map { Column(name: $0.header, meaning: req.t("import.column.\($0.header)")) },
            problems: problems, done: done, text: text), status: status)
    }

    // MARK: Reading the file

    /// The columns a file may have, by their English header, with the headers people write in Kyrgyz and Russian.
    static let columns: [(header: String, aliases: [String], keyPath: WritableKeyPath<ImportRow, String>)] = [
        ("number", ["номер", "№", "member_number", "мүчөнүн номери"], \.number),
        ("full_name", ["фио", "аты-жөнү", "name", "имя"], \.fullName),
        ("village", ["село", "айыл"], \.village),
        ("district", ["район", "аймак"], \.district),
        ("birth_year", ["год рождения", "туулган жылы"], \.birthYear),
        ("phone", ["телефон"], \.phone),
        ("balance_minutes", ["минуты", "мүнөт"], \.balanceMinutes),
        ("balance_hours", ["balance", "баланс", "часы", "саат"], \.balanceHours),
    ]

    /// Rows by header name; line 1 is the header.
    static func rows(_ text: String) throws -> [ImportRow] {
        try CSV.rows(text, columns: columns, required: ["full_name", "village", "birth_year"]) { ImportRow(line: $0) }
    }
}
