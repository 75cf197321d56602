import Foundation
import Kernel

/// Checks shared by every registry form.
enum Check {
    /// Trimmed text, or an error when it is empty or too long.
    static func required(_ text: String, field: String, code: String, maxLength: Int = 200, into errors: inout [DomainError]) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty {
            errors.append(DomainError("\(code).\(field)-required", field: field))
        } else if trimmed.count > maxLength {
            errors.append(DomainError("\(code).\(field)-too-long", field: field, arguments: ["max": "\(maxLength)"]))
        }
        return trimmed
    }

    /// Trimmed text or nil when blank; an error when too long.
    static func optional(_ text: String?, field: String, code: String, maxLength: Int = 200, into errors: inout [DomainError]) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        if trimmed.count > maxLength {
            errors.append(DomainError("\(code).\(field)-too-long", field: field, arguments: ["max": "\(maxLength)"]))
        }
        return trimmed
    }

    /// A name written in Cyrillic (Kyrgyz or Russian letters, spaces, hyphens, apostrophes).
    static func isCyrillicName(_ name: String) -> Bool {
        name.unicodeScalars.contains { (0x0400...0x04FF).contains($0.value) } &&
        name.unicodeScalars.allSatisfy { scalar in
            (0x0400...0x04FF).contains(scalar.value) || " -'’.".unicodeScalars.contains(scalar)
        }
    }
}
