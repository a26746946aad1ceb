import Foundation

/// A named set of permissions meant to be granted at one level of the organisation.
///
/// Built-in roles are listed in ``BuiltInRoles``; administrators may define custom ones, validated with
/// ``BuiltInRoles/validateCustom(code:name:permissions:)``.
public struct RoleDefinition: Sendable, Hashable, Codable {
    /// Stable code, lower-case letters, digits and underscores, starting with a letter (e.g. `cashier`).
    public let code: String
    /// Display name.
    public let name: String
    /// The level of the organisation the role is meant for (a grant of it still covers everything below).
    public let level: OrgUnitKind
    /// What the role allows.
    public let permissions: Set<Permission>

    /// A role with the given code, name, level and permissions (not validated).
    public init(code: String, name: String, level: OrgUnitKind, permissions: Set<Permission>) {
        self.code = code
        self.name = name
        self.level = level
        self.permissions = permissions
    }
}

/// The roles every group starts with (DOMAIN.md, "The organisation"), and the rules for custom roles.
///
/// Unmasked personal data (`customers.pii`: full phone numbers and ID numbers) is given only to roles
/// that deal with customers face to face or answer for them: group management, city sales management,
/// sales manager, cashier and property consultant. Finance, marketing, administration and the sales
/// controller see customers masked or not at all.
public enum BuiltInRoles {
    /// Group management: reads everything in the group, including reports and unmasked customer data.
    public static let groupManagement = RoleDefinition(
        code: "group_management", name: "Group management", level: .group,
        permissions: Set(PermissionCatalogue.all.map(\.permission).filter { $0.action == "read" })
            .union([.customersPII])
    )

    /// Group finance: money across the group, refunds and voids, the exchange rates, finance reports.
    public static let groupFinance = RoleDefinition(
        code: "group_finance", name: "Group finance", level: .group,
        permissions: [
            .orgRead, .dictionariesRead, .roomsRead, .pricesRead, .customersRead, .dealsRead,
            .paymentsRead, .paymentsRefund, .exchangeRatesWrite, .receiptsVoid, .leasesRead, .reportsRead,
        ]
    )

    /// System administrator: users, roles, API keys, the organisation tree, dictionaries, the audit log.
    /// Sees no business data.
    public static let systemAdministrator = RoleDefinition(
        code: "system_administrator", name: "System administrator", level: .group,
        permissions: [
            .adminUsers, .adminRoles, .adminAPIKeys, .adminWebhooks, .orgRead, .orgWrite, .usersRead, .auditRead,
            .dictionariesRead, .dictionariesWrite,
        ]
    )

    /// City finance: collections, refunds and voids for the city's projects, finance reports.
    public static let cityFinance = RoleDefinition(
        code: "city_finance", name: "City finance", level: .cityCompany,
        permissions: [
            .orgRead, .dictionariesRead, .roomsRead, .pricesRead, .customersRead, .dealsRead,
            .paymentsRead, .paymentsCollect, .paymentsRefund, .receiptsVoid, .leasesRead, .reportsRead,
        ]
    )

    /// City marketing: pricing runs and their publication, discounts, marketing, members, media analysis.
    public static let cityMarketing = RoleDefinition(
        code: "city_marketing", name: "City marketing", level: .cityCompany,
        permissions: [
            .orgRead, .dictionariesRead, .roomsRead, .pricesRead, .pricesPublish, .discountsWrite,
            .customersRead, .dealsRead, .marketingRead, .marketingWrite, .membersRead, .membersWrite,
            .reportsRead,
        ]
    )

    /// City sales management: the city's customers (reassignment across projects, merges), approvals,
    /// cancellations, the team's tasks and sales reports.
    public static let citySalesManagement = RoleDefinition(
        code: "city_sales_management", name: "City sales management", level: .cityCompany,
        permissions: [
            .orgRead, .usersRead, .dictionariesRead, .roomsRead, .roomsHold, .pricesRead,
            .customersRead, .customersWrite, .customersAssign, .customersPII, .customersMerge,
            .dealsRead, .dealsApprove, .dealsCancel, .paymentsRead, .leasesRead, .marketingRead,
            .tasksRead, .tasksAssign, .reportsRead,
        ]
    )

    /// Project administrator: sets up the project's inventory and its staff's tasks; no money, no
    /// customer personal data.
    public static let projectAdministrator = RoleDefinition(
        code: "project_administrator", name: "Project administrator", level: .project,
        permissions: [
            .orgRead, .usersRead, .dictionariesRead, .roomsRead, .roomsWrite, .pricesRead,
            .tasksRead, .tasksAssign, .reportsRead,
        ]
    )

