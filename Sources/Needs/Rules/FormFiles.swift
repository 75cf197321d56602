import Foundation
import Kernel
import SwiftCSV
import XMLCoder

/// The two files an XLSForm comes in: the spreadsheet (.xlsx) and its CSV form, where a row whose first
/// cell names a sheet (`survey`, `choices`, `settings`) is that sheet's header and the rows under it,
/// first cell empty, are its rows.
public enum FormFiles {
    /// A workbook's sheets, each with its rows as people see them. Refuses what is not a readable .xlsx.
    public static func sheets(xlsx data: Data) throws(FormRefused) -> [Sheet] {
        do {
            let archive = try ZipBytes(data)
            let workbook = try decode(Workbook.self, "xl/workbook.xml", in: archive)
            let relations = try decode(Relationships.self, "xl/_rels/workbook.xml.rels", in: archive)
            let shared = archive["xl/sharedStrings.xml"] == nil ? [] : try decode(SharedStrings.self, "xl/sharedStrings.xml", in: archive).items.map(\.text)
            return try workbook.sheets.items.map { entry in
                guard let target = relations.items.first(where: { $0.id == entry.relation })?.target else { throw Unreadable() }
                let path = target.hasPrefix("/") ? String(target.dropFirst()) : "xl/" + target
                return sheet(named: entry.name, try decode(Worksheet.self, path, in: archive), shared: shared)
            }
        } catch {
            throw FormRefused(problems: [FormProblem(sheet: "", row: 0, "file-unreadable")])
        }
    }

    /// The sheets of a form written as CSV.
    public static func sheets(csv text: String) throws(FormRefused) -> [Sheet] {
        let clean = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let records: [[String]]
        do {
            let csv = try SwiftCSV.CSV<Enumerated>(string: clean, loadColumns: false)
            records = [csv.header] + csv.rows
        } catch {
            throw FormRefused(problems: [FormProblem(sheet: "", row: 0, "file-unreadable")])
        }
        var sheets: [Sheet] = []
        var current: (name: String, header: [String], rows: [Sheet.Row])?
        for (index, cells) in records.enumerated() {
            let first = cells.first?.trimmingCharacters(in: .whitespaces) ?? ""
            if !first.isEmpty {
                if let current { sheets.append(Sheet(name: current.name, header: current.header, rows: current.rows)) }
                current = (first, Array(cells.dropFirst()), [])
            } else if current != nil {
                current!.rows.append(Sheet.Row(number: index + 1, cells: Array(cells.dropFirst())))
            }
        }
        if let current { sheets.append(Sheet(name: current.name, header: current.header, rows: current.rows)) }
        return sheets
    }

    // MARK: The parts of an .xlsx this reads (Office Open XML, SpreadsheetML)

    struct Unreadable: Error {}

    static func decode<T: Decodable>(_ type: T.Type, _ path: String, in archive: ZipBytes) throws -> T {
        guard let part = archive[path] else { throw Unreadable() }
        let data = try archive.read(part)
        // FoundationXML traps on a name or namespace that is not UTF-8 (found by HostileFilesTests), and a
        // workbook's parts never declare entities: anything else is not a workbook.
        guard let text = String(data: data, encoding: .utf8), !text.contains("<!DOCTYPE"), !text.contains("<!ENTITY") else { throw Unreadable() }
        let decoder = XMLDecoder()
        decoder.trimValueWhitespaces = false
        return try decoder.decode(T.self, from: data)
    }

    static func sheet(named name: String, _ worksheet: Worksheet, shared: [String]) -> Sheet {
        var rows: [Sheet.Row] = []
        for row in worksheet.data.rows {
            var cells: [String] = []
            for cell in row.cells {
                let column = cell.reference.map(columnIndex) ?? cells.count
                guard column < 16_384 else { continue }
                while cells.count < column { cells.append("") }
                let text: String = switch cell.type {
                case "s": Int(cell.value ?? "").flatMap { shared.indices.contains($0) ? shared[$0] : nil } ?? ""
                case "inlineStr": cell.inline?.text ?? ""
                case "b": cell.value == "1" ? "TRUE" : "FALSE"
                default: cell.value ?? ""
                }
                if cells.count == column { cells.append(text) } else { cells[column] = text }
            }
            rows.append(Sheet.Row(number: row.number ?? (rows.last.map { $0.number + 1 } ?? 1), cells: cells))
        }
        guard let header = rows.first else { return Sheet(name: name, header: [], rows: []) }
        return Sheet(name: name, header: header.cells, rows: Array(rows.dropFirst()))
    }

    /// `C7` → 2, `AB3` → 27.
    static func columnIndex(_ reference: String) -> Int {
        reference.prefix { $0.isLetter }.uppercased().unicodeScalars.reduce(0) { $0 * 26 + Int($1.value) - 64 } - 1
    }

    struct Workbook: Decodable {
        struct Sheets: Decodable {
            let items: [Entry]
            enum CodingKeys: String, CodingKey { case items = "sheet" }
        }
        struct Entry: Decodable {
            let name: String
            let relation: String
            enum CodingKeys: String, CodingKey { case name, relation = "r:id" }
        }
        let sheets: Sheets
    }

    struct Relationships: Decodable {
        struct Relationship: Decodable {
            let id: String
            let target: String
            enum CodingKeys: String, CodingKey { case id = "Id", target = "Target" }
        }
        let items: [Relationship]
        enum CodingKeys: String, CodingKey { case items = "Relationship" }
    }

    /// A string with its runs of formatting (`<r><t>…</t></r>`) or plain (`<t>…</t>`).
    struct RichText: Decodable {
        struct Run: Decodable { let t: TextNode? }
        let t: TextNode?
        let r: [Run]?
        var text: String { t?.value ?? (r ?? []).map { $0.t?.value ?? "" }.joined() }
    }

    struct TextNode: Decodable {
        let value: String
        enum CodingKeys: String, CodingKey { case value = "" }
        init(from decoder: any Decoder) throws {
            value = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .value) ?? ""
        }
    }

    struct SharedStrings: Decodable {
        let items: [RichText]
        enum CodingKeys: String, CodingKey { case items = "si" }
        init(from decoder: any Decoder) throws {
            items = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([RichText].self, forKey: .items) ?? []
        }
    }

    struct Worksheet: Decodable {
        struct SheetData: Decodable {
            let rows: [Row]
            enum CodingKeys: String, CodingKey { case rows = "row" }
            init(from decoder: any Decoder) throws {
                rows = try decoder.container(keyedBy: CodingKeys.self).decodeIfPresent([Row].self, forKey: .rows) ?? []
            }
        }
        struct Row: Decodable {
            let number: Int?
            let cells: [Cell]
            enum CodingKeys: String, CodingKey { case number = "r", cells = "c" }
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                number = try container.decodeIfPresent(String.self, forKey: .number).flatMap { Int($0) }
                cells = try container.decodeIfPresent([Cell].self, forKey: .cells) ?? []
            }
        }
        struct Cell: Decodable {
            let reference: String?
            let type: String?
            let value: String?
            let inline: RichText?
            enum CodingKeys: String, CodingKey { case reference = "r", type = "t", value = "v", inline = "is" }
        }
        let data: SheetData
        enum CodingKeys: String, CodingKey { case data = "sheetData" }
    }
}
