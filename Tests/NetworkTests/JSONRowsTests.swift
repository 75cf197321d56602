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

    @Test("Moments and JSON documents are stored as the database keeps a bound date and its binary JSON; JSON's null is SQL's NULL")
    func momentsAndDocuments() async throws {
        try await TestDatabase.withDatabase { db in
            let sql = db as! any SQLDatabase
            let postgres = sql.dialect.name == "postgresql"
            try await sql.raw("CREATE TABLE json_docs_check (position BIGINT, moment TIMESTAMPTZ, doc JSONB)").run()
            let moment = Date(timeIntervalSince1970: 1_733_300_123.456789)
            let document = #"{"name":"Асанова \"Гүлнара\"","items":[{"a":"1"},{"b":"x\ny"}]}"#
            var rows = JSONRows([("position", .integer), ("moment", .time), ("doc", .jsonb)])
            rows.append(.integer(0), .time(moment), .jsonb(Array(document.utf8)))
            rows.append(.integer(1), .time(nil), .jsonb(nil))
            try await sql.raw("INSERT INTO json_docs_check (position, moment, doc) \(rows.select(on: sql))").run()

            let text: SQLQueryString = postgres ? "doc::text AS doc" : "json(doc) AS doc"
            let back = try await sql.raw("SELECT position, moment, \(text) FROM json_docs_check ORDER BY position").all()
            #expect(try back[0].decode(column: "moment", as: Date.self).timeIntervalSince1970 == 1_733_300_123.456789)
            #expect(try back[1].decode(column: "moment", as: Date?.self) == nil)
            let stored = try back[0].decode(column: "doc", as: String.self)
            let parsed = try JSONSerialization.jsonObject(with: Data(stored.utf8)) as? NSDictionary
            #expect(parsed == (try JSONSerialization.jsonObject(with: Data(document.utf8)) as? NSDictionary))
            #expect(try back[1].decode(column: "doc", as: String?.self) == nil)
            if !postgres {
                // Binary JSON, as `jsonb()` writes it, not text.
                let kind = try await sql.raw("SELECT typeof(doc) AS kind, typeof(moment) AS moment FROM json_docs_check WHERE position = 0").first()!
                #expect(try kind.decode(column: "kind", as: String.self) == "blob")
                #expect(try kind.decode(column: "moment", as: String.self) == "real")
            }
        }
    }
}
