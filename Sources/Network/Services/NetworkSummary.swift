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
        let people = try await PeopleService(db: db).count()
        let orgs = try await Organisation.query(on: db).filter(\.$inNetwork == true).count()
        let villages = try await Place.query(on: db).filter(\.$level == .village).count()
        let districts = try await Place.query(on: db).filter(\.$level == .district).sort(\.$nameEn).all()
        // Both databases Ashar runs on (SQLite, PostgreSQL) are SQL databases.
        let sql = db as! any SQLDatabase
        let orgsByDistrict = try await Self.counts(sql.select()
            .column(SQLColumn("district_id"), as: "district").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("organisations").groupBy("district_id"))
        // People by the district of their village, counted by the database.
        let peopleByDistrict = try await Self.counts(sql.select()
            .column(SQLColumn("district_id", table: "places"), as: "district").column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
            .from("people").join("places", on: SQLColumn("village_id", table: "people"), .equal, SQLColumn("id", table: "places"))
            .groupBy(SQLColumn("district_id", table: "places")))
        return NetworkSummary(
            people: people, organisationsInNetwork: orgs, villages: villages,
            districts: districts.compactMap { d in
                let o = orgsByDistrict[d.id!] ?? 0, p = peopleByDistrict[d.id!] ?? 0
                guard o + p > 0 else { return nil }
                return District(id: d.id!, name: LocalizedName(ky: d.nameKy, ru: d.nameRu, en: d.nameEn), organisations: o, people: p)
            })
    }

    private struct CountRow: Decodable {
        let district: UUID?
        let n: Int
    }

    private static func counts(_ query: SQLSelectBuilder) async throws -> [UUID: Int] {
        var counts: [UUID: Int] = [:]
        for row in try await query.all(decoding: CountRow.self) {
            if let district = row.district { counts[district] = row.n }
        }
        return counts
    }
}
