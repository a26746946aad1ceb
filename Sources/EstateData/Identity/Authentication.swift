import EstateLogic
import Foundation

/// Who is calling: a signed-in user or an integration partner's API key, and what they may see and do.
public struct Caller: Sendable, Hashable {
    public enum Credential: Sendable, Hashable {
        case session(id: UUID, user: User)
        case apiKey(id: UUID, name: String)
    }

    public let groupID: UUID
    public let credential: Credential
    /// When the session or key stops working.
    public let expiresAt: Date
    public let scope: AccessScope

    /// The signed-in user; nil for an API key.
    public var user: User? {
        if case .session(_, let user) = credential { return user }
        return nil
    }

    /// Who the audit trail names.
    public var actor: AuditActor {
        switch credential {
        case .session(_, let user): .user(user.id)
        case .apiKey(let id, _): .apiKey(id)
        }
    }
}

/// A successful login.
public struct LoginSession: Sendable {
    /// The bearer token; shown once, stored only as a hash.
    public let token: String
    public let expiresAt: Date
    public let user: User
}

/// How long sessions live and how passwords are hashed.
public struct AuthenticationSettings: Sendable {
    public var sessionLifetime: Duration
    public var hasher: PasswordHasher

    public init(sessionLifetime: Duration = .seconds(8 * 3600), hasher: PasswordHasher = PasswordHasher()) {
        self.sessionLifetime = sessionLifetime
        self.hasher = hasher
    }
}

extension Database {
    /// Checks a password and opens a session; nil when the group, user or password is wrong or
    /// the user is inactive (the caller cannot tell which, and it takes as long either way).
    public func login(groupCode: String, username: String, password: String,
                      settings: AuthenticationSettings) async throws -> LoginSession? {
        // Codes and user names never hold control characters (nor NUL, which text cannot): no such user.
        let plausible = !CustomerText.hasControlCharacter(groupCode) && !CustomerText.hasControlCharacter(username)
        let found = plausible ? try await unitOfWork { try await $0.users.credentials(groupCode: groupCode, username: username.lowercased()) } : nil
        guard let found else {
            _ = try await settings.hasher.hash(password)  // same work as a real check
            return nil
        }
        guard try await settings.hasher.verify(password, hash: found.passwordHash), found.user.active else { return nil }
        let token = BearerToken.make(.session, groupID: found.user.groupID)
        let lifetime = settings.sessionLifetime.components
        let expiresAt = Date().addingTimeInterval(TimeInterval(lifetime.seconds))
        _ = try await unitOfWork { try await $0.sessions.create(token: token, userID: found.user.id, expiresAt: expiresAt) }
        return LoginSession(token: token.text, expiresAt: expiresAt, user: found.user)
    }

    /// The caller behind a bearer token; nil when it is malformed, unknown, expired or revoked.
    public func authenticate(token text: String) async throws -> Caller? {
        guard let token = BearerToken(text) else { return nil }
        return try await read { work in
            switch token.kind {
            case .session:
                guard let session = try await work.sessions.live(token) else { return nil }
                return Caller(groupID: session.user.groupID, credential: .session(id: session.sessionID, user: session.user),
                              expiresAt: session.expiresAt, scope: AccessScope(groupID: session.user.groupID, grants: session.grants))
            case .apiKey:
                guard let key = try await work.apiKeys.live(token) else { return nil }
                return Caller(groupID: key.groupID, credential: .apiKey(id: key.id, name: key.name), expiresAt: key.expiresAt,
                              scope: AccessScope(groupID: key.groupID, grants: [
                                  RoleGrant(role: "api_key", orgUnitID: key.orgUnitID, permissions: key.permissions),
                              ]))
            }
        }
    }

    /// Ends the caller's session (API keys are revoked through their own route).
    public func logout(_ caller: Caller) async throws {
        guard case .session(let id, _) = caller.credential else { return }
        try await unitOfWork { try await $0.sessions.revoke(groupID: caller.groupID, sessionID: id) }
    }
}
