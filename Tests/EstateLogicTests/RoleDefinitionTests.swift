import EstateLogic
import Foundation
import Testing

@Suite("Built-in and custom roles")
struct RoleDefinitionTests {
    static let expectedCodes: [(String, OrgUnitKind)] = [
        ("group_management", .group), ("group_finance", .group), ("system_administrator", .group),
        ("city_finance", .cityCompany), ("city_marketing", .cityCompany), ("city_sales_management", .cityCompany),
        ("project_administrator", .project), ("sales_manager", .project), ("sales_controller", .project),
        ("cashier", .project), ("property_consultant", .project),
    ]

    @Test(arguments: expectedCodes)
    func builtInRoleExistsAtItsLevel(code: String, level: OrgUnitKind) throws {
        let role = try #require(BuiltInRoles.named(code))
        #expect(role.code == code)
        #expect(role.level == level)
        #expect(!role.name.isEmpty)
        #expect(!role.permissions.isEmpty)
    }

    @Test func exactlyTheDomainRolesInOrder() {
        #expect(BuiltInRoles.all.map(\.code) == Self.expectedCodes.map(\.0))
        #expect(Set(BuiltInRoles.all.map(\.name)).count == BuiltInRoles.all.count)
        #expect(BuiltInRoles.named("nobody") == nil)
        #expect(BuiltInRoles.named("Cashier") == nil)
        #expect(BuiltInRoles.named("") == nil)
    }

    @Test(arguments: BuiltInRoles.all)
    func builtInRoleIsWellFormed(_ role: RoleDefinition) {
        #expect(BuiltInRoles.isWellFormedRoleCode(role.code))
        for permission in role.permissions {
            #expect(PermissionCatalogue.isKnown(permission), "\(role.code) uses unknown \(permission)")
        }
        #expect(role.permissions.contains(.orgRead), "\(role.code) cannot see the organisation tree")
    }

    @Test func personalDataOnlyForFrontLineRoles() {
        let withPII = Set(BuiltInRoles.all.filter { $0.permissions.contains(.customersPII) }.map(\.code))
        #expect(withPII == ["group_management", "city_sales_management", "sales_manager", "cashier", "property_consultant"])
        for role in BuiltInRoles.all where role.permissions.contains(.customersPII) {
            #expect(role.permissions.contains(.customersRead), "\(role.code): pii without customers.read")
        }
    }

    @Test func groupManagementReadsEverything() throws {
        let role = try #require(BuiltInRoles.named("group_management"))
        let reads = PermissionCatalogue.all.map(\.permission).filter { $0.action == "read" }
        #expect(reads.count >= 10)
        for read in reads { #expect(role.permissions.contains(read), "\(read)") }
        #expect(role.permissions.contains(.reportsRead))
        #expect(role.permissions.contains(.customersPII))
        #expect(role.permissions.subtracting(reads) == [.customersPII], "management only reads")
    }

    @Test func systemAdministratorAdministersButSeesNoBusinessData() throws {
        let role = try #require(BuiltInRoles.named("system_administrator"))
        let expected: Set<Permission> = [
            .adminUsers, .adminRoles, .adminAPIKeys, .adminWebhooks, .orgRead, .orgWrite, .usersRead, .auditRead,
            .dictionariesRead, .dictionariesWrite,
        ]
        #expect(role.permissions == expected)
        // every admin.*, org.* and dictionaries.* permission of the catalogue
        for info in PermissionCatalogue.all where ["admin", "org", "dictionaries"].contains(info.area) {
            #expect(role.permissions.contains(info.permission), "\(info.permission)")
        }
        // the administration permissions belong to no other built-in role
        for other in BuiltInRoles.all where other.code != role.code {
            #expect(other.permissions.filter { $0.area == "admin" }.isEmpty, "\(other.code)")
            #expect(!other.permissions.contains(.orgWrite), "\(other.code)")
        }
    }

    @Test func salesControllerControlsRoomsPricesAndDiscounts() throws {
        let role = try #require(BuiltInRoles.named("sales_controller"))
        for info in PermissionCatalogue.all where ["rooms", "prices"].contains(info.area) {
            #expect(role.permissions.contains(info.permission), "\(info.permission)")
        }
        #expect(role.permissions.contains(.discountsWrite))
        #expect(!role.permissions.contains(.customersPII))
        #expect(!role.permissions.contains(.paymentsCollect))
        // only the controller releases rooms for sale
        let releasers = BuiltInRoles.all.filter { $0.permissions.contains(.roomsRelease) }.map(\.code)
        #expect(releasers == ["sales_controller"])
    }

    @Test func cashierHandlesMoney() throws {
        let role = try #require(BuiltInRoles.named("cashier"))
        for info in PermissionCatalogue.all where info.area == "payments" {
            #expect(role.permissions.contains(info.permission), "\(info.permission)")
        }
        for permission: Permission in [.receiptsVoid, .dealsRead, .customersRead] {
            #expect(role.permissions.contains(permission))
        }
        #expect(!role.permissions.contains(.customersWrite))
        #expect(!role.permissions.contains(.dealsCreate))
    }

    @Test func propertyConsultantWorksCustomersAndDeals() throws {
        let role = try #require(BuiltInRoles.named("property_consultant"))
        for permission: Permission in [.customersRead, .customersWrite, .dealsRead, .dealsCreate, .tasksRead, .roomsRead, .pricesRead] {
            #expect(role.permissions.contains(permission), "\(permission)")
        }
        for permission: Permission in [.customersAssign, .customersMerge, .dealsApprove, .dealsCancel,
                                       .paymentsCollect, .paymentsRefund, .pricesPublish, .tasksAssign, .reportsRead] {
            #expect(!role.permissions.contains(permission), "\(permission)")
        }
    }

    @Test func approvalsAndMergesBelongToManagers() {
        let approvers = Set(BuiltInRoles.all.filter { $0.permissions.contains(.dealsApprove) }.map(\.code))
        #expect(approvers == ["city_sales_management", "sales_manager"])
        let mergers = Set(BuiltInRoles.all.filter { $0.permissions.contains(.customersMerge) }.map(\.code))
        #expect(mergers == ["city_sales_management", "sales_manager"])
        let publishers = Set(BuiltInRoles.all.filter { $0.permissions.contains(.pricesPublish) }.map(\.code))
        #expect(publishers == ["city_marketing", "sales_controller"])
    }

    @Test func everyCataloguePermissionIsInSomeBuiltInRole() {
        let covered = BuiltInRoles.all.reduce(into: Set<Permission>()) { $0.formUnion($1.permissions) }
        #expect(PermissionCatalogue.permissions.subtracting(covered).isEmpty,
                "orphans: \(PermissionCatalogue.permissions.subtracting(covered).sorted())")
    }

