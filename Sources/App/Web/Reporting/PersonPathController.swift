import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Needs
import Producers
import Reporting
import TimeBank
import Training
import Vapor

/// A woman's path across the network on one page — time banks, producer groups, surveys, products,
/// trainings and consultations — for staff who read the people registry, and only once she has agreed;
/// staff who register people record her consent (or its withdrawal). Her referral cases never appear.
/// The title names no one.
struct PersonPathController: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("people", ":id", "path", use: path)
        routes.post("people", ":id", "path-consent", use: consent)
    }

    struct Line: Encodable {
        let href: String?
        let label: String
        let detail: String
    }

    struct Section: Encodable {
        let title: String
        let lines: [Line]
    }

    struct PathPage: Encodable {
        let personID: UUID
        let name: String
        let consentOn: String?
        let canRecordConsent: Bool
        let sections: [Section]
    }

    @Sendable func path(req: Request) async throws -> Response {
        let user = try req.require(.readPeople)
        let person = try await req.network.people.get(try req.pathID())
        var sections: [Section] = []
        if person.pathConsentAt != nil {
            sections = try await Self.sections(PersonPath.of(person.id, on: req.db), req)
        }
        return try await req.render("people/path", title: req.t("path.title"), PathPage(
            personID: person.id, name: person.fullName, consentOn: person.pathConsentAt.map(BishkekCalendar.day(of:)),
            canRecordConsent: user.permits(.writePeople), sections: sections))
    }

    @Sendable func consent(req: Request) async throws -> Response {
        try req.require(.writePeople)
        let id = try req.pathID()
        let given = (try? req.content.get(String.self, at: "given")) == "1"
        _ = try await req.network.people.setPathConsent(id, given: given, by: req.actor)
        return req.redirect(to: "/people/\(id)/path", redirectType: .normal)
    }

    static func sections(_ path: PersonPath, _ req: Request) async throws -> [Section] {
        let lang = req.appLocale.rawValue
        let organisations = try await req.network.organisations.lookup(path.timeBanks.map(\.bankID) + path.groups.map(\.membership.groupID))
        func name(_ id: UUID) -> String { organisations[id]?.name ?? "—" }
        let villages = try await req.network.geography.lookup(Set(path.trainings.map(\.draft.villageID)))
        var forms: [UUID: String] = [:]
        for formID in Set(path.surveys.map(\.formID)) {
            let d = try await FormService(db: req.db).form(formID).definition
            forms[formID] = FormDefinition.text(d.title, lang, default: d.defaultLanguage) ?? d.formID
        }
        let all: [Section] = [
            Section(title: req.t("timebanks.title"), lines: path.timeBanks.map { m in
                Line(href: "/timebanks/\(m.bankID)/members/\(m.id)", label: name(m.bankID),
                     detail: req.t("path.time-bank", ["number": m.memberNumber, "joined": m.joinedOn, "balance": req.duration(m.balanceMinutes)]))
            }),
            Section(title: req.t("producers.title"), lines: path.groups.map { g in
                Line(href: "/producer-groups/\(g.membership.groupID)/members/\(g.membership.id)", label: name(g.membership.groupID),
                     detail: req.t("path.group", ["produces": g.membership.produces, "joined": g.membership.joinedOn,
                                                  "balance": "\(Som.format(g.balance)) \(req.t("producers.som"))"]))
            }),
            Section(title: req.t("path.surveys"), lines: path.surveys.map { s in
                Line(href: nil, label: forms[s.formID] ?? "—", detail: s.submittedAt.map(BishkekCalendar.day(of:)) ?? "")
            }),
            Section(title: req.t("path.products"), lines: path.products.map { p in
                Line(href: "/products/\(p.id)", label: req.productName(p), detail: req.t("certification.category.\(p.draft.category.rawValue)"))
            }),
            Section(title: req.t("path.trainings"), lines: path.trainings.map { s in
                Line(href: "/trainings/\(s.id)", label: s.draft.title,
                     detail: [s.draft.heldOn, req.t("training.topic.\(s.draft.topic.rawValue)"), villages[s.draft.villageID]?.name.named(lang) ?? ""]
                        .filter { !$0.isEmpty }.joined(separator: " · "))
            }),
            Section(title: req.t("training.consultations"), lines: path.consultations.map { c in
                Line(href: nil, label: req.t("training.topic.\(c.draft.topic.rawValue)"), detail: "\(c.draft.heldOn) · \(c.draft.advisor)")
            }),
        ]
        return all.filter { !$0.lines.isEmpty }
    }
}
