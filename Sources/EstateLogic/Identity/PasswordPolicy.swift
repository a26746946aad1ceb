import Foundation

/// The rules a new password must meet.
///
/// Length is counted in characters (what a person types), the upper bound in UTF-8 bytes because bcrypt
/// ignores everything past its 72nd byte.
public struct PasswordPolicy: Sendable {
    /// The fewest characters accepted.
    public var minimumLength = 10
    /// The most UTF-8 bytes accepted: bcrypt's limit.
    public static let maximumBytes = 72
    /// Usernames shorter than this are only compared for equality, not searched for inside the password
    /// (a one-letter username would otherwise forbid most passwords).
    public static let minimumUsernameLengthForContainment = 3

    /// The standard policy: at least 10 characters.
    public static let standard = PasswordPolicy()

    /// A policy requiring at least `minimumLength` characters.
    public init(minimumLength: Int = 10) {
        self.minimumLength = minimumLength
    }

    /// Everything wrong with `password` for the user `username`, as violations of the field `password`;
    /// empty when the password is acceptable.
    ///
    /// A password must have at least ``minimumLength`` characters and at most 72 UTF-8 bytes, must not be
    /// the username or contain it (ignoring case), and must not be one character repeated.
    public func violations(of password: String, username: String) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        func add(_ message: String) {
            violations.append(FieldViolation(field: "password", message: message))
        }
        if password.count < minimumLength {
            add("must be at least \(minimumLength) characters long")
        }
        if password.utf8.count > Self.maximumBytes {
            add("must be at most \(Self.maximumBytes) bytes in UTF-8")
        }
        let user = username.trimmingCharacters(in: .whitespacesAndNewlines)
        if !user.isEmpty {
            if password.caseInsensitiveCompare(user) == .orderedSame {
                add("must not be the username")
            } else if user.count >= Self.minimumUsernameLengthForContainment,
                      password.range(of: user, options: .caseInsensitive) != nil {
                add("must not contain the username")
            }
        }
        if let first = password.first, password.allSatisfy({ $0 == first }) {
            add("must not be a single repeated character")
        }
        return violations
    }
}