    @Test func rolesCodeAsJSON() throws {
        let role = RoleDefinition(code: "auditor", name: "Auditor", level: .region, permissions: [.auditRead, .reportsRead])
        let json = try JSONEncoder().encode(role)
        let decoded = try JSONDecoder().decode(RoleDefinition.self, from: json)
        #expect(decoded == role)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        #expect(object["level"] as? String == "region")
        #expect(Set(object["permissions"] as? [String] ?? []) == ["audit.read", "reports.read"])
    }

    // MARK: custom roles

    @Test func validCustomRoleHasNoViolations() {
        #expect(BuiltInRoles.validateCustom(code: "night_cashier", name: "Night cashier",
                                            permissions: [.paymentsRead, .paymentsCollect]).isEmpty)
        #expect(BuiltInRoles.validateCustom(code: "r2", name: "R", permissions: [.roomsRead]).isEmpty)
        let longest = "a" + String(repeating: "9", count: BuiltInRoles.maximumCodeLength - 1)
        #expect(BuiltInRoles.validateCustom(code: longest, name: String(repeating: "n", count: BuiltInRoles.maximumNameLength),
                                            permissions: [.roomsRead]).isEmpty)
    }

    @Test(arguments: ["", "a", "Night_cashier", "night cashier", "night-cashier", "1st_shift", "_cashier",
                      "night.cashier", "caissière", "NIGHT", "a" + String(repeating: "b", count: 63), "cashier\n"])
    func badlyFormedCodeIsRejected(_ code: String) {
        let violations = BuiltInRoles.validateCustom(code: code, name: "Some role", permissions: [.roomsRead])
        #expect(violations.count == 1)
        #expect(violations.first?.field == "code")
    }

    @Test(arguments: BuiltInRoles.all.map(\.code))
    func builtInCodeCannotBeReused(_ code: String) {
        let violations = BuiltInRoles.validateCustom(code: code, name: "Mine", permissions: [.roomsRead])
        #expect(violations == [FieldViolation(field: "code", message: "'\(code)' is the code of a built-in role")])
    }

    @Test(arguments: ["", " ", "\t\n", "\u{3000}"])
    func blankNameIsRejected(_ name: String) {
        let violations = BuiltInRoles.validateCustom(code: "custom", name: name, permissions: [.roomsRead])
        #expect(violations == [FieldViolation(field: "name", message: "must not be empty")])
    }

    @Test func overlongNameIsRejected() {
        let name = String(repeating: "x", count: BuiltInRoles.maximumNameLength + 1)
        let violations = BuiltInRoles.validateCustom(code: "custom", name: name, permissions: [.roomsRead])
        #expect(violations.map(\.field) == ["name"])
    }

    @Test func unknownPermissionsAreEachReported() {
        let violations = BuiltInRoles.validateCustom(
            code: "custom", name: "Custom",
            permissions: [.roomsRead, Permission(rawValue: "rooms.delete"), Permission(rawValue: "ROOMS.READ"), Permission(rawValue: "")]
        )
        #expect(violations.map(\.field) == ["permissions", "permissions", "permissions"])
        #expect(violations.map(\.message) == [
            "unknown permission ''", "unknown permission 'ROOMS.READ'", "unknown permission 'rooms.delete'",
        ])
    }

    @Test func emptyPermissionSetIsRejected() {
        let violations = BuiltInRoles.validateCustom(code: "custom", name: "Custom", permissions: [])
        #expect(violations == [FieldViolation(field: "permissions", message: "must contain at least one permission")])
    }

    @Test func allViolationsAreReportedTogether() {
        let violations = BuiltInRoles.validateCustom(code: "Bad Code", name: "  ", permissions: [Permission(rawValue: "x.y")])
        #expect(violations.map(\.field) == ["code", "name", "permissions"])
    }
}
