import Foundation
import Testing
import Yams

/// Requests made from `openapi.yaml`: for an operation, the smallest body and query its schema
/// accepts (required fields only, enums' first value, dates and ids of the right shape). Lets a test
/// reach the handler behind the decoder, so what answers is the access rule, not the input check.
struct SpecRequests {
    struct Request {
        var query: String
        var body: Data?
        var contentType: String?
    }

    private let paths: [String: Any]
    private let components: [String: Any]
    /// Values for fields and query parameters the test knows a good value for (`bankId`: the bank asked about).
    private let known: [String: String]

    init(yaml: String, known: [String: String] = [:]) throws {
        let spec = try #require(try Yams.load(yaml: yaml) as? [String: Any])
        paths = spec["paths"] as? [String: Any] ?? [:]
        components = spec["components"] as? [String: Any] ?? [:]
        self.known = known
    }

    /// The request for a route of the API (`/api/v1/rounds/:round/close`), or nil if the spec has no such operation.
    func request(_ method: String, _ routePath: String) -> Request? {
        guard let item = paths[Self.specPath(routePath)] as? [String: Any],
              let operation = item[method.lowercased()] as? [String: Any] else { return nil }
        let parameters = (item["parameters"] as? [Any] ?? []) + (operation["parameters"] as? [Any] ?? [])
        let query = parameters.compactMap { resolve($0) as? [String: Any] }
            .filter { $0["in"] as? String == "query" && $0["required"] as? Bool == true }
            .compactMap { parameter -> String? in
                guard let name = parameter["name"] as? String else { return nil }
                return "\(name)=\(Self.text(known[name] ?? example(parameter["schema"] ?? [:])))"
            }.joined(separator: "&")
        var request = Request(query: query)
        if let content = (resolve(operation["requestBody"] ?? [:]) as? [String: Any])?["content"] as? [String: Any],
           let type = content.keys.sorted().first {
            request.contentType = type
            if type == "application/json" {
                let schema = (content[type] as? [String: Any])?["schema"] ?? [:]
                request.body = try? JSONSerialization.data(withJSONObject: example(schema), options: [.fragmentsAllowed])
            } else {
                request.body = Data("%PDF-1.4\n".utf8)
            }
        }
        return request
    }

    /// The statuses the spec lets the operation answer (`"default"` among them when it has one).
    func statuses(_ method: String, _ routePath: String) -> Set<String> {
        guard let operation = (paths[Self.specPath(routePath)] as? [String: Any])?[method.lowercased()] as? [String: Any] else { return [] }
        return Set((operation["responses"] as? [String: Any] ?? [:]).keys)
    }

    /// `/api/v1/rounds/:round/close` as the spec writes it: `/rounds/{round}/close`.
    private static func specPath(_ routePath: String) -> String {
        "/" + routePath.dropFirst("/api/v1".count).split(separator: "/")
            .map { $0.hasPrefix(":") ? "{\($0.dropFirst())}" : String($0) }.joined(separator: "/")
    }

    /// A `$ref` (`#/components/requestBodies/PlaceInput`) replaced by what it names.
    private func resolve(_ node: Any) -> Any {
        guard let ref = (node as? [String: Any])?["$ref"] as? String else { return node }
        let parts = ref.split(separator: "/").map(String.init)
        guard parts.count == 4, let section = components[parts[2]] as? [String: Any] else { return node }
        return resolve(section[parts[3]] ?? [:])
    }

    /// The smallest value the schema accepts.
    private func example(_ node: Any) -> Any {
        let schema = resolve(node) as? [String: Any] ?? [:]
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        if let choices = (schema["oneOf"] ?? schema["anyOf"]) as? [Any], let first = choices.first { return example(first) }
        if let parts = schema["allOf"] as? [Any] {
            return parts.reduce(into: [String: Any]()) { merged, part in
                merged.merge(example(part) as? [String: Any] ?? [:]) { $1 }
            }
        }
        switch schema["type"] as? String {
        case "object", nil where schema["properties"] != nil:
            let properties = schema["properties"] as? [String: Any] ?? [:]
            let required = schema["required"] as? [String] ?? []
            return required.reduce(into: [String: Any]()) { object, name in object[name] = known[name] ?? example(properties[name] ?? [:]) }
        case "array":
            let count = schema["minItems"] as? Int ?? 0
            return (0..<max(count, 1)).map { _ in example(schema["items"] ?? [:]) }
        case "integer": return schema["minimum"] as? Int ?? 1
        case "number": return 1
        case "boolean": return false
        default:
            switch schema["format"] as? String {
            case "uuid": return UUID().uuidString
            case "date": return "2026-11-20"
            case "date-time": return "2026-11-20T10:00:00Z"
            default: return "x"
            }
        }
    }

    private static func text(_ value: Any) -> String {
        "\(value)".addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? ""
    }
}
