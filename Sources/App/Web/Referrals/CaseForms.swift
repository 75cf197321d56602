import AsharNetwork
import Foundation
import Kernel
import Referrals
import Vapor

/// The fields of a help request, as the case worker's "open a case" form and the time bank staff's
/// "ask a help centre" form both send them.
struct CaseForm: Content {
    var alias: String?
    var situations: [String]?
    var risk_level: String?
    var village_id: String?
    var provider_sex: String?
    var languages: [String]?
    var safe_contact: String?
    var safe_time: String?
    var never: String?
    var notes: String?
    var help_centre_id: String?

    func draft(_ req: Request) -> CaseDraft {
        CaseDraft(alias: alias ?? "", situations: Set((situations ?? []).compactMap(Situation.init(rawValue:))),
                  riskLevel: risk_level.flatMap(RiskLevel.init(rawValue:)) ?? .medium, villageID: req.uuid(village_id),
                  preferences: Preferences(providerSex: provider_sex.nonBlank, languages: languages ?? [], safeContact: safe_contact.nonBlank,
                                           safeTime: safe_time.nonBlank, never: never.nonBlank),
                  notes: notes ?? "")
    }
}

/// What the case form shows: the choices with the values typed so far, and the problems beside them.
struct CaseFormView: Encodable {
    let values: [String: String]
    let situations: [Choice]
    let risks: [Choice]
    /// The villages' `<option>`s (`villageOptions`).
    let villages: String
    let sexes: [Choice]
    let languages: [Choice]
    let helpCentres: [Choice]
    let errors: FieldErrors

    init(_ req: Request, _ form: CaseForm, errors: FieldErrors, helpCentres: [OrganisationRecord] = []) async throws {
        values = ["alias": form.alias ?? "", "safe_contact": form.safe_contact ?? "", "safe_time": form.safe_time ?? "",
                  "never": form.never ?? "", "notes": form.notes ?? ""]
        situations = Situation.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.situation.\($0.rawValue)"),
                                                     selected: form.situations?.contains($0.rawValue) ?? false) }
        risks = RiskLevel.allCases.map { Choice(value: $0.rawValue, label: req.t("referrals.risk.\($0.rawValue)"),
                                                selected: $0.rawValue == (form.risk_level ?? RiskLevel.medium.rawValue)) }
        villages = try await req.villageOptions(selected: form.village_id)
        sexes = [("", "referrals.sex.any"), ("female", "referrals.sex.female"), ("male", "referrals.sex.male")].map {
            Choice(value: $0.0, label: req.t($0.1), selected: $0.0 == (form.provider_sex ?? ""))
        }
        languages = ["ky", "ru", "en"].map { Choice(value: $0, label: req.t("referrals.language.\($0)"), selected: form.languages?.contains($0) ?? false) }
        self.helpCentres = helpCentres.map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == form.help_centre_id) }
        self.errors = errors
    }
}
