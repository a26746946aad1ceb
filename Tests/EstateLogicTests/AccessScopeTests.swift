import EstateLogic
import Foundation
import Testing

/// A small tree:
///
///     group
///     ├── east (region)
///     │   ├── shanghai (city company)
///     │   │   ├── riverside (project)
///     │   │   └── parkview (project)
///     │   └── hangzhou (city company)
///     │       └── lakeside (project)
///     └── harbour (project directly under the group)
struct Tree {
    let group = UUID()
    let root = UUID()
    let east = UUID()
    let shanghai = UUID()
    let riverside = UUID()
    let parkview = UUID()
    let hangzhou = UUID()
    let lakeside = UUID()
    let harbour = UUID()

    var rootPath: [UUID] { [root] }
    var eastPath: [UUID] { [root, east] }
    var shanghaiPath: [UUID] { [root, east, shanghai] }
    var riversidePath: [UUID] { [root, east, shanghai, riverside] }
    var parkviewPath: [UUID] { [root, east, shanghai, parkview] }
    var hangzhouPath: [UUID] { [root, east, hangzhou] }
    var lakesidePath: [UUID] { [root, east, hangzhou, lakeside] }
    var harbourPath: [UUID] { [root, harbour] }
    var allPaths: [[UUID]] { [rootPath, eastPath, shanghaiPath, riversidePath, parkviewPath, hangzhouPath, lakesidePath, harbourPath] }
}

@Suite("Access scope")
struct AccessScopeTests {
    let tree = Tree()

    func scope(_ grants: RoleGrant...) -> AccessScope {
        AccessScope(groupID: tree.group, grants: grants)
    }

    @Test func groupLevelGrantSeesEverythingInTheGroup() {
        let scope = scope(RoleGrant(BuiltInRoles.groupManagement, at: tree.root))
        for path in tree.allPaths {
            #expect(scope.canSee(groupID: tree.group, unitPath: path))
            #expect(scope.permissions(groupID: tree.group, unitPath: path) == BuiltInRoles.groupManagement.permissions)
            #expect(scope.decide(.reportsRead, groupID: tree.group, unitPath: path) == .allowed)
            #expect(scope.decide(.dealsCreate, groupID: tree.group, unitPath: path) == .forbidden)
        }
    }

    @Test func projectGrantSeesOnlyItsProject() {
        let scope = scope(RoleGrant(BuiltInRoles.propertyConsultant, at: tree.riverside))
        #expect(scope.canSee(groupID: tree.group, unitPath: tree.riversidePath))
        #expect(scope.decide(.customersWrite, groupID: tree.group, unitPath: tree.riversidePath) == .allowed)
        // sibling project, the city company, the region and the root above it, another city
        for path in [tree.parkviewPath, tree.shanghaiPath, tree.eastPath, tree.rootPath, tree.lakesidePath, tree.harbourPath] {
            #expect(!scope.canSee(groupID: tree.group, unitPath: path))
            #expect(scope.permissions(groupID: tree.group, unitPath: path).isEmpty)
            #expect(scope.decide(.customersRead, groupID: tree.group, unitPath: path) == .notFound)
            #expect(scope.decide(.adminUsers, groupID: tree.group, unitPath: path) == .notFound)
        }
    }

    @Test func cityGrantSeesItsProjectsButNotTheOtherCity() {
        let scope = scope(RoleGrant(BuiltInRoles.citySalesManagement, at: tree.shanghai))
        for path in [tree.shanghaiPath, tree.riversidePath, tree.parkviewPath] {
            #expect(scope.canSee(groupID: tree.group, unitPath: path))
            #expect(scope.decide(.customersAssign, groupID: tree.group, unitPath: path) == .allowed)
        }
        for path in [tree.hangzhouPath, tree.lakesidePath, tree.eastPath, tree.rootPath, tree.harbourPath] {
            #expect(!scope.canSee(groupID: tree.group, unitPath: path))
        }
    }

