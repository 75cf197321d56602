import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Partnerships
import Producers
import Referrals
import TimeBank
import Training
import Vapor

/// The start page: what the user's roles let her see, and a member's own record.
struct HomeController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: home)
        routes.get("me", use: me)
    }

    struct HomePage: Encodable {
        let greeting: String
        let counts: [Count]
        let byDistrict: [DistrictRow]
        /// The organisations the user's roles are scoped to.
        let mine: [Mine]
        /// What is waiting for a coordinator: obligations past due, agreements ending or due for review.
        let attention: [Attention]
    }

    struct Attention: Encodable {
        let text: String
        let href: String
    }

    struct Mine: Encodable {
        let id: UUID
        let name: String
        let role: String
    }

    struct Count: Encodable {
        let label: String
        let value: Int
    }

    struct DistrictRow: Encodable {
        let district: String
        let organisations: Int
        let people: String
    }

    @Sendable func home(req: Request) async throws -> Response {
        guard let user = req.currentUser else { return req.redirect(to: "/login") }
        if user.permits(.ownRecord) && !user.permits(.readAggregates) { return req.redirect(to: "/me") }
        try req.require(.readAggregates)
        let summary = try await NetworkSummary.read(on: req.db)
        let locale = req.appLocale.rawValue
        let orgs = try await req.network.organisations.lookup(user.grants.compactMap(\.organisationID))
        let page = HomePage(
            greeting: req.t("home.greeting", ["name": user.displayName]),
            counts: [
                Count(label: req.catalogue.plural("home.count.people", count: summary.people), value: summary.people),
                Count(label: req.catalogue.plural("home.count.organisations", count: summary.organisationsInNetwork), value: summary.organisationsInNetwork),
                Count(label: req.catalogue.plural("home.count.villages", count: summary.villages), value: summary.villages),
            ],
            byDistrict: summary.districts.map {
                // Aggregates only: small cells are not shown exactly.
                DistrictRow(district: $0.name.named(locale), organisations: $0.organisations,
                            people: $0.people > 0 && $0.people < 5 ? "<5" : String($0.people))
            },
            mine: user.grants.compactMap { grant in
                grant.organisationID.flatMap { orgs[$0] }.map { Mine(id: $0.id, name: $0.name, role: req.t("role.\(grant.role.rawValue)")) }
            },
            attention: try await attention(req, grants: user.grants.map(\.grant)))
        return try await req.render("home", title: req.t("home.title"), page)
    }

    /// For a coordinator, the partners' obligations and agreements and the conformity documents expired or
    /// expiring within 30, 60 or 90 days, and the consultations whose follow-up is due; for a case worker, the referrals
    /// waiting for her centre's answer and the follow-ups due (counts only: the cases are one click on).
    func attention(_ req: Request, grants: [Grant]) async throws -> [Attention] {
        var items: [(key: String, count: Int, href: String)] = []
        if PartnershipAccess.canManage(grants) {
            let agreements = try await AgreementService(db: req.db).attention()
            items += [("home.attention.overdue", agreements.overdue.count, "/agreements"), ("home.attention.ending", agreements.ending.count, "/agreements"),
                      ("home.attention.review", agreements.reviewDue.count, "/agreements")]
        }
        // The time banks and producer groups she runs: exchanges members recorded that wait for staff, rounds closing within three
        // days, equipment to hand over or due back today.
        let runs = try await req.network.organisations.lookup(grants.filter { $0.role == .coordinator }.compactMap(\.organisationID))
        for organisation in runs.values.sorted(by: { $0.name < $1.name }) {
            switch organisation.kind {
            case .timeBank:
                items.append(("home.attention.claims-waiting", try await ClaimService(db: req.db).pending(organisation.id).count,
                              "/timebanks/\(organisation.id)/claims"))
            case .producerGroup:
                let soon = Date().addingTimeInterval(3 * 24 * 3600)
                let closing = try await PurchaseRoundService(db: req.db).rounds(of: organisation.id).filter { $0.status == .open && $0.deadline <= soon }
                items.append(("home.attention.rounds-closing", closing.count, "/producer-groups/\(organisation.id)"))
                let bookings = try await EquipmentService(db: req.db).dueToday(organisation.id)
                items += [("home.attention.hand-over", bookings.handOver.count, "/producer-groups/\(organisation.id)/equipment"),
                          ("home.attention.due-back", bookings.dueBack.count, "/producer-groups/\(organisation.id)/equipment")]
            default:
                break
            }
        }
        if CertificationAccess.canManage(grants) {
            let expiring = try await DocumentService(db: req.db).expiring()
            items += [0, 30, 60, 90].map { window in
                ("home.attention.documents-\(window)", expiring.filter { $0.window == window }.count, "/documents#expiring")
            }
        }
        if TrainingAccess.canManage(grants) {
            items.append(("home.attention.consultation-follow-ups", try await TrainingService(db: req.db).followUpsDue().count, "/consultations"))
        }
        if CaseAccess.isCaseworker(grants) {
            let referrals = ReferralService(db: req.db)
            items += [("home.attention.referrals-waiting", try await referrals.incoming(grants: grants).filter { $0.status == .sent }.count, "/cases"),
                      ("home.attention.follow-ups", try await referrals.followUpsDue(grants: grants).count, "/cases")]
        }
        return items.filter { $0.count > 0 }.map { Attention(text: req.catalogue.plural($0.key, count: $0.count), href: $0.href) }
    }

    struct MePage: Encodable {
        let fullName: String
        let village: String
        let birthYear: Int
        let phone: String?
        let memberships: [Membership]
        let timeBanks: [MyBank]
        let notice: String?
    }

    /// One of her time banks: balance, the exchanges waiting for her word, and the forms to record an
    /// exchange and to post on the board.
    struct MyBank: Encodable {
        let id: UUID
        let bank: String
        let balance: String
        let statement: String
        let categories: [Choice]
        let directions: [Choice]
        let kinds: [Choice]
        let awaiting: [MemberExchangeController.ClaimView]
        let recent: [MemberExchangeController.ClaimView]
        let claim: MemberExchangeController.ClaimForm
        let listing: MemberExchangeController.ListingForm
        let errors: FieldErrors
    }

    struct Membership: Encodable {
        let organisation: String
        let number: String
    }

    @Sendable func me(req: Request) async throws -> Response {
        try await renderMe(req, returned: nil)
    }

    func renderMe(_ req: Request, returned: MemberExchangeController.Returned?, status: HTTPResponseStatus = .ok) async throws -> Response {
        let user = try req.require(.ownRecord)
        guard let personID = user.personID else { throw Abort(.notFound) }
        let person = try await req.network.people.get(personID)
        let numbers = try await req.network.people.memberNumbers(of: personID)
        let orgs = try await req.network.organisations.lookup(numbers.map(\.organisationID))
        let lang = req.appLocale.rawValue
        let village = try await req.network.geography.get(person.villageID)
        let banks = try await TimeBankService(db: req.db).memberships(of: personID)
        let bankNames = try await req.network.organisations.lookup(banks.map(\.bankID))
        let claims = try await ClaimService(db: req.db).claims(involving: banks.map(\.id))
        var myBanks: [MyBank] = []
        for membership in banks {
            let mine = returned?.bankID == membership.bankID ? returned : nil
            let claimForm = mine?.claim ?? .init(direction: ClaimDraft.Direction.gave.rawValue, service_date: ServiceDate.string(Date()))
            let listingForm = mine?.listing ?? .init(kind: ListingKind.offer.rawValue)
            let views = try await MemberExchangeController.views(claims.filter { $0.bankID == membership.bankID }, req: req,
                                                                 bankID: membership.bankID, me: membership.id)
            let categories = try await CategoryService(db: req.db).available(to: membership.bankID)
            myBanks.append(MyBank(
                id: membership.bankID, bank: bankNames[membership.bankID]?.name ?? "", balance: req.duration(membership.balanceMinutes),
                statement: "/timebanks/\(membership.bankID)/members/\(membership.id)",
                categories: categories.map { Choice(value: $0.id.uuidString, label: $0.name.named(lang), selected: $0.id.uuidString == claimForm.category_id) },
                directions: ClaimDraft.Direction.allCases.map {
                    Choice(value: $0.rawValue, label: req.t("claims.direction.\($0.rawValue)"), selected: $0.rawValue == claimForm.direction)
                },
                kinds: ListingKind.allCases.map {
                    Choice(value: $0.rawValue, label: req.t("board.kind.\($0.rawValue)"), selected: $0.rawValue == listingForm.kind)
                },
                awaiting: views.filter(\.awaitsMe), recent: views.filter { !$0.awaitsMe }.prefix(10).map { $0 },
                claim: claimForm, listing: listingForm, errors: mine?.errors ?? [:]))
        }
        let notice: String? = (try? req.query.get(String.self, at: "recorded")) != nil ? req.t("claims.recorded")
            : (try? req.query.get(String.self, at: "posted")) != nil ? req.t("board.posted") : nil
        let page = MePage(fullName: person.fullName, village: village.name.named(lang),
                          birthYear: person.birthYear, phone: person.phone,
                          memberships: numbers.map { Membership(organisation: orgs[$0.organisationID]?.name ?? "", number: $0.number) },
                          timeBanks: myBanks, notice: notice)
        return try await req.render("me", title: req.t("me.title"), page, status: status)
    }
}
