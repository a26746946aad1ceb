import EstateData
import EstateLogic
import Foundation
import Hummingbird
import Synchronization

/// Sign in, sign out, and who am I.
struct AuthController {
    let database: Database
    let settings: AuthenticationSettings
    let throttle: LoginGuard

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/auth/login", access: .anonymous) { request, context in
            let body = try await request.decode(as: LoginRequest.self, context: context)
            let address = context.clientAddress
            if let wait = throttle.retryAfter(group: body.group, username: body.username, address: address) {
                throw Problem(status: .tooManyRequests, code: "too-many-attempts",
                              detail: "Too many failed sign-ins; try again in \(wait) seconds.",
                              headers: ["Retry-After": String(wait)])
            }
            guard let session = try await database.login(groupCode: body.group, username: body.username,
                                                         password: body.password, settings: settings) else {
                throttle.recordFailure(group: body.group, username: body.username, address: address)
                throw Problem.unauthorized("The group, username or password is wrong.")
            }
            throttle.recordSuccess(group: body.group, username: body.username)
            return LoginBody(token: session.token, expiresAt: session.expiresAt, user: UserBody(session.user))
        }
        routes.add(.post, "/v1/auth/logout", access: .authenticated) { _, context in
            let caller = try context.requireCaller()
            guard caller.user != nil else {
                throw Problem(status: .forbidden, code: "not-a-user", detail: "API keys are revoked with POST /v1/api-keys/{id}/revoke.")
            }
            try await database.logout(caller)
            return Response(status: .noContent)
        }
        routes.add(.get, "/v1/me", access: .authenticated) { _, context in
            let caller = try context.requireCaller()
            guard let user = caller.user else {
                throw Problem(status: .forbidden, code: "not-a-user", detail: "API keys have no user; this route is for signed-in users.")
            }
            return MeBody(user: UserBody(user), groupId: caller.groupID, sessionExpiresAt: caller.expiresAt,
                          grants: caller.scope.grants.map {
                              GrantBody(role: $0.role, orgUnitId: $0.orgUnitID, permissions: $0.permissions.map(\.rawValue).sorted())
                          })
        }
    }
}

/// The process's login throttle (EstateLogic.LoginThrottle behind a lock, on the wall clock).
public final class LoginGuard: Sendable {
    private let state: Mutex<LoginThrottle>

    public init(_ throttle: LoginThrottle = LoginThrottle()) {
        state = Mutex(throttle)
    }

    func retryAfter(group: String, username: String, address: String) -> Int? {
        state.withLock { $0.retryAfter(group: group, username: username, address: address, now: Date()) }
    }

    func recordFailure(group: String, username: String, address: String) {
        state.withLock { $0.recordFailure(group: group, username: username, address: address, now: Date()) }
    }

    func recordSuccess(group: String, username: String) {
        state.withLock { $0.recordSuccess(group: group, username: username) }
    }
}
