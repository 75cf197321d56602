import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// What an uploaded file is, judged from its bytes, never from its name or the browser's word.
public enum FileKind: String, Sendable, Equatable {
    case png, jpeg, pdf, svg

    public static func sniff(_ data: Data) -> FileKind? {
        if data.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if data.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if data.starts(with: Array("%PDF-".utf8)) { return .pdf }
        if SVGSanitizer.clean(data) != nil { return .svg }
        return nil
    }

    public var contentType: String {
        switch self {
        case .png: "image/png"
        case .jpeg: "image/jpeg"
        case .pdf: "application/pdf"
        case .svg: "image/svg+xml"
        }
    }
}

/// Rewrites an SVG keeping only drawing: known shapes and their presentation attributes. Scripts, event
/// handlers, foreign objects, external references, styles and entities are dropped; what is not
/// well-formed SVG is refused (nil).
public enum SVGSanitizer {
    static let elements: Set<String> = [
        "svg", "g", "path", "rect", "circle", "ellipse", "line", "polyline", "polygon", "text", "tspan", "title", "desc",
        "defs", "linearGradient", "radialGradient", "stop", "clipPath",
    ]
    static let attributes: Set<String> = [
        "id", "viewBox", "width", "height", "x", "y", "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "fx", "fy", "d", "points",
        "fill", "fill-opacity", "fill-rule", "stroke", "stroke-width", "stroke-opacity", "stroke-linecap", "stroke-linejoin",
        "stroke-miterlimit", "stroke-dasharray", "opacity", "transform", "offset", "stop-color", "stop-opacity", "gradientUnits",
        "gradientTransform", "spreadMethod", "font-family", "font-size", "font-weight", "font-style", "text-anchor", "clip-path",
        "clip-rule", "preserveAspectRatio", "version", "dx", "dy", "letter-spacing",
    ]

    public static func clean(_ data: Data) -> Data? {
        // Entities are how an XML file reaches outside itself or blows up in memory: none in a logo.
        guard let text = String(data: data, encoding: .utf8), !text.contains("<!DOCTYPE"), !text.contains("<!ENTITY") else { return nil }
        let rewriter = Rewriter()
        let parser = XMLParser(data: data)
        parser.shouldResolveExternalEntities = false
        parser.delegate = rewriter
        guard parser.parse(), rewriter.sawRoot, rewriter.failed == false else { return nil }
        return Data(rewriter.output.utf8)
    }

    /// A value that cannot reach outside the drawing: no url() but to a fragment, no script.
    static func isSafe(_ value: String) -> Bool {
        let folded = value.lowercased().filter { !$0.isWhitespace }
        if folded.contains("javascript:") || folded.contains("expression(") || folded.contains("data:") { return false }
        var rest = Substring(folded)
        while let range = rest.range(of: "url(") {
            guard rest[range.upperBound...].hasPrefix("#") else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    final class Rewriter: NSObject, XMLParserDelegate {
        var output = ""
        var sawRoot = false
        var failed = false
        /// Depth inside an element being dropped with everything in it; 0 when keeping.
        private var skipping = 0
        private var open: [String] = []

        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            if !sawRoot {
                sawRoot = true
                if name != "svg" { failed = true; parser.abortParsing(); return }
            }
            if skipping > 0 || !SVGSanitizer.elements.contains(name) { skipping += 1; return }
            var tag = "<" + name
            if open.isEmpty { tag += " xmlns=\"http://www.w3.org/2000/svg\"" }
            for key in attributes.keys.sorted() where SVGSanitizer.attributes.contains(key) {
                let value = attributes[key]!
                if SVGSanitizer.isSafe(value) { tag += " \(key)=\"\(SVGSanitizer.escape(value))\"" }
            }
            output += tag + ">"
            open.append(name)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if skipping > 0 { skipping -= 1; return }
            output += "</\(open.removeLast())>"
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard skipping == 0, let current = open.last, ["text", "tspan", "title", "desc"].contains(current) else { return }
            output += SVGSanitizer.escape(string)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) { failed = true }
    }
}

/// The short code a batch's QR code and public page carry: eight characters people can read aloud
/// and type, with no 0/O, 1/I/L or U to confuse.
public enum TraceCode {
    static let alphabet = Array("23456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func make<G: RandomNumberGenerator>(using generator: inout G) -> String {
        String((0..<8).map { _ in alphabet.randomElement(using: &generator)! })
    }

    public static func isWellFormed(_ code: String) -> Bool {
        code.count == 8 && code.allSatisfy { alphabet.contains($0) }
    }
}
