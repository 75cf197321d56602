import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import SQLKit
import TimeBank
import Vapor

/// A week's paper slips typed in one go: each row checked (member numbers shown as names), then the good
/// rows booked; a row with an error stays on the page with its reason, and nothing of it is booked.
struct BatchEntryController: RouteCollection {
    static let rowCount = 12

    func boot(routes: any RoutesBuilder) throws {
        routes.get("timebanks", ":bank", "batch", use: form)
        routes.post("timebanks", ":bank", "batch", use: submit)
        routes.post("timebanks", ":bank", "batch", "row", use: checkRow)
    }

    struct Row: Content {
        var provider: String?
        var recipient: String?
        var hours: String?
        var minutes: String?
        var service_date: String?
        var slip_number: String?

        var isBlank: Bool {
            [provider, recipient, hours, minutes, slip_number].allSatisfy { ($0 ?? "").trimmingCharacters(in: .whitespaces).isEmpty }
        }
    }

    struct BatchForm: Content {
        var rows: [Row]?
        var category_id: String?
        var action: String?
    }

    struct RowView: Encodable {
        let index: Int
        let row: Row
        let providerName: String?
        let recipientName: String?
        let errors: [String]
    }

    struct Page: Encodable {
        let bankID: UUID
        let bankName: String
        let rows: [RowView]
        let categories: [Choice]
        let booked: String?
    }

    @Sendable func form(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let blank = Row(service_date: ServiceDate.string(Date()))
        return try await render(req, bank: bank, rows: Array(repeating: blank, count: Self.rowCount).enumerated().map {
            RowView(index: $0.offset, row: $0.element, providerName: nil, recipientName: nil, errors: [])
        }, categoryID: nil, booked: nil)
    }

    @Sendable func submit(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let form = try req.content.decode(BatchForm.self)
        let rows = (form.rows ?? []).prefix(100)
        // A batch from the offline queue carries an `Idempotency-Key`; each of its rows keeps its answer
        // under the key and its place, in the transaction that books it, so a copy sent again (the
        // connection dropped before the answer came) books nothing twice.
        let keys = Self.rowKeys(req, count: rows.count)
        let bookedBefore = try await IdempotencyReceipt.taken(Array(keys.values), on: req.db as! any SQLDatabase)
        var checked: [(row: Row, draft: ExchangeDraft?, view: RowView)] = []
        var slipsSeen = Set<String>()
        var bookedCount = 0
        for (index, row) in rows.enumerated() where !row.isBlank {
            if let key = keys[index], bookedBefore.contains(key) { bookedCount += 1; continue }
            let (draft, view) = try await check(row, index: index, bankID: bank.id, categoryID: form.category_id, slipsSeen: &slipsSeen, req: req)
            checked.append((row, draft, view))
        }
        guard form.action == "book" else {
            return try await render(req, bank: bank, rows: Self.pad(checked.map(\.view)), categoryID: form.category_id, booked: nil)
        }
        // The good rows in one transaction: a row the ledger refuses (a limit, a slip booked meanwhile)
        // stays on the page with its reason and leaves no trace; the others are booked.
        let good = checked.filter { $0.draft != nil && $0.view.errors.isEmpty }
        let results = try await Ledger(db: req.db).book(good.map { item in
            let key = keys[item.view.index]
            // A refused row stays on the page to be put right and sent again: only a booked one's answer is kept.
            return BookingRequest(item.draft!, by: req.actor, idempotency: key, answer: key.map { key in { @Sendable outcome in
                guard case .success(let transfer) = outcome else { return nil }
                return IdempotencyReceipt(key: key, status: 201, contentType: "application/json", body: "{\"transfer\":\"\(transfer.id)\"}")
            } })
        })
        var remaining = checked.filter { $0.draft == nil || !$0.view.errors.isEmpty }.map(\.view)
        for (item, result) in zip(good, results) {
            switch result {
            case .success: bookedCount += 1
            case .failure(let error) where error is IdempotencyKeyAnswered: bookedCount += 1
            case .failure(let error):
                guard let messages = req.fieldErrors(error) else { throw error }
                remaining.append(RowView(index: item.view.index, row: item.row, providerName: item.view.providerName,
                                         recipientName: item.view.recipientName, errors: messages.values.sorted()))
            }
        }
        remaining.sort { $0.index < $1.index }
        let booked = req.catalogue.plural("timebanks.batch.booked", count: bookedCount)
        if req.isQueued {
            return try await QueuedAnswer(booked: bookedCount, message: booked,
                                          refused: remaining.map { .init(index: $0.index, row: $0.row, errors: $0.errors) }).response(for: req)
        }
        return try await render(req, bank: bank, rows: Self.pad(remaining), categoryID: form.category_id, booked: booked,
                                status: remaining.isEmpty ? .ok : .unprocessableEntity)
    }

