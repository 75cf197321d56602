import AsharNetwork
import Foundation

/// What a product is, as the technical regulations sort products.
public enum ProductCategory: String, Codable, Sendable, CaseIterable {
    case honey
    case dairy
    case fruitVegetables = "fruit-vegetables"
    case bakery
    case meat
    case grain
    case herbsTea = "herbs-tea"
    case felt
    case textiles
    case cosmetics
    case other

    public var isFood: Bool { ![.felt, .textiles, .cosmetics, .other].contains(self) }
}

public enum NetUnit: String, Codable, Sendable, CaseIterable {
    case g, kg, ml, l, pcs
}

public enum RegulationKind: String, Codable, Sendable, CaseIterable {
    /// A technical regulation of the Customs Union / EAEU (TR CU): mandatory across the Union.
    case technicalRegulation = "technical-regulation"
    case nationalStandard = "national-standard"
    case law
}

/// What a rule asks of a product under a regulation.
public enum Evidence: String, Codable, Sendable, CaseIterable {
    case declaration
    case certificate
    /// A group certificate under a participatory guarantee system (organic).
    case pgsCertificate = "pgs-certificate"
    /// No document: the packaging label must carry every mandatory field (TR CU 022/2011).
    case label
}

public enum DocumentType: String, Codable, Sendable, CaseIterable {
    case declaration
    case certificate
    case pgsCertificate = "pgs-certificate"

    /// Whether a document of this type meets a rule asking for `evidence`: a certificate is stronger than a declaration.
    public func meets(_ evidence: Evidence) -> Bool {
        switch evidence {
        case .declaration: self == .declaration || self == .certificate
        case .certificate: self == .certificate
        case .pgsCertificate: self == .pgsCertificate || self == .certificate
        case .label: false
        }
    }
}

/// A registered document is never edited: it is replaced by a new registration, suspended or terminated.
public enum DocumentStatus: String, Codable, Sendable, CaseIterable {
    case registered
    case replaced
    case suspended
    case terminated
}

public enum StepKind: String, Codable, Sendable, CaseIterable {
    case consultation
    case sampling
    case application
    case registration
    case other
}

/// What a participatory guarantee's peer visit looks at on a member's plot or workshop.
public enum ChecklistItem: String, Codable, Sendable, CaseIterable {
    case noSyntheticFertiliser = "no-synthetic-fertiliser"
    case noSyntheticPesticide = "no-synthetic-pesticide"
    case noGMOSeed = "no-gmo-seed"
    case bufferZone = "buffer-zone"
    case cleanWater = "clean-water"
    case separateStorage = "separate-storage"
    case animalWelfare = "animal-welfare"
    case recordsKept = "records-kept"
}

/// The local council's decision after a peer visit.
public enum CouncilDecision: String, Codable, Sendable, CaseIterable {
    case pending
    case approved
    case conditions
    case refused
}

public enum Sanction: String, Codable, Sendable, CaseIterable {
    case none
    case warning
    case suspension
    case exclusion
}

public enum LogoKind: String, Codable, Sendable {
    case png
    case svg
}

public enum PhotoKind: String, Codable, Sendable {
    case png
    case jpeg
}

/// Who may see and keep the certification records: network coordinators and admins.
public enum CertificationAccess {
    public static func canManage(_ grants: [Grant]) -> Bool {
        grants.contains { $0.role == .admin || $0.role == .coordinator }
    }
}
