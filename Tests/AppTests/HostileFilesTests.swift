@testable import App
import Certification
import Foundation
import Kernel
import Needs
import Producers
import PropertyBased
import Testing

/// Every parser of what comes from outside — XLSForm (xlsx and csv), KoboToolbox and ODK exports,
/// member and price-list CSV, uploads (logos, scans), price tiers, form expressions, SMS — fed generated
/// input: the real files' own lines and cells shuffled with separators, quotes, Cyrillic, right-to-left and
/// zero-width marks, emoji, NUL, formulas and huge numbers, random bytes, and fields of 10 MB. Each
/// answers with a result or its clear error, never a crash; the time limit catches a hang.
@Suite("Hostile files: every parser answers or refuses clearly", .timeLimit(.minutes(3)))
struct HostileFilesTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("NeedsTests/Fixtures")
    static func fixture(_ name: String) throws -> Data { try Data(contentsOf: fixtures.appendingPathComponent(name)) }

    static let samples = ["household-form.csv", "household-kobo.csv", "household-odk.csv", "household-odk-member.csv"]
        .compactMap { try? String(decoding: fixture($0), as: UTF8.self) }
        + ["full_name,village,birth_year,phone,number,balance_hours\nАсанова Гүлнара,Сарай,1980,0555 100 001,СР-001,2\n",
           "name;unit;package_size;min_quantity;unit_price;valid_from\nУрук;кг;50;1;120,50;2026-01-01\n"]
    static let pieces: [String] = samples.flatMap { sample in
        sample.split(separator: "\n").map(String.init) + sample.split(whereSeparator: { ",;\n".contains($0) }).map(String.init)
    } + ["\u{200F}", "\u{200B}", "\u{FEFF}", "\u{202E}", "👩‍👩‍👧", "😀", "\0", ",", ";", "\t", "\"", "\"\"", "\n", "\r\n", "\r", "'",
         "=HYPERLINK(\"x\")", "-", "1", "-1", "0", "99999999999999999999999", "2026-11-20", "Гүлнара", "ң", "${age}",
         "selected(${a}, 'x')", "(", ")", "[", "]", "<", ">", "&", "<svg", "<script>", "%PDF-1.4", "\u{89}PNG", "BAL", "OFFERS"]
    /// Text made of the pieces real files are made of, and of what breaks parsers.
    static let hostileText = Gen.element(of: pieces).array(of: 0...80).map { $0.compactMap { $0 }.joined() }
    static let randomBytes = Gen<UInt8>.value(in: 0...255).array(of: 0...4_096).map { Data($0) }
    static let tenMegabytes = String(repeating: "Гүлнара👩‍👩‍👧\u{200B}", count: 10 * 1024 * 1024 / 30)

    /// The form the exports are read against.
    static func form() throws -> FormDefinition {
        try FormDefinition.read(try FormFiles.sheets(csv: String(decoding: fixture("household-form.csv"), as: UTF8.self)))
    }

    /// Runs a parser; only a crash (which ends the test run) or an error nobody could read fails.
    static func answersClearly(_ what: String, _ input: String, _ parse: () throws -> Void) {
        do {
            try parse()
        } catch is DomainError, is ValidationErrors, is FormRefused, is ImportFailed, is FormExpression.SyntaxError {
        } catch {
            Issue.record("\(what) threw \(type(of: error)) for \(input.prefix(200).debugDescription)")
        }
    }

    static func allTextParsers(_ text: String) throws {
        let form = try form()
        answersClearly("XLSForm csv", text) { _ = try FormDefinition.read(try FormFiles.sheets(csv: text)) }
        answersClearly("delimited text", text) { _ = DelimitedText(Data(text.utf8)).records }
        for source in ExportSource.allCases {
            answersClearly("\(source) export", text) { _ = try ExportReading.read([ExportFile(name: "export.csv", data: Data(text.utf8))], source: source, form: form) }
        }
        answersClearly("member CSV", text) { _ = try MemberImportController.rows(text) }
        answersClearly("price list CSV", text) { _ = try PriceListFile.rows(text) }
        answersClearly("price tiers", text) { _ = try PriceTiers.parse(text) }
        answersClearly("form expression", text) { _ = try FormExpression.parse(text) }
        _ = SMSRequest.parse(text)
        _ = SVGSanitizer.clean(Data(text.utf8))
    }

    @Test("Text made of real files' pieces and of what breaks parsers")
    func hostileTextParses() async throws {
        await propertyCheck(count: 300, input: Self.hostileText) { text in
            try? Self.allTextParsers(text)
        }
    }

    @Test("Random bytes as a spreadsheet, an export archive, an upload")
    func randomBytesParse() async throws {
        let form = try Self.form()
        await propertyCheck(count: 300, input: Self.randomBytes) { data in
            let shown = data.prefix(40).map { String(format: "%02x", $0) }.joined()
            Self.answersClearly("xlsx", shown) { _ = try FormDefinition.read(try FormFiles.sheets(xlsx: data)) }
            Self.answersClearly("export zip", shown) { _ = try ExportReading.read(try ExportReading.files(zip: data), source: .odk, form: form) }
            _ = FileKind.sniff(data)
            _ = SVGSanitizer.clean(data)
            _ = DelimitedText(data, partBytes: 64).records
        }
    }

    @Test("Real spreadsheets and archives with bytes flipped")
    func damagedFilesParse() async throws {
        let form = try Self.form()
        let xlsx = try Self.fixture("household-form.xlsx"), archive = try Self.fixture("household-odk.zip")
        let damage = zip(Gen.int(in: 0...Int.max), Gen<UInt8>.value(in: 0...255)).array(of: 1...12)
        await propertyCheck(count: 1000, input: damage) { flips in
            for original in [xlsx, archive] {
                var data = original
                for (at, byte) in flips { data[at % data.count] = byte }
                Self.answersClearly("damaged xlsx", "") { _ = try FormDefinition.read(try FormFiles.sheets(xlsx: data)) }
                Self.answersClearly("damaged zip", "") { _ = try ExportReading.read(try ExportReading.files(zip: data), source: .odk, form: form) }
            }
        }
    }

    @Test("A field of 10 MB in every text parser")
    func tenMegabyteField() throws {
        try Self.allTextParsers("full_name,village,birth_year\n\"\(Self.tenMegabytes)\",Сарай,1980\n")
    }
}
