import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import SQLKit
import Vapor

/// Field errors as a form shows them: field name → message in the user's language.
typealias FieldErrors = [String: String]

extension Request {
    /// The messages of a failed service call, by field; the `_form` key holds errors of no field.
    func fieldErrors(_ error: any Error) -> FieldErrors? {
        let list: [DomainError]
        switch error {
        case let one as DomainError: list = [one]
        case let many as ValidationErrors: list = many.errors
        default: return nil
        }
        var errors: FieldErrors = [:]
        for error in list {
            let field = error.field ?? "_form"
            let message = t(error.key, error.arguments)
            errors[field] = errors[field].map { $0 + " " + message } ?? message
        }
        return errors
    }

    /// A UUID from a form or query value; nil when blank or malformed (the service then says what is missing).
    func uuid(_ text: String?) -> UUID? {
        text.flatMap { UUID(uuidString: $0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The user's roles, if they allow this; otherwise the login page (no user) or 403.
    func grants(_ allowed: ([Grant]) -> Bool) throws -> [Grant] {
        let user = try require(.readRegistry, or: .readAggregates)
        let grants = user.grants.map(\.grant)
        guard allowed(grants) else { throw Abort(.forbidden) }
        return grants
    }

    func pathID(_ name: String = "id") throws -> UUID {
        guard let raw = parameters.get(name), let id = UUID(uuidString: raw) else { throw Abort(.notFound) }
        return id
    }
}

extension Paged {
    var pager: Pager { Pager(page: request.page, pageCount: pageCount, total: total) }
}

/// A choice in a select box.
struct Choice: Encodable {
    let value: String
    let label: String
    let selected: Bool
}

extension Optional where Wrapped == String {
    /// Nil for a blank form field.
    var nonBlank: String? {
        guard let self, !self.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return self
    }
}

extension Request {
    /// Every village as the `<option>`s of a select, labelled with its district so namesakes can be told
    /// apart; the template places them whole. Written here rather than by a template loop: a country has
    /// 208 villages, and Leaf writing them was most of what made the registry and the board slower there.
    func villageOptions(selected: String?) async throws -> String {
        let lang = appLocale.rawValue
        let geo = network.geography
        let districts = Dictionary(uniqueKeysWithValues: try await geo.all(level: .district).map { ($0.id, $0.name.named(lang)) })
        var html = ""
        for village in try await geo.all(level: .village) {
            let label = "\(village.name.named(lang)) (\(village.districtID.flatMap { districts[$0] } ?? ""))"
            html += "<option value=\"\(village.id.uuidString)\"\(village.id.uuidString == selected ? " selected" : "")>\(HTMLText.escape(label))</option>"
        }
        return html
    }
}

extension Dictionary where Key == String {
    /// The same values under new keys, for a form whose fields share names with another's.
    func mapKeys(_ transform: (String) -> String) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: map { (transform($0.key), $0.value) })
    }
}

/// A file typed in a spreadsheet, chosen (`file`) or pasted (`text`).
struct TypedFile: Content {
    var file: File?
    var text: String?

    /// What to read: the chosen file, or without one the pasted text. A file is UTF-8, or else Windows-1251
    /// (what Excel in Russian saves a CSV as); nil when it is neither.
    var content: String? {
        guard let file, file.data.readableBytes > 0 else { return text ?? "" }
        let bytes = Array(file.data.readableBytesView)
        return String(validating: bytes, as: UTF8.self) ?? String(data: Data(bytes), encoding: .windowsCP1251)
    }
}

/// What a form sent by the page's offline queue (js/offline.js, which asks for JSON) gets back: how many
/// of its rows are stored — a copy sent before counts — and each one refused, with its reasons, to resolve.
struct QueuedAnswer<Row: Content>: Content {
    struct Refused: Content {
        let index: Int
        let row: Row?
        let errors: [String]
    }
    let booked: Int
    let message: String
    let refused: [Refused]

    func response(for req: Request) async throws -> Response {
        try await encodeResponse(status: refused.isEmpty ? .ok : .unprocessableEntity, for: req)
    }
}

extension QueuedAnswer where Row == [String: String] {
    /// One form stored.
    static func saved(_ message: String) -> Self { Self(booked: 1, message: message, refused: []) }

    /// One form refused, with each reason.
    static func refused(_ errors: FieldErrors) -> Self { Self(booked: 0, message: "", refused: [.init(index: 0, row: nil, errors: errors.values.sorted())]) }
}

extension Request {
    /// The page's offline queue is asking (it wants JSON back, not a page).
    var isQueued: Bool { headers.accept.mediaTypes.contains(.json) }

    /// The key the queue sent this form under, as the user's own (the web's keys apart from the API's).
    var queuedKey: IdempotencyKey? {
        guard let key = headers.first(name: IdempotencyMiddleware.header), !key.isEmpty, key.count <= 100, let user = currentUser else { return nil }
        return IdempotencyKey(userID: user.id, key: "web:\(key)", requestHash: "")
    }

    /// The answer given before to this queued form, if a copy of it was answered already. A copy whose
    /// change was saved but never answered (its server stopped in between) is saved: it is not saved again.
    func queuedAnswerKept() async throws -> Response? {
        guard let key = queuedKey,
              let kept = try await IdempotencyReceipt.find(userID: key.userID, key: key.key, on: db as! any SQLDatabase) else { return nil }
        guard kept.status != 0 else { return try await QueuedAnswer.saved(t("offline.saved")).response(for: self) }
        let response = Response(status: HTTPResponseStatus(statusCode: kept.status), body: .init(string: kept.body))
        response.headers.contentType = .json
        return response
    }

    /// The answer to a queued form, kept under its key (a refusal too: the same copy is refused the same way);
    /// filled in, when the change claimed the key as it was saved (`slot`).
    func keepQueuedAnswer(_ answer: QueuedAnswer<[String: String]>, slot: IdempotencySlot?) async throws -> Response {
        let response = try await answer.response(for: self)
        guard let key = queuedKey, let body = response.body.string else { return response }
        let receipt = IdempotencyReceipt(key: key, status: Int(response.status.code), contentType: "application/json", body: body)
        try await IdempotencyReceipt.keep(receipt, claimed: slot?.state == .claimed, on: db)
        return response
    }
}
