import AsharNetwork
import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Vapor

/// A reminder by SMS to the members of a producer group ("the seeds come on Friday; bring 500 som"):
/// one SMS each, to the women with a phone in the registry who agreed to be contacted. The count is
/// audited; the text is not kept.
struct RemindersController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("producer-groups", ":group", "reminder", use: form)
        routes.post("producer-groups", ":group", "reminder", use: send)
    }

    struct ReminderForm: Content {
        var text: String?
    }

    struct Page: Encodable {
        let tabs: GroupTabs
        let groupID: UUID
        let form: ReminderForm
        let reachable: Int
        let unreachable: Int
        let sent: String?
        let error: String?
    }

    @Sendable func form(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        return try await render(req, scope, form: ReminderForm(), sent: nil, error: nil)
    }

    @Sendable func send(req: Request) async throws -> Response {
        let scope = try await GroupScope.load(req)
        let form = try req.content.decode(ReminderForm.self)
        let text = (form.text ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty, text.utf16.count <= SMSConversation.length else {
            return try await render(req, scope, form: form, sent: nil, error: req.t("sms.reminder.length"), status: .unprocessableEntity)
        }
        let phones = try await Self.reachable(scope.group.id, req).phones
        var sent = 0
        for phone in phones {
            do {
                try await req.application.sms.send(SMSMessage(to: phone, text: text))
                sent += 1
            } catch {
                req.logger.warning("sms: the gateway did not take a reminder")
            }
        }
        try await AuditLog.record(on: req.db, actor: req.actor, action: "sms-reminder", entity: "producer_group", entityID: scope.group.id,
                                  changes: [FieldChange(field: "recipients", from: nil, to: String(sent))])
        let failed = phones.count - sent
        return try await render(req, scope, form: failed > 0 ? form : ReminderForm(), sent: req.catalogue.plural("sms.reminder.sent", count: sent),
                                error: failed > 0 ? req.catalogue.plural("sms.reminder.failed", count: failed) : nil)
    }

    /// The members' phones that may be texted (each once), and how many members cannot be.
    static func reachable(_ groupID: UUID, _ req: Request) async throws -> (phones: [String], unreachable: Int) {
        let members = try await ProducerGroupService(db: req.db).members(groupID, page: PageQuery(page: 1, per: 1_000)).items
        let people = try await PeopleService(db: req.db).lookup(members.map(\.personID))
        let phones = members.compactMap { people[$0.personID] }.filter(\.contactConsent).compactMap { $0.phone.flatMap(PhoneNumber.normalise) }
        return (Array(Set(phones)).sorted(), members.count - phones.count)
    }

    func render(_ req: Request, _ scope: GroupScope, form: ReminderForm, sent: String?, error: String?,
                status: HTTPResponseStatus = .ok) async throws -> Response {
        let (phones, unreachable) = try await Self.reachable(scope.group.id, req)
        return try await req.render("producers/reminder", title: req.t("sms.reminder.title"), Page(
            tabs: GroupTabs(req, scope, current: "/reminder"), groupID: scope.group.id, form: form,
            reachable: phones.count, unreachable: unreachable, sent: sent, error: error), status: status)
    }
}
