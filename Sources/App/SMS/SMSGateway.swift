import Foundation
import Metrics
import Vapor

/// A text for one phone: digits with the country code ("996555123456"), and what it says.
struct SMSMessage: Sendable, Equatable {
    let to: String
    let text: String
}

/// The one door between Ashar and an SMS gateway. Replies to members and staff's reminders go out
/// through it; what members text comes in by the gateway's webhook (`SMSController`).
protocol SMSGateway: Sendable {
    func send(_ message: SMSMessage) async throws
}

/// A common HTTP gateway: each message is a form POST of `to` and `text` to its address, with its token
/// as a bearer (`ASHAR_SMS_URL`, `ASHAR_SMS_TOKEN`). A refusal (not 2xx) is an error for the caller.
struct HTTPSMSGateway: SMSGateway {
    let client: any Client
    let url: URI
    let token: String

    func send(_ message: SMSMessage) async throws {
        let response = try await client.post(url) { request in
            request.headers.bearerAuthorization = BearerAuthorization(token: token)
            try request.content.encode(["to": message.to, "text": message.text], as: .urlEncodedForm)
        }
        guard (200..<300).contains(response.status.code) else { throw SMSGatewayError.refused(response.status.code) }
    }
}

/// No gateway configured: nothing leaves the server. What would have been sent is counted, never logged
/// (a balance is hers alone).
struct NoSMSGateway: SMSGateway {
    func send(_ message: SMSMessage) async throws {
        _ = AsharMetrics.registry
        Counter(label: "ashar_sms_not_sent_total").increment()
    }
}

enum SMSGatewayError: Error {
    case refused(UInt)
}

extension Application {
    private struct SMSGatewayKey: StorageKey { typealias Value = any SMSGateway }
    private struct SMSSecretKey: StorageKey { typealias Value = String }

    /// What the gateway shows to post to the webhook (`ASHAR_SMS_SECRET`); none: the webhook is off.
    var smsWebhookSecret: String? {
        get { storage[SMSSecretKey.self] ?? Environment.get("ASHAR_SMS_SECRET").flatMap { $0.isEmpty ? nil : $0 } }
        set { storage[SMSSecretKey.self] = newValue }
    }

    /// The gateway configured by `ASHAR_SMS_URL` and `ASHAR_SMS_TOKEN`, or none; tests put their own.
    var sms: any SMSGateway {
        get {
            if let gateway = storage[SMSGatewayKey.self] { return gateway }
            guard let url = Environment.get("ASHAR_SMS_URL"), !url.isEmpty else { return NoSMSGateway() }
            return HTTPSMSGateway(client: client, url: URI(string: url), token: Environment.get("ASHAR_SMS_TOKEN") ?? "")
        }
        set { storage[SMSGatewayKey.self] = newValue }
    }
}
