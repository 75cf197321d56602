import FluentKit
import Foundation
import Kernel
import SQLKit

/// Counts across the registry, for the start page and the viewer role: never a name.
public struct NetworkSummary: Sendable {
    public struct District: Sendable {
        public let id: UUID
        public let name: LocalizedName
        public let organisations: Int
        public let people: Int
    }

    public let people: Int
    public let organisationsInNetwork: Int
    public let villages: Int
    /// Districts with at least one organisation or person.
    public let districts: [District]

    public static func read(on db: any Database) async throws -> NetworkSummary {
        let people = try await Person.query(on: db).count()
        let orgs = try await Organisation.query(on: db).filter(\.$inNetwork == true).count()
        let villages = try await Place.query(on: db).filter(\.$level == .village).count()
        let districts = try await Place.query(on: db).filter(\.$level == .district).sort(\.$nameEn).all()
        let orgsByDistrict = Dictionary(grouping: try await Organisation.query(on: db).field(\.$districtID).all(), by: \.districtID)
            .mapValues(\.count)
        // People by the district of their village: two small queries instead of one per district.
        let villageDistrict = Dictionary(uniqueKeysWithValues: try await Place.query(on: db).filter(\.$level == .village)
            .all().map { ($0.id!, $0.districtID) })
        var peopleByDistrict: [UUID: Int] = [:]
        for row in try await Person.query(on: db).field(\.$villageID).all() {
            if let d = villageDistrict[row.villageID] ?? nil { peopleByDistrict[d, default: 0] += 1 }
        }
        return NetworkSummary(
            people: people, organisationsInNetwork: orgs, villages: villages,
            districts: districts.compactMap { d in
                let o = orgsByDistrict[d.id!] ?? 0, p = peopleByDistrict[d.id!] ?? 0
                guard o + p > 0 else { return nil }
                return District(id: d.id!, name: LocalizedName(ky: d.nameKy, ru: d.nameRu, en: d.nameEn), organisations: o, people: p)
            })
    }
}
