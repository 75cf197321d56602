import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct CounterpartyRecord: Sendable, Equatable {
    public let id: UUID
    public let groupID: UUID
    public let kind: CounterpartyKind
    public let organisation: OrganisationRecord
}

public struct CatalogueRecord: Sendable, Equatable {
    public let id: UUID
    public let supplierID: UUID
    public let article: ArticleDraft
    public let validFrom: String?
    public let validTo: String?
}

/// One line of a supplier's price list as read from a file: every field text.
public struct PriceListRow: Sendable {
    public var line: Int
    public var name = ""
    public var unit = ""
    public var packageSize = ""
    /// "1:30; 500:24": from this quantity up, this many som per unit.
    public var tiers = ""
    public var validFrom = ""
    public var validTo = ""

    public init(line: Int) { self.line = line }
}

/// The suppliers and buyers a group deals with (firms of the network's registry, with their contacts),
/// and suppliers' price lists, typed in or imported from a file.
public struct CounterpartyService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    public func add(_ groupID: UUID, organisation organisationID: UUID, kind: CounterpartyKind, by actor: Actor) async throws -> CounterpartyRecord {
        try await db.writeTransaction { tx in
            _ = try await ProducerGroupService(db: tx).group(groupID)
            guard try await Organisation.find(organisationID, on: tx) != nil else { throw DomainError("producers.supplier-unknown", field: "organisation_id") }
            if try await Counterparty.query(on: tx).filter(\.$groupID == groupID).filter(\.$organisationID == organisationID)
                .filter(\.$kind == kind).first() != nil {
                throw DomainError("producers.counterparty-exists", kind: .conflict, field: "organisation_id")
            }
            let party = Counterparty()
            party.groupID = groupID
            party.organisationID = organisationID
            party.kind = kind
            try await party.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "counterparty", entityID: party.id, changes: [
                FieldChange(field: "organisation_id", from: nil, to: organisationID.uuidString), FieldChange(field: "kind", from: nil, to: kind.rawValue),
            ])
            return try await CounterpartyService(db: tx).records([party]).first!
        }
    }

    /// A group's suppliers and buyers, by name.
    public func counterparties(_ groupID: UUID) async throws -> [CounterpartyRecord] {
        try await records(try await Counterparty.query(on: db).filter(\.$groupID == groupID).all())
            .sorted { ($0.kind.rawValue, $0.organisation.name) < ($1.kind.rawValue, $1.organisation.name) }
    }

    public func addArticle(_ supplierID: UUID, _ draft: ArticleDraft, validFrom: String?, validTo: String?, by actor: Actor) async throws -> CatalogueRecord {
        let (article, from, to) = try Self.validated(draft, validFrom, validTo)
        return try await db.writeTransaction { tx in
            let row = try await Self.insert(article, from, to, supplier: supplierID, on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "catalogue_article", entityID: row.id, changes: [
                FieldChange(field: "name", from: nil, to: article.name),
            ])
            return try Self.record(row)
        }
    }

    /// A whole price list, all or nothing: if any line is wrong, nothing is added and every wrong line is named.
    public func importPriceList(_ supplierID: UUID, rows: [PriceListRow], by actor: Actor) async throws -> Int {
        var checked: [(ArticleDraft, String?, String?)] = []
        var problems: [ImportFailed.Problem] = []
        for row in rows {
            do {
                let size = Int(row.packageSize.trimmingCharacters(in: .whitespaces)) ?? 0
                checked.append(try Self.validated(ArticleDraft(name: row.name, unit: row.unit, packageSize: size, tiers: try PriceTiers.parse(row.tiers)),
                                                  row.validFrom, row.validTo))
            } catch let error as DomainError {
                problems.append(.init(line: row.line, errors: [error]))
            }
        }
        if !problems.isEmpty { throw ImportFailed(problems: problems) }
        if checked.isEmpty { throw DomainError("timebank.import.empty") }
        let articles = checked
        return try await db.writeTransaction { tx in
            for (article, from, to) in articles { _ = try await Self.insert(article, from, to, supplier: supplierID, on: tx) }
            try await AuditLog.record(on: tx, actor: actor, action: "import", entity: "catalogue_article", entityID: supplierID, changes: [
                FieldChange(field: "articles", from: nil, to: String(articles.count)),
            ])
            return articles.count
        }
    }

    /// A supplier's articles valid on a day (all of them when no day is given), by name.
    public func catalogue(_ supplierID: UUID, on day: String? = nil) async throws -> [CatalogueRecord] {
        try await CatalogueArticle.query(on: db).filter(\.$supplierID == supplierID).sort(\.$name).sort(\.$validFrom).all()
            .filter { row in day.map { d in (row.validFrom ?? "") <= d && d <= (row.validTo ?? "9999") } ?? true }
            .map(Self.record)
    }

    public func catalogueArticle(_ id: UUID) async throws -> CatalogueRecord {
        guard let row = try await CatalogueArticle.find(id, on: db) else { throw DomainError.notFound("producers.catalogue-article") }
        return try Self.record(row)
    }

    // MARK: -

    func records(_ parties: [Counterparty]) async throws -> [CounterpartyRecord] {
        let orgs = try await OrganisationService(db: db).lookup(parties.map(\.organisationID))
        return parties.compactMap { p in
            orgs[p.organisationID].map { CounterpartyRecord(id: p.id!, groupID: p.groupID, kind: p.kind, organisation: $0) }
        }
    }

    static func validated(_ draft: ArticleDraft, _ from: String?, _ to: String?) throws -> (ArticleDraft, String?, String?) {
        let article = try draft.validated()
        let from = from?.trimmingCharacters(in: .whitespaces).nilIfEmpty, to = to?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let from, BishkekCalendar.start(of: from) == nil { throw DomainError("producers.day-invalid", field: "valid_from") }
        if let to, BishkekCalendar.start(of: to) == nil || to < (from ?? "") { throw DomainError("producers.day-invalid", field: "valid_to") }
        return (article, from, to)
    }

    static func insert(_ article: ArticleDraft, _ from: String?, _ to: String?, supplier: UUID, on tx: any Database) async throws -> CatalogueArticle {
        guard try await Organisation.find(supplier, on: tx) != nil else { throw DomainError.notFound("producers.supplier") }
        let row = CatalogueArticle()
        row.supplierID = supplier
        row.name = article.name
        row.unit = article.unit
        row.packageSize = article.packageSize
        row.tiers = try PurchaseRoundService.encode(article.tiers)
        row.validFrom = from
        row.validTo = to
        try await row.create(on: tx)
        return row
    }

    static func record(_ row: CatalogueArticle) throws -> CatalogueRecord {
        CatalogueRecord(id: row.id!, supplierID: row.supplierID,
                        article: ArticleDraft(name: row.name, unit: row.unit, packageSize: row.packageSize, tiers: try PurchaseRoundService.decode(row.tiers)),
                        validFrom: row.validFrom, validTo: row.validTo)
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
