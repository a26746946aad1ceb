import Foundation

/// Why a change to users is refused.
public enum IdentityError: Error, Sendable, Hashable {
    /// Another user of the group has this username.
    case usernameTaken(String)
}

extension IdentityError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .usernameTaken(let name): "another user of the group is already called \(name)"
        }
    }
}
