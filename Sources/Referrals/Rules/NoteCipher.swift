import Crypto
import Foundation
import Kernel

/// Seals a case's notes and preferences with AES-GCM before they reach the database, under a key from
/// configuration. Each sealed text names its key by a fingerprint, so a key can be rotated: the new
/// key seals, the old ones still open until `ashar referrals rotate-key` has sealed everything anew.
public struct NoteCipher: Sendable {
    public let currentKeyID: String
    let keys: [String: SymmetricKey]
    let current: SymmetricKey

    static let prefix = "gcm1"
    /// How every sealed text begins (no JSON document or plain note does).
    public static let sealedPrefix = prefix + ":"

    /// `current` and any `previous` keys: 32 bytes each.
    public init(current: Data, previous: [Data] = []) throws {
        guard current.count == 32, previous.allSatisfy({ $0.count == 32 }) else { throw DomainError("referrals.key.invalid") }
        self.current = SymmetricKey(data: current)
        currentKeyID = Self.fingerprint(current)
        keys = Dictionary((previous + [current]).map { (Self.fingerprint($0), SymmetricKey(data: $0)) }, uniquingKeysWith: { _, last in last })
    }

    /// A new random key, for a network's first start.
    public static func newKey() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    /// Eight hex digits of the key's SHA-256: names the key without revealing it.
    public static func fingerprint(_ key: Data) -> String {
        SHA256.hash(data: key).prefix(4).map { String(format: "%02x", $0) }.joined()
    }

    public func seal(_ text: String) throws -> String {
        let box = try AES.GCM.seal(Data(text.utf8), using: current)
        guard let combined = box.combined else { throw DomainError("referrals.key.invalid") }
        return "\(Self.prefix):\(currentKeyID):\(combined.base64EncodedString())"
    }

    public func open(_ sealed: String) throws -> String {
        let parts = sealed.split(separator: ":", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == Self.prefix, let key = keys[parts[1]], let data = Data(base64Encoded: parts[2]) else {
            throw DomainError("referrals.key.unknown")
        }
        return String(decoding: try AES.GCM.open(try AES.GCM.SealedBox(combined: data), using: key), as: UTF8.self)
    }

    /// Sealed under an older key: to be sealed again when the key rotates.
    public func isStale(_ sealed: String) -> Bool {
        !sealed.hasPrefix("\(Self.prefix):\(currentKeyID):")
    }
}
