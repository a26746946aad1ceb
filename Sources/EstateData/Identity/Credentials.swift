import EstateLogic
import Foundation
import HummingbirdBcrypt
import NIOPosix

/// Password hashing with bcrypt, on NIO's blocking thread pool (never on the async executors:
/// one hash at cost 12 takes about a quarter of a second of CPU).
public struct PasswordHasher: Sendable {
    /// bcrypt's work factor (4...31); 12 in production, lower in tests.
    public var cost: UInt8

    public init(cost: UInt8 = 12) {
        self.cost = min(31, max(4, cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, hash: String) async throws -> Bool {
        try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }
    }
}

/// A bearer token: `est_<group id, 32 hex>_<43 random base64url>` for a login session,
/// `esk_...` for an API key. Only its SHA-256 is stored; the group id lets a request find its
/// tenant without a global lookup.
public struct BearerToken: Sendable, Hashable, CustomStringConvertible {
    public enum Kind: String, Sendable, Hashable {
        case session = "est"
        case apiKey = "esk"
    }

    public let kind: Kind
    public let groupID: UUID
    let secret: String

    /// A new random token for the group.
    public static func make(_ kind: Kind, groupID: UUID) -> BearerToken {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
        return BearerToken(kind: kind, groupID: groupID, secret: secret)
    }

    /// Parses a token; nil for anything not shaped like one.
    public init?(_ text: String) {
        let parts = text.split(separator: "_", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let kind = Kind(rawValue: String(parts[0])), parts[1].count == 32, parts[2].count == 43,
              parts[2].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }),
              let groupID = UUID(compactHex: parts[1]) else { return nil }
        self.kind = kind
        self.groupID = groupID
        self.secret = String(parts[2])
    }

    private init(kind: Kind, groupID: UUID, secret: String) {
        self.kind = kind
        self.groupID = groupID
        self.secret = secret
    }

    /// The token as the client sends it.
    public var text: String {
        kind.rawValue + "_" + groupID.compactHex + "_" + secret
    }

    /// What is stored: SHA-256 of the whole token, hex.
    var storedHash: String {
        SHA256Hex.of(text)
    }

    /// Never the secret.
    public var description: String { "BearerToken(\(kind), group \(groupID))" }
}
