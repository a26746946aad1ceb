import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct LoginRequest: Decodable {
    /// The group's code (tenants sign in separately).
    let group: String
    let username: String
    let password: String
}

struct UserBody: ResponseEncodable {
    let id: UUID
    let username: String
    let displayName: String
    let orgUnitId: UUID
    let active: Bool
    let version: Int

    init(_ user: User) {
        id = user.id
        username = user.username
        displayName = user.displayName
        orgUnitId = user.orgUnitID
        active = user.active
        version = user.version
    }
}

struct LoginBody: ResponseEncodable {
    let token: String
    let tokenType = "Bearer"
    let expiresAt: Date
    let user: UserBody
}

struct GrantBody: ResponseEncodable {
    let role: String
    let orgUnitId: UUID
    /// Effective there and in every unit below.
    let permissions: [String]
}

struct MeBody: ResponseEncodable {
    let user: UserBody
    let groupId: UUID
    let sessionExpiresAt: Date
    let grants: [GrantBody]
}

struct OrgUnitBody: ResponseEncodable {
    let id: UUID
    let parentId: UUID?
    let kind: String
    let code: String
    let name: String
    let active: Bool
    /// Ids from the group's root unit down to this one.
    let path: [UUID]
    let version: Int

    init(_ unit: OrgUnit) {
        id = unit.id
        parentId = unit.parentID
        kind = unit.kind.rawValue
        code = unit.code
        name = unit.name
        active = unit.active
        path = unit.path
        version = unit.version
    }
}

struct OrgUnitDetailBody: ResponseEncodable {
    let unit: OrgUnitBody
    let children: [OrgUnitBody]
}

/// A page of a keyset-paginated list.
struct Page<Item: Encodable & Sendable>: ResponseEncodable {
    let items: [Item]
    /// Pass as `cursor` for the next page; absent on the last page.
    let nextCursor: String?
}

struct CreateOrgUnit: Decodable {
    let parentId: UUID
    let kind: String
    let code: String
    let name: String
}

struct UpdateOrgUnit: Decodable {
    let code: String?
    let name: String?
}

struct MoveOrgUnit: Decodable {
    let parentId: UUID
}

struct CreateUser: Decodable {
    let orgUnitId: UUID
    let username: String
    let displayName: String
    let password: String
}

struct UpdateUser: Decodable {
    let displayName: String?
    let orgUnitId: UUID?
}

struct ResetPassword: Decodable {
    let password: String
}