    /// Each row's key, from the batch's `Idempotency-Key` and the row's place in it; none without one.
    static func rowKeys(_ req: Request, count: Int) -> [Int: IdempotencyKey] {
        guard let batch = req.queuedKey else { return [:] }
        return Dictionary(uniqueKeysWithValues: (0..<count).map { ($0, IdempotencyKey(userID: batch.userID, key: "\(batch.key)#\($0)", requestHash: "")) })
    }

    /// One row as the office typed it: the members' names for their numbers, and what is wrong with it.
    func check(_ row: Row, index: Int, bankID: UUID, categoryID: String?, slipsSeen: inout Set<String>,
               req: Request) async throws -> (ExchangeDraft?, RowView) {
        let service = TimeBankService(db: req.db)
        var errors: [String] = []
        let provider = try await service.member(bankID, number: row.provider ?? "")
        let recipient = try await service.member(bankID, number: row.recipient ?? "")
        if provider == nil { errors.append(req.t("error.timebank.member-number-unknown", ["number": row.provider ?? ""])) }
        if recipient == nil { errors.append(req.t("error.timebank.member-number-unknown", ["number": row.recipient ?? ""])) }
        let minutes = DurationInput.minutes(hours: row.hours, minutes: row.minutes)
        if minutes == nil { errors.append(req.t("error.timebank.duration-invalid")) }
        if let slip = row.slip_number?.trimmingCharacters(in: .whitespaces), !slip.isEmpty {
            let bookedBefore = try await TimeTransfer.query(on: req.db).filter(\.$bankID == bankID).filter(\.$slipNumber == slip).first() != nil
            if !slipsSeen.insert(slip).inserted || bookedBefore { errors.append(req.t("error.timebank.slip-already-booked", ["slip": slip])) }
        }
        do { _ = try ServiceDate.validate(row.service_date ?? "") } catch let error as DomainError { errors.append(req.t(error.key, error.arguments)) }
        let people = try await PeopleService(db: req.db).lookup([provider?.personID, recipient?.personID].compactMap { $0 })
        var draft: ExchangeDraft?
        if errors.isEmpty, let provider, let recipient, let minutes {
            draft = ExchangeDraft(bankID: bankID, provider: provider.id, recipient: recipient.id, minutes: minutes,
                                  categoryID: req.uuid(categoryID), serviceDate: row.service_date ?? "", slipNumber: row.slip_number)
        }
        return (draft, RowView(index: index, row: row, providerName: provider.flatMap { people[$0.personID]?.fullName },
                               recipientName: recipient.flatMap { people[$0.personID]?.fullName }, errors: errors))
    }

    struct RowCheck: Content {
        let providerName: String?
        let recipientName: String?
        let errors: [String]
    }

    /// One row checked as it is typed (the page's script asks on each change): the same rules as the
    /// Check button, as JSON. A POST, so member numbers stay out of URLs and logs.
    @Sendable func checkRow(req: Request) async throws -> RowCheck {
        let bank = try await TimeBankController().managedBank(req)
        let row = try req.content.decode(Row.self)
        var seen = Set<String>()
        let (_, view) = try await check(row, index: 0, bankID: bank.id, categoryID: nil, slipsSeen: &seen, req: req)
        return RowCheck(providerName: view.providerName, recipientName: view.recipientName,
                        errors: row.isBlank ? [] : view.errors)
    }

    /// The rows to show again, topped up with blank ones to the usual number.
    static func pad(_ rows: [RowView]) -> [RowView] {
        let blanks = max(0, rowCount - rows.count)
        let date = rows.last?.row.service_date ?? ServiceDate.string(Date())
        return rows.enumerated().map { RowView(index: $0.offset, row: $0.element.row, providerName: $0.element.providerName,
                                               recipientName: $0.element.recipientName, errors: $0.element.errors) }
            + (0..<blanks).map { RowView(index: rows.count + $0, row: Row(service_date: date), providerName: nil, recipientName: nil, errors: []) }
    }

    func render(_ req: Request, bank: BankRecord, rows: [RowView], categoryID: String?, booked: String?,
                status: HTTPResponseStatus = .ok) async throws -> Response {
        let lang = req.appLocale.rawValue
        let categories = try await CategoryService(db: req.db).available(to: bank.id).map {
            Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id.uuidString == categoryID)
        }
        return try await req.render("timebanks/batch", title: req.t("timebanks.batch"),
                                    Page(bankID: bank.id, bankName: bank.name, rows: rows, categories: categories, booked: booked), status: status)
    }
}
