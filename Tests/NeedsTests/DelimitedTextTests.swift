import Foundation
@testable import Needs
import Testing

@Suite("Export files read as records")
struct DelimitedTextTests {
    func read(_ text: String) -> DelimitedText { DelimitedText(Data(text.utf8)) }

    @Test("Quoted cells keep delimiters, doubled quotes and line breaks; each record names the line it starts on")
    func quotedCells() {
        let text = read("a;b;c\n\"1;2\";\"say \"\"hi\"\"\";\"two\nlines\"\nx;;\"\"\n")
        #expect(text.header == ["a", "b", "c"])
        #expect(text.records.map(\.cells) == [["1;2", "say \"hi\"", "two\nlines"], ["x", "", ""]])
        #expect(text.records.map(\.line) == [2, 4])
    }

    @Test("A byte-order mark, CRLF line ends, blank lines and a last line without its end")
    func lineEnds() {
        let text = read("\u{FEFF}name,age\r\n\r\nАйгүл,34\r\n\nБурул,51")
        #expect(text.header == ["name", "age"])
        #expect(text.records.map(\.cells) == [["Айгүл", "34"], ["Бурул", "51"]])
        #expect(text.records.map(\.line) == [3, 5])
    }

    @Test("A quote inside an unquoted cell is kept as it is; text after a closing quote joins the cell")
    func looseQuotes() {
        let text = read("a,b,c\n5\" tall,\"ab\"cd,\"\"\n")
        #expect(text.records.map(\.cells) == [["5\" tall", "abcd", ""]])
    }

    @Test("The delimiter is the one the header has more of")
    func delimiter() {
        #expect(read("a,b;c,d\n1,2;3,4\n").records.map(\.cells) == [["1", "2;3", "4"]])
        #expect(read("a;b,c;d\n1;2,3;4\n").records.map(\.cells) == [["1", "2,3", "4"]])
    }

    @Test("A quoted cell the file never closes runs to the end of the file")
    func unclosedQuote() {
        let text = read("a,b\n1,\"open\nstill open")
        #expect(text.records.map(\.cells) == [["1", "open\nstill open"]])
        #expect(text.records.map(\.line) == [2])
    }

    @Test("A file is read in parts: the records and their lines are those of one reading, whether a cut falls between records or inside a cell with line breaks, and each part's records are given once, in order")
    func parts() {
        // Single-line records: every cut falls between two of them.
        let plain = DelimitedText(Data(("n;text\n" + (1...40_000).map { "\($0);\"словo \($0)\"\n" }.joined()).utf8), partBytes: 4_096)
        #expect(plain.records.count == 40_000)
        #expect(plain.records.enumerated().allSatisfy { $0.element.line == $0.offset + 2 && $0.element.cells == [String($0.offset + 1), "словo \($0.offset + 1)"] })
        let sizes = plain.mapParts { $0.count }
        #expect(sizes.count > 100 && sizes.reduce(0, +) == 40_000)
        // One cell of a megabyte and a half, with line breaks, across many cuts: read again in one piece.
        let long = (1...100_000).map { "line \($0)" }.joined(separator: "\n")
        let spanning = DelimitedText(Data(("n;text\n1;a\n2;\"" + long + "\"\n3;b\n").utf8), partBytes: 4_096)
        #expect(spanning.records.map { $0.cells[0] } == ["1", "2", "3"])
        #expect(spanning.records[1].cells[1] == long)
        #expect(spanning.records.map(\.line) == [2, 3, 100_003])
        // A header with a line break in a quoted name, after blank lines: the records' lines count from the file's start.
        let header = DelimitedText(Data("\n\n\"a\nb\",c\n1,2\n\n3,4\n".utf8), partBytes: 1)
        #expect(header.header == ["a\nb", "c"])
        #expect(header.records.map(\.cells) == [["1", "2"], ["3", "4"]])
        #expect(header.records.map(\.line) == [5, 7])
    }

    @Test("A cell is trimmed of Unicode's spaces at either end, and left as it is otherwise")
    func trimmedCells() {
        let cases = ["": "", "5": "5", "Айгүл": "Айгүл", " 5 ": "5", "\tАйгүл\n": "Айгүл", "\u{A0}Бурул\u{3000}": "Бурул",
                     "\u{2007}кийиз": "кийиз", "жибек\u{202F}": "жибек", "a b": "a b", "  ": "", "\u{1}x": "\u{1}x", "ё": "ё"]
        for (cell, trimmed) in cases { #expect(cell.trimmedCell == trimmed, "\(Array(cell.unicodeScalars))") }
        // Read from a file, where a cell stays bytes until asked for: the same text, blank when it trims to nothing.
        let lines = cases.filter { !$0.key.isEmpty }.sorted { $0.key < $1.key }  // an empty line is no record
        let text = read("c\n" + lines.map { "\"\($0.key)\"\n" }.joined() + "\" 1\u{A0}\"\n\"1\"\n")
        for (record, (cell, trimmed)) in zip(text.records, lines) {
            #expect(record.withCells { ($0.text(0), $0.isBlank(0)) } == (trimmed, trimmed.isEmpty), "\(Array(cell.unicodeScalars))")
        }
        #expect(text.records.suffix(2).map { $0.withCells { $0.isCharacter(0, "1") } } == [true, true])
        #expect(text.records[0].withCells { ($0.text(5), $0.isBlank(5)) } == ("", true))
    }
}
