@testable import App
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing

@Suite("UUIDs in SQLite")
struct SQLiteUUIDTests {
    @Test("A UUID is bound as the upper-case text the driver always stored, and read back from it")
    func boundAsText() throws {
        let id = UUID(uuidString: "0190f5c2-7a1b-7c3d-8e4f-a0b1c2d3e4f5")!
        #expect(try SQLiteDataEncoder().encode(id) == .text("0190F5C2-7A1B-7C3D-8E4F-A0B1C2D3E4F5"))
        #expect(try SQLiteDataEncoder().encode(Optional(id)) == .text(id.uuidString))
        #expect(try SQLiteDataEncoder().encode(UUID?.none) == .null)
        #expect(try SQLiteDataDecoder().decode(UUID.self, from: .text(id.uuidString)) == id)
        #expect(try SQLiteDataDecoder().decode(UUID.self, from: .text(id.uuidString.lowercased())) == id)
        #expect(try SQLiteDataDecoder().decode(UUID?.self, from: .null) == nil)
        #expect(throws: DecodingError.self) { try SQLiteDataDecoder().decode(UUID.self, from: .text("not an id")) }
        #expect(throws: DecodingError.self) { try SQLiteDataDecoder().decode(UUID.self, from: .integer(7)) }
    }
}
