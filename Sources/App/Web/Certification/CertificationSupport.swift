import AsharNetwork
import Certification
import Fluent
import Foundation
import Kernel
import Localization
import Producers
import Vapor

/// Where certification keeps its files: `certification/` in the data directory (a temporary one in tests),
/// one folder per kind, each file named by its record's id.
struct CertificationFiles: Sendable {
    let root: URL
    var scans: FileStore { FileStore(root.appendingPathComponent("documents")) }
    var logos: FileStore { FileStore(root.appendingPathComponent("logos")) }
    var photos: FileStore { FileStore(root.appendingPathComponent("photos")) }
}

extension Application {
    private struct CertificationFilesKey: StorageKey { typealias Value = CertificationFiles }

    var certificationFiles: CertificationFiles {
        get {
            storage[CertificationFilesKey.self]
                ?? CertificationFiles(root: URL(fileURLWithPath: DatabaseChoice.dataDirectory()).appendingPathComponent("certification"))
        }
        set { storage[CertificationFilesKey.self] = newValue }
    }
}

extension Request {
    /// The address a batch's QR code opens.
    func publicURL(forBatch code: String) -> String { publicURL("/p/\(code)") }
}

/// A certification step's cost shared among the producer group's members: the step is marked shared and
/// each member's account with the group is charged her share, in one transaction.
enum CertificationCosts {
    static func share(_ stepID: UUID, of productID: UUID, note: String, on db: any Database, by actor: Actor) async throws -> (StepRecord, [UUID: Int]) {
        try await db.writeTransaction { tx in
            let step = try await PathService(db: tx).step(stepID)
            guard step.productID == productID else { throw DomainError.notFound("certification.step") }
            let (shared, group) = try await PathService(db: tx).markShared(stepID, by: actor)
            let shares = try await MemberAccountService(db: tx).shareCost(group, amount: shared.draft.cost, source: stepID, note: note, by: actor)
            return (shared, shares)
        }
    }
}

/// The select boxes and names the certification pages share.
extension Request {
    /// Producer groups of the network, by name, as choices.
    func producerGroupChoices(selected: UUID?) async throws -> [Choice] {
        try await network.organisations.list(OrganisationFilter(kind: .producerGroup), page: PageQuery(page: 1, per: 500)).items
            .map { Choice(value: $0.id.uuidString, label: $0.name, selected: $0.id == selected) }
    }

    func categoryChoices(selected: String?) -> [Choice] {
        ProductCategory.allCases.map { Choice(value: $0.rawValue, label: t("certification.category.\($0.rawValue)"), selected: $0.rawValue == selected) }
    }

    /// A product's name in the user's language: Kyrgyz for ky, Russian otherwise (both are kept).
    func productName(_ product: ProductRecord) -> String {
        product.name(appLocale.rawValue == "ky" ? .ky : .ru)
    }

    /// "500 g" in the user's language.
    func netQuantity(_ draft: ProductDraft) -> String {
        draft.netQuantity.map { "\($0) " + t("certification.unit.\(draft.netUnit.rawValue)") } ?? ""
    }

    /// Its status as it stands today: a registered document past its expiry says it has expired.
    func documentStatus(_ document: DocumentRecord, today: String) -> String {
        document.status == .registered && document.draft.expiresOn < today
            ? t("certification.expired") : t("certification.status.\(document.status.rawValue)")
    }

    func documentTitle(_ document: DocumentRecord) -> String {
        t("certification.document-type.\(document.draft.type.rawValue)") + " " + document.draft.number
    }
}
