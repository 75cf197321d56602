import AsharNetwork
import Crypto
import Fluent
import Foundation
import Kernel
import Vapor

/// Members' texts in, replies out. The gateway posts each text it receives to `/sms/inbound` (form or
/// JSON fields `from` and `text`), proving itself with the shared secret in the `X-SMS-Secret` header;
/// the reply goes back through the gateway. Neither the number nor the text is logged: a balance is hers.
/// `/sms` lets an admin try a text as a member would send it and read the reply, without a gateway.
struct SMSController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post("sms", "inbound", use: inbound)
    }

    /// The pages, under the form token like every other.
    struct Pages: RouteCollection {
        func boot(routes: any RoutesBuilder) throws {
            routes.get("sms", use: tryForm)
            routes.post("sms", use: tryText)
        }

        struct TryForm: Content {
            var phone: String?
            var text: String?
        }

        struct TryPage: Encodable {
            let form: TryForm
            let reply: String?
            let length: Int?
            let error: String?
        }

        @Sendable func tryForm(req: Request) async throws -> Response {
            try req.require(.manageUsers)
            return try await req.render("sms/try", title: req.t("sms.try.title"), TryPage(form: TryForm(), reply: nil, length: nil, error: nil))
        }

        @Sendable func tryText(req: Request) async throws -> Response {
            try req.require(.manageUsers)
            let form = try req.content.decode(TryForm.self)
            guard let phone = PhoneNumber.normalise(form.phone ?? "") else {
                return try await req.render("sms/try", title: req.t("sms.try.title"),
                                            TryPage(form: form, reply: nil, length: nil, error: req.t("error.network.person.phone-invalid")),
                                            status: .unprocessableEntity)
            }
            let reply = try await SMSConversation(db: req.db).reply(to: form.text ?? "", from: phone)
            return try await req.render("sms/try", title: req.t("sms.try.title"),
                                        TryPage(form: form, reply: reply.text, length: reply.text.utf16.count, error: nil))
        }
    }

    struct Inbound: Content {
        let from: String
        let text: String
    }

    @Sendable func inbound(req: Request) async throws -> HTTPStatus {
        guard let secret = req.application.smsWebhookSecret else { throw Abort(.notFound) }
        guard let given = req.headers.first(name: "X-SMS-Secret"),
              SHA256.hash(data: Data(given.utf8)) == SHA256.hash(data: Data(secret.utf8)) else { throw Abort(.unauthorized) }
        let message = try req.content.decode(Inbound.self)
        guard let phone = PhoneNumber.normalise(message.from) else { throw Abort(.badRequest) }
        let reply = try await SMSConversation(db: req.db).reply(to: String(message.text.prefix(480)), from: phone)
        do {
            try await req.application.sms.send(reply)
        } catch {
            req.logger.warning("sms: the gateway did not take a reply")
            throw Abort(.badGateway)
        }
        return .ok
    }
}
