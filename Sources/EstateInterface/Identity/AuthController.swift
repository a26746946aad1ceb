import EstateData
import EstateLogic
import Hummingbird

/// Sign in, sign out, and who am I.
struct AuthController {
    let database: Database
    let settings: AuthenticationSettings

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/auth/login", access: .anonymous) { request, context in
            let body = try await request.decode(as: LoginRequest.self, context: context)
            guard let session = try await database.login(groupCode: body.group, username: body.username,
                                                         password: body.password, settings: settings) else {
                throw Problem.unauthorized("The group, username or password is wrong.")
            }
            return LoginBody(token: session.token, expiresAt: session.expiresAt, user: UserBody(session.user))
        }
        routes.add(.post, "/v1/auth/logout", access: .authenticated) { _, context in
            try await database.logout(try context.requireCaller())
            return Response(status: .noContent)
        }
        routes.add(.get, "/v1/me", access: .authenticated) { _, context in
            let caller = try context.requireCaller()
            return MeBody(user: UserBody(caller.user), groupId: caller.user.groupID, sessionExpiresAt: caller.sessionExpiresAt,
                          grants: caller.scope.grants.map {
                              GrantBody(role: $0.role, orgUnitId: $0.orgUnitID, permissions: $0.permissions.map(\.rawValue).sorted())
                          })
        }
    }
}
