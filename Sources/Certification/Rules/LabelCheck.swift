/// The fields TR CU 022/2011 (article 4.4) requires on a food product's packaging label.
public enum LabelField: String, Codable, Sendable, CaseIterable {
    case name
    case composition
    case netQuantity
    case producedOn
    case bestBefore
    case storage
    case producerName
    case producerAddress
    case batchNumber
}

/// A label's content in one language, as it would be printed.
public struct LabelContent: Sendable, Equatable {
    public var name: String
    public var composition: String
    public var netQuantity: String
    public var producedOn: String
    public var bestBefore: String
    public var storage: String
    public var producerName: String
    public var producerAddress: String
    public var batchNumber: String
    /// A food product's label must say until when it keeps; felt, textiles and cosmetics labels need not.
    public var isFood: Bool

    public init(name: String, composition: String, netQuantity: String, producedOn: String, bestBefore: String, storage: String,
                producerName: String, producerAddress: String, batchNumber: String, isFood: Bool = true) {
        self.isFood = isFood
        (self.name, self.composition, self.netQuantity, self.producedOn, self.bestBefore) = (name, composition, netQuantity, producedOn, bestBefore)
        (self.storage, self.producerName, self.producerAddress, self.batchNumber) = (storage, producerName, producerAddress, batchNumber)
    }

    public func value(_ field: LabelField) -> String {
        switch field {
        case .name: name
        case .composition: composition
        case .netQuantity: netQuantity
        case .producedOn: producedOn
        case .bestBefore: bestBefore
        case .storage: storage
        case .producerName: producerName
        case .producerAddress: producerAddress
        case .batchNumber: batchNumber
        }
    }

    public var mandatory: [LabelField] {
        isFood ? LabelField.allCases : LabelField.allCases.filter { $0 != .bestBefore }
    }

    /// Every mandatory field left blank, in the regulation's order.
    public var missing: [LabelField] {
        mandatory.filter { value($0).allSatisfy(\.isWhitespace) }
    }
}
