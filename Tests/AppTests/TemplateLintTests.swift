import AsharNetwork
import Foundation
import Testing

/// Leaf reads `#tag(...):` as the start of a block, so a colon right after an inline tag breaks the
/// page at run time ("unable to match … with endif"). Catch it before it ships.
@Suite("Templates")
struct TemplateLintTests {
    static let views = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/App/Resources/Views")

    @Test func noInlineTagIsFollowedByAColon() throws {
        let blockTags: Set<String> = ["if", "elseif", "else", "for", "export", "extend", "import"]
        let regex = try NSRegularExpression(pattern: #"#([a-zA-Z]*)\([^()]*\):"#)
        var found: [String] = []
        let files = FileManager.default.enumerator(at: Self.views, includingPropertiesForKeys: nil)!
            .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" }
        #expect(files.count > 10)
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let tag = String(text[Range(match.range(at: 1), in: text)!])
                if !blockTags.contains(tag) { found.append("\(file.lastPathComponent): \(text[Range(match.range, in: text)!])") }
            }
        }
        #expect(found.isEmpty, "inline tags followed by a colon: \(found)")
    }
}

/// The audit log shows each entry's action and record type in the reader's language: every one the
/// services write must have its name in the catalogue, or the page shows a key.
@Suite("Audit names")
struct AuditNameTests {
    @Test func everyAuditedActionAndEntityHasAName() throws {
        let root = TemplateLintTests.views.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let catalogue = try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("Localization/Resources/en.json"))) as! [String: Any]
        let regex = try NSRegularExpression(pattern: #"AuditLog\.record\([^)]*?action: "([a-z\-]+)", entity: "([a-z_]+)""#, options: [.dotMatchesLineSeparators])
        var missing: Set<String> = []
        var entities: Set<String> = []
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }.filter { $0.pathExtension == "swift" }
        var found = 0
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                found += 1
                entities.insert(String(text[Range(match.range(at: 2), in: text)!]))
                for (index, prefix) in [(1, "audit.action."), (2, "audit.entity.")] {
                    let key = prefix + String(text[Range(match.range(at: index), in: text)!])
                    if catalogue[key] == nil { missing.insert(key) }
                }
            }
        }
        #expect(found > 40)
        #expect(missing.isEmpty, "without a name: \(missing.sorted())")
        #expect(entities.subtracting(AuditLog.entities).isEmpty, "not in the audit log's filter: \(entities.subtracting(AuditLog.entities).sorted())")
    }
}
