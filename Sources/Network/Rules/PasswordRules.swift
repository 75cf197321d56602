import Kernel

/// Staff use passwords; members may use a PIN, typed on a basic phone.
public enum PasswordRules {
    public static let minimumPasswordLength = 10
    public static let pinLengths = 4...8

    public static func check(password: String, isPIN: Bool) -> DomainError? {
        if isPIN {
            guard pinLengths.contains(password.count), password.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                return DomainError("network.user.pin-invalid", field: "password",
                                   arguments: ["min": "\(pinLengths.lowerBound)", "max": "\(pinLengths.upperBound)"])
            }
            return nil
        }
        if password.count < minimumPasswordLength {
            return DomainError("network.user.password-too-short", field: "password", arguments: ["min": "\(minimumPasswordLength)"])
        }
        if Set(password).count < 4 {
            return DomainError("network.user.password-too-simple", field: "password")
        }
        return nil
    }
}
