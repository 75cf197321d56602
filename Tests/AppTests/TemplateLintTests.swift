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
