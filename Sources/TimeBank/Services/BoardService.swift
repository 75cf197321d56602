import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct ListingRecord: Sendable, Equatable {
    public let id: UUID
    public let bankID: UUID
    public let memberID: UUID
    public let kind: ListingKind
    public let categoryID: UUID?
    public let villageID: UUID
    public let description: String
    public let createdAt: Date?
}

public struct ListingDraft: Sendable {
    public var memberID: UUID
    public var kind: ListingKind
    public var categoryID: UUID?
    /// Where the service is given or needed; the member's own village when nil.
    public var villageID: UUID?
    public var description: String

    public init(memberID: UUID, kind: ListingKind, categoryID: UUID?, villageID: UUID? = nil, description: String) {
        self.memberID = memberID
        self.kind = kind
        self.categoryID = categoryID
        self.villageID = villageID
        self.description = description
    }
}

/// The bank's board of offers and requests, and the offers that answer a request.
public struct BoardService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func post(_ bankID: UUID, _ draft: ListingDraft, by actor: Actor) async throws -> ListingRecord {
        let text = draft.description.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.count <= 1_000 else { throw DomainError("timebank.listing.description-invalid", field: "description") }
        return try await db.writeTransaction { tx in
            let member = try await TimeBankService(db: tx).member(bankID, draft.memberID)
            let village: UUID
            if let given = draft.villageID {
                village = given
            } else {
                village = try await PeopleService(db: tx).get(member.personID).villageID
            }
            if let category = draft.categoryID, try await ServiceCategory.find(category, on: tx) == nil {
                throw DomainError("timebank.category-invalid", field: "category_id")
            }
            let listing = Listing()
            listing.bankID = bankID
            listing.memberID = member.id
            listing.kind = draft.kind
            listing.categoryID = draft.categoryID
            listing.villageID = village
            listing.description = text
            listing.searchKey = SearchKey.fold(text)
            try await listing.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor.acting(for: member.personID), action: "create", entity: "timebank_listing",
                                      entityID: listing.id, changes: [FieldChange(field: "kind", from: nil, to: draft.kind.rawValue)])
            return Self.record(listing)
        }
    }

    /// Open listings, newest first, filtered by kind, category, village and words of the description.
    public func search(_ bankID: UUID, kind: ListingKind?, categoryID: UUID?, villageID: UUID?, text: String?,
                       page: PageQuery) async throws -> Paged<ListingRecord> {
        let query = Listing.query(on: db).filter(\.$bankID == bankID).filter(\.$closedAt == nil)
        if let kind { query.filter(\.$kind == kind) }
        if let categoryID { query.filter(\.$categoryID == categoryID) }
        if let villageID { query.filter(\.$villageID == villageID) }
        query.matchingEveryWord(of: text, in: \.$searchKey)
        let total = try await query.count()
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id).range(page.offset..<(page.offset + page.per)).all()
        return Paged(items: rows.map(Self.record), total: total, request: page)
    }

    /// The open offers of the same kind of service, nearest first: the same village, then the same
    /// aiyl aimak, then the same district, then the rest.
    public func matches(for requestID: UUID, in bankID: UUID) async throws -> [ListingRecord] {
        guard let request = try await Listing.find(requestID, on: db), request.bankID == bankID else {
            throw DomainError.notFound("timebank.listing")
        }
        let query = Listing.query(on: db).filter(\.$bankID == bankID).filter(\.$kind == .offer).filter(\.$closedAt == nil)
        if let category = request.categoryID { query.filter(\.$categoryID == category) }
        return try await nearest(try await query.all(), to: request.villageID)
    }

    /// The open offers of a kind of service in these banks, nearest to a village first (what a member
    /// asks for by SMS).
    public func nearestOffers(categoryID: UUID, banks: [UUID], to villageID: UUID) async throws -> [ListingRecord] {
        let offers = try await Listing.query(on: db).filter(\.$bankID ~~ banks).filter(\.$kind == .offer).filter(\.$closedAt == nil)
            .filter(\.$categoryID == categoryID).all()
        return try await nearest(offers, to: villageID)
    }

    /// The same village first, then the same aiyl aimak, the same district, the rest; the newest first within each.
    private func nearest(_ offers: [Listing], to villageID: UUID) async throws -> [ListingRecord] {
        let places = try await GeographyService(db: db).lookup(offers.map(\.villageID) + [villageID])
        let home = places[villageID]
        func distance(_ offer: Listing) -> Int {
            guard let home, let there = places[offer.villageID] else { return 3 }
            if there.id == home.id { return 0 }
            if there.parentID == home.parentID { return 1 }
            if there.districtID == home.districtID { return 2 }
            return 3
        }
        return offers.sorted { (distance($0), $1.createdAt ?? .distantPast) < (distance($1), $0.createdAt ?? .distantPast) }
            .map(Self.record)
    }

    /// Where each category is offered across every bank: the villages of open offers. What the network
    /// can do for women there, for the needs-and-services page.
    public func offeredVillages() async throws -> [UUID: Set<UUID>] {
        let rows = try await Listing.query(on: db).filter(\.$kind == .offer).filter(\.$closedAt == nil).filter(\.$categoryID != nil)
            .unique().field(\.$categoryID).field(\.$villageID).all()
        return rows.reduce(into: [:]) { map, row in map[row.categoryID!, default: []].insert(row.villageID) }
    }

    /// The categories each bank's members offer on its board today (open offers).
    public func offeredCategories() async throws -> [UUID: Set<UUID>] {
        let rows = try await Listing.query(on: db).filter(\.$kind == .offer).filter(\.$closedAt == nil).filter(\.$categoryID != nil)
            .unique().field(\.$bankID).field(\.$categoryID).all()
        return rows.reduce(into: [:]) { map, row in map[row.bankID, default: []].insert(row.categoryID!) }
    }

    public func listing(_ id: UUID, in bankID: UUID) async throws -> ListingRecord {
        guard let listing = try await Listing.find(id, on: db), listing.bankID == bankID else { throw DomainError.notFound("timebank.listing") }
        return Self.record(listing)
    }

    public func close(_ listingID: UUID, in bankID: UUID, by actor: Actor) async throws {
        try await db.writeTransaction { tx in
            guard let listing = try await Listing.find(listingID, on: tx), listing.bankID == bankID else {
                throw DomainError.notFound("timebank.listing")
            }
            guard listing.closedAt == nil else { return }
            listing.closedAt = Date()
            try await listing.save(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "update", entity: "timebank_listing", entityID: listingID,
                                      changes: [FieldChange(field: "closed", from: "false", to: "true")])
        }
    }

    static func record(_ l: Listing) -> ListingRecord {
        ListingRecord(id: l.id!, bankID: l.bankID, memberID: l.memberID, kind: l.kind, categoryID: l.categoryID,
                      villageID: l.villageID, description: l.description, createdAt: l.createdAt)
    }
}
