import AsharNetwork
import FluentKit
import Foundation
import Kernel

public struct CategoryRecord: Sendable, Equatable {
    public let id: UUID
    public let code: String?
    public let name: LocalizedName
    public let bankID: UUID?
}

/// Kinds of service: the network's (seeded with the pilot's) and each bank's own.
public struct CategoryService: Sendable {
    let db: any Database
    public init(db: any Database) { self.db = db }

    /// The network's categories and the bank's own, in a stable order.
    public func available(to bankID: UUID?) async throws -> [CategoryRecord] {
        let query = ServiceCategory.query(on: db)
        if let bankID {
            query.group(.or) { $0.filter(\.$bankID == nil).filter(\.$bankID == bankID) }
        } else {
            query.filter(\.$bankID == nil)
        }
        return try await query.sort(\.$code).sort(\.$nameEn).all().map(Self.record)
    }

    /// Several categories at once, by id: one query however many banks offer them.
    public func lookup(_ ids: some Collection<UUID>) async throws -> [UUID: CategoryRecord] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(uniqueKeysWithValues: try await ServiceCategory.query(on: db).filter(\.$id ~~ Array(ids)).all().map { ($0.id!, Self.record($0)) })
    }

    public func add(bankID: UUID, name: LocalizedName, by actor: Actor) async throws -> CategoryRecord {
        let trimmed = LocalizedName(ky: name.ky.trimmingCharacters(in: .whitespaces), ru: name.ru.trimmingCharacters(in: .whitespaces),
                                    en: name.en.trimmingCharacters(in: .whitespaces))
        let errors = [("name_ky", trimmed.ky), ("name_ru", trimmed.ru), ("name_en", trimmed.en)].compactMap { field, value in
            value.isEmpty || value.count > 200 ? DomainError("timebank.category.name-invalid", field: field) : nil
        }
        try ValidationErrors.throwIfAny(errors)
        return try await db.writeTransaction { tx in
            guard try await TimeBankSettings.find(bankID, on: tx) != nil else { throw DomainError.notFound("timebank.bank") }
            let category = ServiceCategory()
            category.nameKy = trimmed.ky
            category.nameRu = trimmed.ru
            category.nameEn = trimmed.en
            category.bankID = bankID
            try await category.create(on: tx)
            try await AuditLog.record(on: tx, actor: actor, action: "create", entity: "timebank_category", entityID: category.id, changes: [
                FieldChange(field: "name_ky", from: nil, to: trimmed.ky), FieldChange(field: "name_ru", from: nil, to: trimmed.ru),
                FieldChange(field: "name_en", from: nil, to: trimmed.en), FieldChange(field: "bank_id", from: nil, to: bankID.uuidString),
            ])
            return Self.record(category)
        }
    }

    static func record(_ c: ServiceCategory) -> CategoryRecord {
        CategoryRecord(id: c.id!, code: c.code, name: LocalizedName(ky: c.nameKy, ru: c.nameRu, en: c.nameEn), bankID: c.bankID)
    }
}
