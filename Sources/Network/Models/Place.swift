import FluentKit
import Foundation
import Kernel

/// The levels of Kyrgyz geography the network uses, from the top.
public enum PlaceLevel: String, Codable, Sendable, CaseIterable {
    case oblast
    case district      // rayon
    case aiylAimak = "aiyl_aimak"
    case village

    /// The level a place of this level sits in; nil for an oblast.
    public var parent: PlaceLevel? {
        switch self {
        case .oblast: nil
        case .district: .oblast
        case .aiylAimak: .district
        case .village: .aiylAimak
        }
    }

    public var child: PlaceLevel? {
        PlaceLevel.allCases.first { $0.parent == self }
    }
}

/// One oblast, district, aiyl aimak or village. One table for all four levels: each row points
/// at its parent, and (denormalised, set by the service) at its oblast and district, so lists by
/// district need no recursive query.
public final class Place: Model, @unchecked Sendable {
    public static let schema = "places"

    @ID(key: .id) public var id: UUID?
    @Enum(key: "level") public var level: PlaceLevel
    @OptionalField(key: "parent_id") public var parentID: UUID?
    @OptionalField(key: "oblast_id") public var oblastID: UUID?
    @OptionalField(key: "district_id") public var districtID: UUID?
    @OptionalField(key: "code") public var code: String?
    @Field(key: "name_ky") public var nameKy: String
    @Field(key: "name_ru") public var nameRu: String
    @Field(key: "name_en") public var nameEn: String
    @Field(key: "search_key") public var searchKey: String
    @Timestamp(key: "created_at", on: .create) public var createdAt: Date?
    @Timestamp(key: "updated_at", on: .update) public var updatedAt: Date?

    public init() {}
}

extension Place {
    /// What a search for a place compares with: its three names, folded.
    public static func searchKey(ky: String, ru: String, en: String) -> String {
        [ky, ru, en].map(SearchKey.fold).joined(separator: " | ")
    }
}
