import AsharNetwork
import Fluent
import Foundation
import Kernel
import Leaf
import Localization
import Needs
import OpenAPIRuntime
import PostgresNIO
import SQLiteNIO
import AsyncKit
import TimeBank
import Vapor

/// Turns every error into a clear answer in the user's language: a JSON error body for the API,
/// an error page for the web. Only a bug gives 500, and it is logged without the request's data.
struct AsharErrorMiddleware: AsyncMiddleware {
    struct Failure {
        var status: HTTPResponseStatus
        var code: String
        var key: String
        var arguments: [String: String] = [:]
        var field: String?
        var headers: HTTPHeaders = [:]
        /// Every field's error, when the input broke several rules at once.
        var all: [DomainError] = []
        /// What is wrong with a file, where.
        var problems: [Problem] = []
    }

    struct Problem {
        var file: String?
        var sheet: String?
        var row: Int?
        var line: Int?
        var error: DomainError
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            return try await next.respond(to: request)
        } catch {
            if ((error as? ServerError)?.underlyingError ?? error) is DatabaseUnavailable {
                request.application.postgresStuckWrites?.renewPool(of: request.application)
            }
            let failure = Self.failure(for: error, request: request)
            if failure.status == .internalServerError || failure.code == Self.writeConflict.code {
                // The error's text may quote stored values (a constraint's key, say): it goes to the
                // debug level only; the default log keeps the route and the error's type.
                // An API handler's error arrives wrapped by the OpenAPI runtime, with the request and its
                // headers (a bearer token): only what is inside is logged.
                let cause = (error as? ServerError)?.underlyingError ?? error
                let route = request.routePattern
                var metadata: Logger.Metadata = ["route": .string(route), "type": .string(String(describing: type(of: cause)))]
                // PostgreSQL's code for what went wrong (40P01: a deadlock) names no value.
                if let postgres = cause as? PSQLError {
                    metadata["psql"] = .string(postgres.code.description)
                    if let state = postgres.serverInfo?[.sqlState] { metadata["sqlstate"] = .string(state) }
                }
                // A write conflict is sent back to be tried again, but two writers that lock rows in
                // different orders are a fault to mend: logged too.
                if failure.status == .internalServerError {
                    request.logger.error("unhandled error", metadata: metadata)
                } else {
                    request.logger.warning("write conflict, sent back to be tried again", metadata: metadata)
                }
                request.logger.debug("unhandled error detail", metadata: ["error": .string(String(reflecting: cause))])
            }
            if failure.status.code >= 300 && failure.status.code < 400 {
                return Response(status: failure.status, headers: failure.headers)
            }
            return try await Self.render(failure, for: request)
        }
    }

    static func failure(for error: any Error, request: Request) -> Failure {
        switch error {
        case let domain as DomainError:
            return Failure(status: status(for: domain.kind), code: domain.code, key: domain.key,
                           arguments: domain.arguments, field: domain.field)
        case let many as ValidationErrors:
            var first = failure(for: many.errors.first ?? DomainError("request.invalid"), request: request)
            first.all = many.errors
            return first
        case let failed as ImportFailed:
            // Each wrong line of a file, its number in the field: "line 4: tiers".
            var result = failure(for: ValidationErrors(failed.problems.flatMap { problem in
                problem.errors.map { DomainError($0.code, field: "line \(problem.line)" + ($0.field.map { ": " + $0 } ?? ""), arguments: $0.arguments) }
            }), request: request)
            result.problems = failed.problems.flatMap { problem in problem.errors.map { Problem(file: problem.file, line: problem.line, error: $0) } }
            return result
        case let refused as FormRefused:
            return Failure(status: .unprocessableEntity, code: "needs.form.invalid", key: "error.needs.form.invalid",
                           arguments: ["count": String(refused.problems.count)],
                           problems: refused.problems.map { Problem(sheet: $0.sheet, row: $0.row, error: $0.error) })
        case is PossibleDuplicate:
            return Failure(status: .conflict, code: "network.person.possible-duplicate", key: "error.network.person.possible-duplicate")
        case let server as ServerError:
            // Input that could not be parsed never reached a handler: the client's mistake.
            if server.operationInput == nil && !(server.underlyingError is DomainError) && !(server.underlyingError is any AbortError) {
                return Failure(status: .badRequest, code: "request.malformed", key: "error.request.malformed")
            }
            return failure(for: server.underlyingError, request: request)
        case is DecodingError:
            return Failure(status: .badRequest, code: "request.malformed", key: "error.request.malformed")
        case let postgres as PSQLError where Self.isWriteConflict(postgres):
            return writeConflict
        case let postgres as PSQLError where Self.isUnavailable(postgres):
            return unavailable
        case is ConnectionPoolTimeoutError, is ConnectionPoolError, is DatabaseUnavailable:
            return unavailable
        case let sqlite as SQLiteError where sqlite.reason == .full:
            // The disk is full: the write was rolled back whole, and will go through once there is room.
            return Failure(status: .insufficientStorage, code: "server.storage-full", key: "error.server.storage-full")
        case let abort as any AbortError:
            if abort.status == .forbidden && abort.reason == "csrf" {
                return Failure(status: .forbidden, code: "request.csrf", key: "error.request.csrf")
            }
            if abort.status == .payloadTooLarge {
                return Failure(status: .payloadTooLarge, code: "request.too-large", key: "error.request.too-large")
            }
            var f = Failure(status: abort.status, code: "http.\(abort.status.code)", key: "error.http.\(generic(abort.status))")
            f.headers = abort.headers
            return f
        default:
            return Failure(status: .internalServerError, code: "http.500", key: "error.http.500")
        }
    }

    /// The database is restarting or out of reach: nothing of the request was written; the next may succeed.
    static var unavailable: Failure {
        var f = Failure(status: .serviceUnavailable, code: "server.database-unavailable", key: "error.server.database-unavailable")
        f.headers = ["Retry-After": "5"]
        return f
    }

    /// PostgreSQL cancelled the transaction to let another through: rolled back whole, it can be sent again.
    static var writeConflict: Failure {
        var f = Failure(status: .serviceUnavailable, code: "server.write-conflict", key: "error.server.write-conflict")
        f.headers = ["Retry-After": "1"]
        return f
    }

    /// A deadlock (40P01) or a serialization failure (40001).
    static func isWriteConflict(_ error: PSQLError) -> Bool {
        error.code == .server && ["40P01", "40001"].contains(error.serverInfo?[.sqlState] ?? "")
    }

    /// A lost connection, or the server shutting down or starting up (SQLSTATE classes 08 and 57).
    /// PostgresNIO calls a shutdown's FATAL message "unexpected" when it comes after a statement's
    /// CommandComplete and before its ReadyForQuery (CI, 2026-12-05: one 500 in a restart under load),
    /// and closes the connection: whether that statement took effect is not known, and a resend under
    /// its Idempotency-Key finds out.
    static func isUnavailable(_ error: PSQLError) -> Bool {
        switch error.code {
        case .clientClosedConnection, .serverClosedConnection, .connectionError, .uncleanShutdown, .unexpectedBackendMessage: return true
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            return state.hasPrefix("08") || state.hasPrefix("57")
        default: return false
        }
    }

    static func status(for kind: DomainError.Kind) -> HTTPResponseStatus {
        switch kind {
        case .invalid: .unprocessableEntity
        case .notFound: .notFound
        case .conflict: .conflict
        case .forbidden: .forbidden
        }
    }

    /// The statuses that have their own message; others share the nearest one.
    static func generic(_ status: HTTPResponseStatus) -> Int {
        switch status.code {
        case 400, 401, 403, 404, 405, 429: Int(status.code)
        case 400..<500: 400
        default: 500
        }
    }

    /// The API's error body for a failure, in the request's language.
    static func apiErrorJSON(_ failure: Failure, for request: Request) throws -> String {
        let body = APIErrorBody(error: .init(
            code: failure.code, message: request.catalogue.text(failure.key, failure.arguments), field: failure.field,
            errors: failure.all.isEmpty ? nil : failure.all.map {
                .init(code: $0.code, message: request.t($0.key, $0.arguments), field: $0.field, errors: nil, problems: nil)
            },
            problems: failure.problems.isEmpty ? nil : failure.problems.map {
                .init(file: $0.file, sheet: $0.sheet, row: $0.row, line: $0.line, code: $0.error.code, message: request.t($0.error.key, $0.error.arguments))
            }))
        // Sorted: a replay of a kept refusal is then the first answer byte for byte.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(body), as: UTF8.self)
    }

    /// The answer to keep under an `Idempotency-Key` for a refusal met where the request's write keeps its
    /// own answer (a transfer's batch): what `render` gives the client. None for a failure that is not
    /// the client's (5xx): that one is answered but not kept, so a replay tries again.
    static func refusalReceipt(_ error: any Error, key: IdempotencyKey, request: Request) -> IdempotencyReceipt? {
        let failure = failure(for: error, request: request)
        guard (400..<500).contains(failure.status.code), let body = try? apiErrorJSON(failure, for: request) else { return nil }
        return IdempotencyReceipt(key: key, status: Int(failure.status.code), contentType: HTTPMediaType.json.serialize(), body: body)
    }

    struct ErrorPage: Encodable {
        let status: UInt
        let message: String
    }

    struct APIErrorBody: Content {
        struct Detail: Content {
            let code: String
            let message: String
            let field: String?
            let errors: [Detail]?
            let problems: [ProblemDetail]?
        }
        struct ProblemDetail: Content {
            let file: String?
            let sheet: String?
            let row: Int?
            let line: Int?
            let code: String
            let message: String
        }
        let error: Detail
    }

    static func render(_ failure: Failure, for request: Request) async throws -> Response {
        let response = try await body(failure, for: request)
        // Retry-After of a database out of reach or a write conflict, an abort's own headers.
        for (name, value) in failure.headers { response.headers.replaceOrAdd(name: name, value: value) }
        return response
    }

    private static func body(_ failure: Failure, for request: Request) async throws -> Response {
        let message = request.catalogue.text(failure.key, failure.arguments)
        if request.isAPI {
            let response = Response(status: failure.status, body: .init(string: try apiErrorJSON(failure, for: request)))
            response.headers.contentType = .json
            if failure.status == .unauthorized {
                response.headers.replaceOrAdd(name: .wwwAuthenticate, value: "Bearer")
            }
            return response
        }
        do {
            return try await request.render("error", title: request.t("error.title.\(generic(failure.status))"),
                                            ErrorPage(status: failure.status.code, message: message), status: failure.status)
        } catch {
            // The error page itself failed: plain text still tells the user what happened.
            return Response(status: failure.status, body: .init(string: message))
        }
    }
}
