import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import TimeBank
import Vapor

/// The bank's board: what members offer and ask for, posted by staff for members who are not online,
/// and for a request, the offers that answer it, nearest first.
struct BoardController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let board = routes.grouped("timebanks", ":bank", "board")
        board.get(use: index)
        board.post(use: post)
        board.get(":listing", use: matches)
        board.post(":listing", "close", use: close)
    }

    struct Item: Encodable {
        let id: UUID
        let kind: String
        let isRequest: Bool
        let member: String
        let category: String?
        let village: String
        let description: String
        let date: String
    }

    struct PostForm: Content {
        var member: String?
        var kind: String?
        var category_id: String?
        var description: String?
    }

    struct Page: Encodable {
        let bankID: UUID
        let bankName: String
        let items: [Item]
        let kinds: [Choice]
        let categories: [Choice]
        /// The villages' `<option>`s (`villageOptions`).
        let villages: String
        let q: String
        let form: PostForm
        let errors: FieldErrors
        let pager: Pager
    }

    @Sendable func index(req: Request) async throws -> Response {
        try await render(req, form: PostForm(kind: ListingKind.offer.rawValue), errors: [:])
    }

    @Sendable func post(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let form = try req.content.decode(PostForm.self)
        do {
            guard let member = try await TimeBankService(db: req.db).member(bank.id, number: form.member ?? "") else {
                throw DomainError("timebank.member-number-unknown", field: "member", arguments: ["number": form.member ?? ""])
            }
            let kind = form.kind.flatMap(ListingKind.init(rawValue:)) ?? .offer
            _ = try await BoardService(db: req.db).post(bank.id, ListingDraft(memberID: member.id, kind: kind, categoryID: req.uuid(form.category_id),
                                                                             description: form.description ?? ""), by: req.actor)
            return req.redirect(to: "/timebanks/\(bank.id)/board")
        } catch {
            guard let errors = req.fieldErrors(error) else { throw error }
            return try await render(req, form: form, errors: errors, status: .unprocessableEntity)
        }
    }

    func render(_ req: Request, form: PostForm, errors: FieldErrors, status: HTTPResponseStatus = .ok) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let kind = (try? req.query.get(String.self, at: "kind")).flatMap(ListingKind.init(rawValue:))
        let category = req.uuid(try? req.query.get(String.self, at: "category"))
        let village = req.uuid(try? req.query.get(String.self, at: "village"))
        let q = (try? req.query.get(String.self, at: "q")) ?? ""
        let found = try await BoardService(db: req.db).search(bank.id, kind: kind, categoryID: category, villageID: village, text: q,
                                                             page: PageQuery(page: try? req.query.get(Int.self, at: "page"), per: 50))
        let lang = req.appLocale.rawValue
        let categories = try await CategoryService(db: req.db).available(to: bank.id)
        let page = Page(
            bankID: bank.id, bankName: bank.name, items: try await items(found.items, req: req, bankID: bank.id),
            kinds: ListingKind.allCases.map { Choice(value: $0.rawValue, label: req.t("board.kind.\($0.rawValue)"), selected: $0 == kind) },
            categories: categories.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id == category) },
            villages: try await req.villageOptions(selected: village?.uuidString), q: q, form: form, errors: errors, pager: found.pager)
        return try await req.render("timebanks/board", title: req.t("board.title"), page, status: status)
    }

    struct MatchPage: Encodable {
        let bankID: UUID
        let request: Item
        let offers: [Item]
    }

    @Sendable func matches(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        let listingID = try req.pathID("listing")
        let board = BoardService(db: req.db)
        let offers = try await board.matches(for: listingID, in: bank.id)
        let request = try await board.listing(listingID, in: bank.id)
        let all = try await items([request] + offers, req: req, bankID: bank.id)
        return try await req.render("timebanks/matches", title: req.t("board.matches"),
                                    MatchPage(bankID: bank.id, request: all[0], offers: Array(all.dropFirst())))
    }

    @Sendable func close(req: Request) async throws -> Response {
        let bank = try await TimeBankController().managedBank(req)
        try await BoardService(db: req.db).close(try req.pathID("listing"), in: bank.id, by: req.actor)
        return req.redirect(to: "/timebanks/\(bank.id)/board")
    }

    func items(_ listings: [ListingRecord], req: Request, bankID: UUID) async throws -> [Item] {
        let lang = req.appLocale.rawValue
        let byID = try await TimeBankService(db: req.db).lookup(listings.map(\.memberID))
        let people = try await PeopleService(db: req.db).lookup(listings.compactMap { byID[$0.memberID]?.personID })
        let places = try await req.network.geography.lookup(listings.map(\.villageID))
        let categories = Dictionary(uniqueKeysWithValues: try await CategoryService(db: req.db).available(to: bankID).map { ($0.id, $0.name.named(lang)) })
        return listings.map { l in
            let member = byID[l.memberID]
            return Item(id: l.id, kind: req.t("board.kind.\(l.kind.rawValue)"), isRequest: l.kind == .request,
                        member: "\(member?.memberNumber ?? "") \(member.flatMap { people[$0.personID]?.fullName } ?? "")",
                        category: l.categoryID.flatMap { categories[$0] }, village: places[l.villageID]?.name.named(lang) ?? "",
                        description: l.description, date: l.createdAt.map { BishkekTime.format($0).prefix(10).description } ?? "")
        }
    }
}