    @Test func regionGrantCoversNestedUnitsOnly() {
        let scope = scope(RoleGrant(role: "regional_reader", orgUnitID: tree.east, permissions: [.roomsRead]))
        for path in [tree.eastPath, tree.shanghaiPath, tree.riversidePath, tree.parkviewPath, tree.hangzhouPath, tree.lakesidePath] {
            #expect(scope.decide(.roomsRead, groupID: tree.group, unitPath: path) == .allowed)
        }
        #expect(scope.decide(.roomsRead, groupID: tree.group, unitPath: tree.harbourPath) == .notFound)
        #expect(scope.decide(.roomsRead, groupID: tree.group, unitPath: tree.rootPath) == .notFound)
    }

    @Test func permissionsAccumulateAlongThePath() {
        let scope = scope(
            RoleGrant(role: "a", orgUnitID: tree.root, permissions: [.orgRead]),
            RoleGrant(role: "b", orgUnitID: tree.shanghai, permissions: [.reportsRead, .customersRead]),
            RoleGrant(role: "c", orgUnitID: tree.riverside, permissions: [.paymentsCollect, .customersRead]),
            RoleGrant(role: "d", orgUnitID: tree.parkview, permissions: [.roomsRelease])
        )
        #expect(scope.permissions(groupID: tree.group, unitPath: tree.riversidePath)
                == [.orgRead, .reportsRead, .customersRead, .paymentsCollect])
        #expect(scope.permissions(groupID: tree.group, unitPath: tree.shanghaiPath) == [.orgRead, .reportsRead, .customersRead])
        #expect(scope.permissions(groupID: tree.group, unitPath: tree.parkviewPath)
                == [.orgRead, .reportsRead, .customersRead, .roomsRelease])
        #expect(scope.permissions(groupID: tree.group, unitPath: tree.lakesidePath) == [.orgRead])
        #expect(scope.decide(.paymentsCollect, groupID: tree.group, unitPath: tree.riversidePath) == .allowed)
        #expect(scope.decide(.paymentsCollect, groupID: tree.group, unitPath: tree.parkviewPath) == .forbidden)
        #expect(scope.decide(.paymentsCollect, groupID: tree.group, unitPath: tree.shanghaiPath) == .forbidden)
        #expect(scope.decide(.roomsRelease, groupID: tree.group, unitPath: tree.riversidePath) == .forbidden)
        #expect(scope.decide(.reportsRead, groupID: tree.group, unitPath: tree.lakesidePath) == .forbidden)
    }

    @Test func forbiddenWhenVisibleButLackingThePermission() {
        let scope = scope(RoleGrant(BuiltInRoles.cashier, at: tree.riverside))
        #expect(scope.decide(.paymentsRefund, groupID: tree.group, unitPath: tree.riversidePath) == .allowed)
        #expect(scope.decide(.pricesPublish, groupID: tree.group, unitPath: tree.riversidePath) == .forbidden)
        #expect(scope.decide(Permission(rawValue: "no.such"), groupID: tree.group, unitPath: tree.riversidePath) == .forbidden)
        #expect(scope.decide(.paymentsRefund, groupID: tree.group, unitPath: tree.parkviewPath) == .notFound)
    }

    @Test func anotherGroupIsAlwaysNotFound() {
        let other = UUID()
        // even with the very same unit ids on the path, and a grant at the root
        let scope = scope(RoleGrant(BuiltInRoles.groupManagement, at: tree.root),
                          RoleGrant(BuiltInRoles.salesManager, at: tree.riverside))
        for path in tree.allPaths {
            #expect(!scope.canSee(groupID: other, unitPath: path))
            #expect(scope.permissions(groupID: other, unitPath: path).isEmpty)
            #expect(scope.decide(.reportsRead, groupID: other, unitPath: path) == .notFound)
            #expect(scope.decide(.adminUsers, groupID: other, unitPath: path) == .notFound)
        }
    }

    @Test func emptyGrantsSeeNothingAndHoldNothing() {
        let scope = AccessScope(groupID: tree.group, grants: [])
        for path in tree.allPaths {
            #expect(!scope.canSee(groupID: tree.group, unitPath: path))
            #expect(scope.permissions(groupID: tree.group, unitPath: path).isEmpty)
            #expect(scope.decide(.orgRead, groupID: tree.group, unitPath: path) == .notFound)
        }
        #expect(!scope.holdsAnywhere(.orgRead))
        #expect(scope.units(with: .orgRead).isEmpty)
        #expect(scope.reachableUnits.isEmpty)
    }

    @Test func grantWithNoPermissionsStillMakesVisible() {
        let scope = scope(RoleGrant(role: "empty", orgUnitID: tree.shanghai, permissions: []))
        #expect(scope.canSee(groupID: tree.group, unitPath: tree.riversidePath))
        #expect(scope.decide(.roomsRead, groupID: tree.group, unitPath: tree.riversidePath) == .forbidden)
        #expect(!scope.holdsAnywhere(.roomsRead))
    }

    @Test func emptyPathIsNeverVisible() {
        let scope = scope(RoleGrant(BuiltInRoles.groupManagement, at: tree.root))
        #expect(!scope.canSee(groupID: tree.group, unitPath: []))
        #expect(scope.permissions(groupID: tree.group, unitPath: []).isEmpty)
        #expect(scope.decide(.orgRead, groupID: tree.group, unitPath: []) == .notFound)
    }

    @Test func holdsAnywhereAndUnitsWithPermission() {
        let scope = scope(
            RoleGrant(BuiltInRoles.salesManager, at: tree.riverside),
            RoleGrant(BuiltInRoles.salesManager, at: tree.lakeside),
            RoleGrant(BuiltInRoles.cityFinance, at: tree.shanghai)
        )
        #expect(scope.holdsAnywhere(.dealsApprove))
        #expect(scope.holdsAnywhere(.paymentsCollect))
        #expect(!scope.holdsAnywhere(.adminUsers))
        #expect(scope.units(with: .dealsApprove) == [tree.riverside, tree.lakeside])
        #expect(scope.units(with: .paymentsCollect) == [tree.shanghai])
        #expect(scope.units(with: .orgRead) == [tree.riverside, tree.lakeside, tree.shanghai])
        #expect(scope.units(with: .adminUsers).isEmpty)
        #expect(scope.reachableUnits == [tree.riverside, tree.lakeside, tree.shanghai])
    }

    @Test func duplicateGrantsAreHarmless() {
        let grant = RoleGrant(BuiltInRoles.cashier, at: tree.riverside)
        let scope = scope(grant, grant)
        #expect(scope.units(with: .paymentsCollect) == [tree.riverside])
        #expect(scope.permissions(groupID: tree.group, unitPath: tree.riversidePath) == BuiltInRoles.cashier.permissions)
    }

    @Test func grantFromRoleDefinitionCarriesItsPermissions() throws {
        let grant = RoleGrant(BuiltInRoles.salesController, at: tree.parkview)
        #expect(grant.role == "sales_controller")
        #expect(grant.orgUnitID == tree.parkview)
        #expect(grant.permissions == BuiltInRoles.salesController.permissions)
        let decoded = try JSONDecoder().decode(RoleGrant.self, from: JSONEncoder().encode(grant))
        #expect(decoded == grant)
    }

    @Test func scopesCompareByValue() {
        let a = scope(RoleGrant(BuiltInRoles.cashier, at: tree.riverside))
        let b = AccessScope(groupID: tree.group, grants: [RoleGrant(BuiltInRoles.cashier, at: tree.riverside)])
        #expect(a == b)
        #expect(a != AccessScope(groupID: UUID(), grants: a.grants))
    }
}