    /// Sales manager: runs the sales office — customers and their assignment, every deal step,
    /// approvals, cancellations, holds, leases, the team's tasks and reports.
    public static let salesManager = RoleDefinition(
        code: "sales_manager", name: "Sales manager", level: .project,
        permissions: [
            .orgRead, .usersRead, .dictionariesRead, .roomsRead, .roomsHold, .pricesRead,
            .customersRead, .customersWrite, .customersAssign, .customersPII, .customersMerge,
            .dealsRead, .dealsCreate, .dealsWrite, .dealsApprove, .dealsCancel, .paymentsRead,
            .leasesRead, .leasesWrite, .tasksRead, .tasksAssign, .reportsRead,
        ]
    )

    /// Sales controller: which rooms are sellable, holds, prices and discounts.
    public static let salesController = RoleDefinition(
        code: "sales_controller", name: "Sales controller", level: .project,
        permissions: [
            .orgRead, .dictionariesRead, .roomsRead, .roomsWrite, .roomsHold, .roomsRelease,
            .pricesRead, .pricesPublish, .discountsWrite, .dealsRead, .reportsRead,
        ]
    )

    /// On-site cashier: collections, receipts, refunds and voids; reads the deals and buyers paid for.
    public static let cashier = RoleDefinition(
        code: "cashier", name: "Cashier", level: .project,
        permissions: [
            .orgRead, .dictionariesRead, .roomsRead, .customersRead, .customersPII, .dealsRead,
            .paymentsRead, .paymentsCollect, .paymentsRefund, .receiptsVoid,
        ]
    )

    /// Property consultant: own customers and follow-ups, deals from reservation to handover, their tasks.
    public static let propertyConsultant = RoleDefinition(
        code: "property_consultant", name: "Property consultant", level: .project,
        permissions: [
            .orgRead, .dictionariesRead, .roomsRead, .pricesRead, .customersRead, .customersWrite, .customersPII,
            .dealsRead, .dealsCreate, .dealsWrite, .tasksRead,
        ]
    )

    /// Every built-in role, from the group level down to the project level.
    public static let all: [RoleDefinition] = [
        groupManagement, groupFinance, systemAdministrator,
        cityFinance, cityMarketing, citySalesManagement,
        projectAdministrator, salesManager, salesController, cashier, propertyConsultant,
    ]

    /// The built-in role with this code, or nil.
    public static func named(_ code: String) -> RoleDefinition? {
        all.first { $0.code == code }
    }

    /// The longest accepted role code, in characters.
    public static let maximumCodeLength = 63
    /// The longest accepted role name, in characters.
    public static let maximumNameLength = 100

    /// The violations of a custom role an administrator wants to define; empty when it is acceptable.
    ///
    /// - `code`: 2 to 63 characters, lower-case ASCII letters, digits and underscores, starting with a
    ///   letter, and not the code of a built-in role;
    /// - `name`: not blank, at most 100 characters;
    /// - `permissions`: at least one, each in ``PermissionCatalogue`` (one violation per unknown code).
    public static func validateCustom(code: String, name: String, permissions: Set<Permission>) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        if !isWellFormedRoleCode(code) {
            violations.append(FieldViolation(
                field: "code",
                message: "must be 2 to \(maximumCodeLength) characters: lower-case letters, digits and underscores, starting with a letter"
            ))
        } else if all.contains(where: { $0.code == code }) {
            violations.append(FieldViolation(field: "code", message: "'\(code)' is the code of a built-in role"))
        }
        let trimmedName = name.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmedName.isEmpty {
            violations.append(FieldViolation(field: "name", message: "must not be empty"))
        } else if name.count > maximumNameLength {
            violations.append(FieldViolation(field: "name", message: "must be at most \(maximumNameLength) characters"))
        }
        if permissions.isEmpty {
            violations.append(FieldViolation(field: "permissions", message: "must contain at least one permission"))
        }
        for unknown in permissions.filter({ !PermissionCatalogue.isKnown($0) }).sorted() {
            violations.append(FieldViolation(field: "permissions", message: "unknown permission '\(unknown.rawValue)'"))
        }
        return violations
    }

    /// Whether a string is acceptable as a role code (built-in or custom): 2 to 63 characters of
    /// lower-case ASCII letters, digits and underscores, starting with a letter.
    public static func isWellFormedRoleCode(_ code: String) -> Bool {
        guard (2...maximumCodeLength).contains(code.count),
              let first = code.first, first.isASCII, first.isLowercase
        else { return false }
        return code.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }
    }
}
