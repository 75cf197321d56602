import AsharNetwork
import FluentKit
import Foundation
import Kernel
import SQLKit
import TestSupport
import Testing

@Suite("Rows as one JSON value")
struct JSONRowsTests {
    @Test("Every kind of value, nulls and awkward text come out of the database as they went in, in order")
    func roundTrip() async throws {
        try await TestDatabase.withDatabase { db in
            let sql = db as! any SQLDatabase
            try await sql.raw("CREATE TABLE json_rows_check (position BIGINT, id UUID, amount BIGINT, label TEXT, at TIMESTAMP)").run()
            let ids = (0..<3).map { _ in UUID.timeOrdered() }
            let labels: [String?] = ["Асанова \"Гүлнара\"", "a\\b\nc\td\u{01}e — ң ө ү", nil]
            var rows = JSONRows([("position", .integer), ("id", .uuid), ("amount", .integer), ("label", .text)])
            rows.append(.integer(0), .uuid(ids[0]), .integer(-9_007_199_254_740_993), .text(labels[0]))
            rows.append(.integer(1), .uuid(ids[1]), .integer(0), .text(labels[1]))
            rows.append(.integer(2), .uuid(nil), .integer(nil), .text(labels[2]))
            #expect(rows.count == 3)
            try await sql.raw("INSERT INTO json_rows_check (position, id, amount, label, at) \(rows.select(", CURRENT_TIMESTAMP", on: sql))").run()

            let back = try await sql.raw("SELECT position, id, amount, label FROM json_rows_check ORDER BY position").all()
            #expect(back.count == 3)
            #expect(try back[0].decode(column: "id", as: UUID.self) == ids[0])
            #expect(try back[1].decode(column: "id", as: UUID.self) == ids[1])
            #expect(try back[2].decode(column: "id", as: UUID?.self) == nil)
            #expect(try back.map { try $0.decode(column: "amount", as: Int?.self) } == [-9_007_199_254_740_993, 0, nil])
            #expect(try back.map { try $0.decode(column: "label", as: String?.self) } == labels)
            // The same row a key lookup finds, as the ledger's balances are joined to their accounts.
            var one = JSONRows([("id", .uuid)])
            one.append(.uuid(ids[1]))
            let found = try await sql.raw("SELECT t.position FROM json_rows_check t JOIN (\(one.select(on: sql))) AS v ON v.id = t.id").all()
            #expect(try found.map { try $0.decode(column: "position", as: Int.self) } == [1])
        }
    }
}
