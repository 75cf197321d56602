import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// The time bank office: members and balances, recording exchanges from paper slips, statements.
struct TimeBankController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let banks = routes.grouped("timebanks")
        banks.get(use: index)
        banks.get(":bank", use: show)
        banks.post(":bank", "exchanges", use: record)
        banks.post(":bank", "members", use: join)
        banks.get(":bank", "members", ":member", use: statement)
        banks.get(":bank", "members", ":member", "statement.csv", use: statementCSV)
        banks.get(":bank", "register", use: register)
        banks.get(":bank", "slips", use: slips)
        banks.get(":bank", "members", ":member", "card", use: card)
        banks.post(":bank", "categories", use: addCategory)
        banks.get(":bank", "transfers", ":transfer", "reversal", use: confirmReversal)
        banks.post(":bank", "transfers", ":transfer", "reversal", use: reverse)
    }

    struct BankRow: Encodable {
        let id: UUID
        let name: String
        let members: Int
        let lowerLimit: String
        let canManage: Bool
    }

    @Sendable func index(req: Request) async throws -> Response {
        let user = try req.require(.readRegistry)
        let banks = try await TimeBankService(db: req.db).banks(page: PageQuery(per: PageQuery.maxPer))
        let rows = banks.items.map {
            BankRow(id: $0.id, name: $0.name, members: $0.memberCount, lowerLimit: req.duration($0.lowerLimitMinutes),
                    canManage: TimeBankAccess.canManage(user.grants.map(\.grant), bank: $0.id))
        }
        let names = Dictionary(uniqueKeysWithValues: banks.items.map { ($0.id, $0.name) })
        let positions = try await Ledger(db: req.db).positions().map {
            Position(bank: names[$0.bankID] ?? "", other: names[$0.counterpartID] ?? "", balance: req.duration($0.minutes))
        }
        return try await req.render("timebanks/index", title: req.t("timebanks.title"), IndexPage(banks: rows, positions: positions))
    }

    struct IndexPage: Encodable {
        let banks: [BankRow]
        let positions: [Position]
    }

    /// One bank's position with another: what its members received from theirs, less what they gave.
    struct Position: Encodable {
        let bank: String
        let other: String
        let balance: String
    }

    struct MemberRow: Encodable {
        let id: UUID
        let number: String
        let name: String
        let balance: String
        let negative: Bool
    }

    struct ExchangeForm: Content {
        var provider: String?
        var recipient: String?
        var hours: String?
        var minutes: String?
        var category_id: String?
        var service_date: String?
        var slip_number: String?
        var note: String?
        var override_reason: String?
    }

    struct ShowPage: Encodable {
        let bank: BankRow
        let members: [MemberRow]
        let categories: [Choice]
        let form: ExchangeForm
        let errors: FieldErrors
        let booked: String?
        let pager: Pager
        let canOverride: Bool
        /// This server keeps the bank's register as an office, syncing with the centre.
        let isOffice: Bool
    }

    @Sendable func show(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let form = ExchangeForm(service_date: ServiceDate.string(Date()))
        return try await renderShow(req, bank: bank, form: form, errors: [:], booked: nil)
    }

    func renderShow(_ req: Request, bank: BankRecord, form: ExchangeForm, errors: FieldErrors, booked: String?,
                    status: HTTPResponseStatus = .ok) async throws -> Response {
        let page = PageQuery(page: try? req.query.get(Int.self, at: "page"), per: 100)
        let members = try await TimeBankService(db: req.db).members(bank.id, page: page)
        let people = try await PeopleService(db: req.db).lookup(members.items.map(\.personID))
        let lang = req.appLocale.rawValue
        let categories = try await CategoryService(db: req.db).available(to: bank.id)
        let content = ShowPage(
            bank: BankRow(id: bank.id, name: bank.name, members: bank.memberCount, lowerLimit: req.duration(bank.lowerLimitMinutes), canManage: true),
            members: members.items.map {
                MemberRow(id: $0.id, number: $0.memberNumber, name: people[$0.personID]?.fullName ?? "",
                          balance: req.duration($0.balanceMinutes), negative: $0.balanceMinutes < 0)
            },
            categories: categories.map {
                Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id.uuidString == form.category_id)
            },
            form: form, errors: errors, booked: booked, pager: members.pager,
            canOverride: TimeBankAccess.canOverrideLimits(req.currentUser?.grants.map(\.grant) ?? []),
            isOffice: try await TimeBankSync(db: req.db).homeBanks().contains(bank.id))
        return try await req.render("timebanks/show", title: req.t("timebanks.one"), content, status: status)
    }

    /// Books one paper slip: member numbers, hours and minutes, the day of the service.
    @Sendable func record(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let form = try req.content.decode(ExchangeForm.self)
        do {
            let service = TimeBankService(db: req.db)
            var errors: [DomainError] = []
            let provider = try await service.member(bank.id, number: form.provider ?? "")
            if provider == nil { errors.append(DomainError("timebank.member-number-unknown", field: "provider", arguments: ["number": form.provider ?? ""])) }
            let recipient = try await service.member(bank.id, number: form.recipient ?? "")
            if recipient == nil { errors.append(DomainError("timebank.member-number-unknown", field: "recipient", arguments: ["number": form.recipient ?? ""])) }
            let minutes = DurationInput.minutes(hours: form.hours, minutes: form.minutes)
            if minutes == nil { errors.append(DomainError("timebank.duration-invalid", field: "minutes")) }
            try ValidationErrors.throwIfAny(errors)
            var draft = ExchangeDraft(bankID: bank.id, provider: provider!.id, recipient: recipient!.id, minutes: minutes!,
                                      categoryID: req.uuid(form.category_id), serviceDate: form.service_date ?? "", note: form.note,
                                      slipNumber: form.slip_number)
            // Past a limit only with a network admin's written reason, which the audit log keeps.
            if let reason = form.override_reason.nonBlank, TimeBankAccess.canOverrideLimits(req.currentUser?.grants.map(\.grant) ?? []) {
                draft.overrideReason = reason
            }
            let transfer = try await Ledger(db: req.db).record(draft, by: req.actor)
            // A fresh form for the next slip, keeping the day and the kind of service.
            let next = ExchangeForm(category_id: form.category_id, service_date: form.service_date)
            return try await renderShow(req, bank: try await service.bank(bank.id), form: next, errors: [:],
                                        booked: req.t("timebanks.booked", ["minutes": req.duration(transfer.minutes),
                                                                           "from": provider!.memberNumber, "to": recipient!.memberNumber]))
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderShow(req, bank: bank, form: form, errors: errors, booked: nil, status: .unprocessableEntity)
        }
    }

    /// Makes a woman of the registry a member (the button on her page).
    @Sendable func join(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        guard let person = req.uuid(try? req.content.get(String.self, at: "person_id")) else { throw Abort(.badRequest) }
        _ = try await TimeBankService(db: req.db).join(bank.id, personID: person, by: req.actor)
        return req.redirect(to: "/people/\(person)")
    }

    /// A statement line as printed.
    struct Line {
        let transferID: UUID
        let serviceDate: String
        /// "+1 hour" earned, "−2 hours" paid.
        let amount: String
        let balance: String
        let category: String?
        /// The note, and whether this is a reversal or the bank's own credit.
        let details: String?
        /// Offers the reversal: for those who run the bank, on a line neither a reversal nor reversed already.
        let reversible: Bool
    }

    /// A sheet's lines as table rows, written here rather than by the template: a screen holds 200 lines,
    /// and Leaf, which looks up and escapes each field of each line on its own, took a third of the page's
    /// time for them (docs/PERFORMANCE.md). Every text is escaped (`HTMLText`).
    static func rows(_ lines: some Sequence<Line>, bankID: UUID, memberID: UUID, canManage: Bool, reverse: String) -> String {
        var html = ""
        for l in lines {
            html += "<tr><td>\(HTMLText.escape(l.serviceDate))</td><td class=\"what\">\(HTMLText.escape(l.category ?? ""))"
            if let details = l.details { html += " <small>\(HTMLText.escape(details))</small>" }
            html += "</td><td class=\"num\">\(HTMLText.escape(l.amount))</td><td class=\"num\">\(HTMLText.escape(l.balance))</td>"
            if l.reversible {
                html += "<td class=\"no-print\"><a class=\"danger\" href=\"/timebanks/\(bankID)/transfers/\(l.transferID)/reversal?member=\(memberID)\">\(HTMLText.escape(reverse))</a></td>"
            } else if canManage {
                html += "<td class=\"no-print\"></td>"
            }
            html += "</tr>\n"
        }
        return html
    }

    struct StatementPage: Encodable {
        let bankID: UUID
        let memberID: UUID
        let bankName: String
        let number: String
        let name: String
        let from: String
        let to: String
        let opening: String
        let closing: String
        let lineCount: Int
        /// Forty lines to a printed A4 page, each page headed with what it carries over.
        let pages: [StatementSheet]
        let canManage: Bool
        let pager: Pager
    }

    struct StatementSheet: Encodable {
        /// "Page 2 of 3".
        let caption: String
        let broughtForward: String
        /// Its lines, as table rows (`rows`).
        let rows: String
    }

    static let linesPerPrintedPage = 40

    /// A member's statement: what she gave and received, with the running balance. Printable.
    @Sendable func statement(req: Request) async throws -> Response {
        // A screen holds five printed sheets; a long history pages, so the page costs the same however long it is.
        let screen = PageQuery(page: try? req.query.get(Int.self, at: "page"), per: Self.linesPerPrintedPage * 5)
        let (bankID, member, canManage, from, to, statement) = try await loadStatement(req, page: screen)
        let person = try await PeopleService(db: req.db).get(member.personID)
        let bank = try await TimeBankService(db: req.db).bank(bankID)
        let lang = req.appLocale.rawValue
        let categories = Dictionary(try await CategoryService(db: req.db).available(to: bankID).map { ($0.id, $0.name.named(lang)) },
                                    uniquingKeysWith: { a, _ in a })
        let reversed = try await Ledger(db: req.db).reversed(among: statement.lines.map(\.transferID))
        let reversal = req.t("timebanks.reversal"), fromBank = req.t("timebanks.from-bank"), reverse = req.t("timebanks.reverse")
        let page = StatementPage(
            bankID: bankID, memberID: member.id, bankName: bank.name, number: member.memberNumber, name: person.fullName, from: from ?? "", to: to ?? "",
            opening: req.duration(statement.openingBalance), closing: req.duration(statement.closingBalance),
            lineCount: statement.lines.count,
            pages: stride(from: 0, to: statement.lines.count, by: Self.linesPerPrintedPage).enumerated().map { index, start in
                let chunk = statement.lines[start..<min(start + Self.linesPerPrintedPage, statement.lines.count)]
                let sheetCount = (statement.total + Self.linesPerPrintedPage - 1) / Self.linesPerPrintedPage
                let sheet = screen.offset / Self.linesPerPrintedPage + index + 1
                return StatementSheet(
                    caption: req.t("timebanks.page", ["number": String(sheet), "of": String(sheetCount)]),
                    broughtForward: req.duration(chunk.first.map { $0.balanceAfter - $0.minutes } ?? statement.openingBalance),
                    rows: Self.rows(chunk.lazy.map { l in
                        Line(transferID: l.transferID, serviceDate: l.serviceDate, amount: (l.minutes > 0 ? "+" : "") + req.duration(l.minutes),
                             balance: req.duration(l.balanceAfter), category: l.categoryID.flatMap { categories[$0] },
                             details: [l.note, l.reversesID == nil ? nil : reversal, l.withBank ? fromBank : nil].compactMap { $0 }
                                .joined(separator: " · ").nonEmpty,
                             reversible: canManage && l.reversesID == nil && !reversed.contains(l.transferID))
                    }, bankID: bankID, memberID: member.id, canManage: canManage, reverse: reverse))
            },
            canManage: canManage, pager: Paged(items: statement.lines, total: statement.total, request: screen).pager)
        return try await req.render("timebanks/statement", title: req.t("timebanks.statement"), page)
    }

    /// The same statement as CSV, for a spreadsheet: one row per entry, minutes as whole numbers.
    @Sendable func statementCSV(req: Request) async throws -> Response {
        let (_, member, _, _, _, statement) = try await loadStatement(req)
        var rows = [[req.t("timebanks.service-date"), req.t("timebanks.recorded-at"), req.t("timebanks.csv.minutes"),
                     req.t("timebanks.csv.balance"), req.t("timebanks.note"), "transfer_id"]]
        rows += statement.lines.map { l in
            [l.serviceDate, BishkekTime.format(l.recordedAt), String(l.minutes), String(l.balanceAfter), l.note ?? "", l.transferID.uuidString]
        }
        // The file is named by the member number, never by her name.
        return CSV.response(rows, filename: "statement-\(member.memberNumber).csv")
    }

    struct RegisterRow: Encodable {
        let number: String
        let name: String
        let village: String
        let balance: String
    }

    struct RegisterPage: Encodable {
        let bankID: UUID
        let bank: String
        let date: String
        /// The day whose closing balances are shown; empty for now.
        let day: String
        let rows: [RegisterRow]
    }

    /// The printed register: every member and her balance, as the office keeps it on paper — now, or at
    /// the end of any day (`?date=YYYY-MM-DD`).
    @Sendable func register(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let members = try await TimeBankService(db: req.db).allMembers(bank.id)
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        let villages = try await req.network.geography.lookup(people.values.map(\.villageID))
        let lang = req.appLocale.rawValue
        let day = (try? req.query.get(String.self, at: "date")).nonBlank
        var balanceOf: (MemberRecord) -> Int = { $0.balanceMinutes }
        if let day {
            let then = try await Ledger(db: req.db).balances(bank.id, atEndOf: day)
            balanceOf = { then[$0.id] ?? 0 }
        }
        let rows = members.map { m in
            RegisterRow(number: m.memberNumber, name: people[m.personID]?.fullName ?? "",
                        village: people[m.personID].flatMap { villages[$0.villageID]?.name.named(lang) } ?? "",
                        balance: req.duration(balanceOf(m)))
        }
        return try await req.render("timebanks/register", title: req.t("timebanks.register"),
                                    RegisterPage(bankID: bank.id, bank: bank.name, date: day ?? BishkekTime.format(Date()), day: day ?? "", rows: rows))
    }

    struct CardPage: Encodable {
        let bank: String
        let number: String
        let name: String
        let village: String
        let joinedOn: String
        let bankPhone: String?
    }

    /// A member card to print and cut out: the bank, her number and name, the day she joined.
    @Sendable func card(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let member = try await TimeBankService(db: req.db).member(bank.id, try req.pathID("member"))
        let person = try await PeopleService(db: req.db).get(member.personID)
        let village = try await req.network.geography.get(person.villageID)
        let org = try await req.network.organisations.get(bank.id)
        return try await req.render("timebanks/card", title: req.t("timebanks.card"), CardPage(
            bank: bank.name, number: member.memberNumber, name: person.fullName, village: village.name.named(req.appLocale.rawValue),
            joinedOn: member.joinedOn, bankPhone: org.phone))
    }

    struct SlipsPage: Encodable {
        let bank: String
        let slips: [Int]
        let members: [RegisterRow]
    }

    /// Blank slips to print for the office and the members, with the list of member numbers to fill them in.
    @Sendable func slips(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let members = try await TimeBankService(db: req.db).allMembers(bank.id)
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        return try await req.render("timebanks/slips", title: req.t("timebanks.slips"), SlipsPage(
            bank: bank.name, slips: Array(1...8),
            members: members.map { RegisterRow(number: $0.memberNumber, name: people[$0.personID]?.fullName ?? "", village: "", balance: "") }))
    }

    struct CategoryForm: Content {
        var name_ky: String?
        var name_ru: String?
        var name_en: String?
    }

    /// A kind of service of the bank's own, beside the network's.
    @Sendable func addCategory(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let form = try req.content.decode(CategoryForm.self)
        do {
            _ = try await CategoryService(db: req.db).add(bankID: bank.id, name: LocalizedName(ky: form.name_ky ?? "", ru: form.name_ru ?? "",
                                                                                              en: form.name_en ?? ""), by: req.actor)
            return req.redirect(to: "/timebanks/\(bank.id)")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await renderShow(req, bank: bank, form: ExchangeForm(service_date: ServiceDate.string(Date())),
                                        errors: errors.mapKeys { "category_" + $0 }, booked: nil, status: .unprocessableEntity)
        }
    }

    struct ReversalPage: Encodable {
        let bankID: UUID
        let bankName: String
        let transferID: UUID
        let memberID: UUID?
        /// Where "keep it" and the crumb lead: the statement it was opened from, or the bank.
        let back: String
        let serviceDate: String
        let amount: String
        let category: String?
        let note: String?
        let slip: String?
        let gave: [String]
        let received: [String]
        /// Why it cannot be reversed (already reversed, itself a reversal); nil when it can.
        let refusal: String?
    }

    /// What a reversal would undo, and the button that books it: a correction is for good, so it is
    /// asked once more, with room for the reason.
    @Sendable func confirmReversal(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let ledger = Ledger(db: req.db)
        let transfer = try await ledger.transfer(bank.id, try req.pathID("transfer"))
        let member = req.uuid(try? req.query.get(String.self, at: "member"))
        let members = try await TimeBankService(db: req.db).lookup((transfer.providers + transfer.recipients).map(\.memberID))
        let people = try await PeopleService(db: req.db).lookup(members.values.map(\.personID))
        func named(_ leg: MemberLeg) -> String {
            let who = members[leg.memberID].map { "\($0.memberNumber) \(people[$0.personID]?.fullName ?? "")" } ?? ""
            return "\(who) · \(req.duration(leg.minutes))"
        }
        var category: String?
        if let id = transfer.categoryID {
            category = try await CategoryService(db: req.db).lookup([id])[id]?.name.named(req.appLocale.rawValue)
        }
        var refusal: String?
        if transfer.reversesID != nil {
            refusal = req.t("error.timebank.transfer.is-reversal")
        } else if try await !ledger.reversed(among: [transfer.id]).isEmpty {
            refusal = req.t("error.timebank.transfer.already-reversed")
        }
        let page = ReversalPage(
            bankID: bank.id, bankName: bank.name, transferID: transfer.id, memberID: member,
            back: member.map { "/timebanks/\(bank.id)/members/\($0)" } ?? "/timebanks/\(bank.id)",
            serviceDate: transfer.serviceDate, amount: req.duration(transfer.minutes), category: category, note: transfer.note,
            slip: transfer.slipNumber, gave: transfer.providers.map(named), received: transfer.recipients.map(named), refusal: refusal)
        return try await req.render("timebanks/reversal", title: req.t("timebanks.reversal-confirm"), page)
    }

    @Sendable func reverse(req: Request) async throws -> Response {
        let bank = try await managedBank(req)
        let transfer = try req.pathID("transfer")
        let member = req.uuid(try? req.content.get(String.self, at: "member_id"))
        _ = try await Ledger(db: req.db).reverse(bank.id, transferID: transfer, note: try? req.content.get(String.self, at: "note"), by: req.actor)
        return req.redirect(to: member.map { "/timebanks/\(bank.id)/members/\($0)" } ?? "/timebanks/\(bank.id)")
    }

    /// The statement in the URL (bank, member, ?from=&to=), for those who run the bank and the member herself.
    func loadStatement(_ req: Request, page: PageQuery? = nil) async throws
        -> (bank: UUID, member: MemberRecord, canManage: Bool, from: String?, to: String?, statement: Statement) {
        let user = try req.require(.readRegistry, or: .ownRecord)
        let bankID = try req.pathID("bank")
        let member = try await TimeBankService(db: req.db).member(bankID, try req.pathID("member"))
        let canManage = TimeBankAccess.canManage(user.grants.map(\.grant), bank: bankID)
        guard canManage || member.personID == user.personID else { throw Abort(.forbidden) }
        let from = (try? req.query.get(String.self, at: "from")).flatMap { $0.isEmpty ? nil : $0 }
        let to = (try? req.query.get(String.self, at: "to")).flatMap { $0.isEmpty ? nil : $0 }
        let statement = try await Ledger(db: req.db).statement(bankID, member: member.id, from: from, to: to, page: page)
        return (bankID, member, canManage, from, to, statement)
    }

    /// The bank in the URL, when the user runs it; 403 otherwise, 404 when there is no such bank.
    func managedBank(_ req: Request) async throws -> BankRecord {
        let user = try req.require(.readRegistry)
        let bankID = try req.pathID("bank")
        guard TimeBankAccess.canManage(user.grants.map(\.grant), bank: bankID) else { throw Abort(.forbidden) }
        return try await TimeBankService(db: req.db).bank(bankID)
    }
}
