import Foundation

/// Why a change to users is refused.
public enum IdentityError: Error, Sendable, Hashable {
    /// Another user of the group has this username.
    case usernameTaken(String)
    /// The user changed since the version the caller read.
    case versionMismatch(current: Int)
}
