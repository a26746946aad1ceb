import Foundation

/// The right to perform one kind of action, named `area.action` (e.g. `rooms.read`).
///
/// Any string can be wrapped, so that stored grants survive a catalogue change, but only codes listed in
/// ``PermissionCatalogue`` are meaningful: roles are validated against it. Encodes as a plain JSON string.
public struct Permission: RawRepresentable, Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The code, `area.action`, lower case (e.g. `admin.api_keys`).
    public let rawValue: String

    /// Wraps a code as is; check it with ``PermissionCatalogue/isKnown(_:)`` before trusting it.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The part before the dot (`rooms` in `rooms.read`), or the whole code if there is no dot.
    public var area: String {
        String(rawValue.prefix { $0 != "." })
    }

    /// The part after the first dot (`read` in `rooms.read`), or an empty string if there is no dot.
    public var action: String {
        guard let dot = rawValue.firstIndex(of: ".") else { return "" }
        return String(rawValue[rawValue.index(after: dot)...])
    }

    /// Whether the code has the form `area.action`: two non-empty parts of lower-case ASCII letters and
    /// underscores, each starting with a letter, separated by exactly one dot.
    public var isWellFormed: Bool {
        let parts = rawValue.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return false }
        return parts.allSatisfy { part in
            guard let first = part.first, first.isASCII, first.isLowercase else { return false }
            return part.allSatisfy { ($0.isASCII && $0.isLowercase) || $0 == "_" }
        }
    }

    /// Orders permissions by code.
    public static func < (lhs: Permission, rhs: Permission) -> Bool {
        lhs.rawValue < rhs.rawValue
    }

    /// The code itself.
    public var description: String { rawValue }

    /// Decodes a plain string code.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes as a plain string code.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

// MARK: - The catalogue

/// What the catalogue says about one permission.
public struct PermissionInfo: Sendable, Hashable, Codable {
    /// The permission described.
    public let permission: Permission
    /// The functional area it belongs to (the part of the code before the dot).
    public let area: String
    /// One line for administrators choosing permissions for a role.
    public let summary: String

    /// Describes `permission`; the area is taken from the code.
    public init(_ permission: Permission, _ summary: String) {
        self.permission = permission
        self.area = permission.area
        self.summary = summary
    }
}

extension Permission {
    // Organisation and administration
    /// See the organisation tree within one's reach.
    public static let orgRead = Permission(rawValue: "org.read")
    /// Create, rename, move and close organisation units.
    public static let orgWrite = Permission(rawValue: "org.write")
    /// See users and their role grants.
    public static let usersRead = Permission(rawValue: "users.read")
    /// Create, disable and reset users; grant and revoke their roles.
    public static let adminUsers = Permission(rawValue: "admin.users")
    /// Define and change custom roles.
    public static let adminRoles = Permission(rawValue: "admin.roles")
    /// Issue and revoke API keys for integration partners.
    public static let adminAPIKeys = Permission(rawValue: "admin.api_keys")
    /// Subscribe partners' webhooks to events, see and replay their deliveries.
    public static let adminWebhooks = Permission(rawValue: "admin.webhooks")
    /// Read the group's feed of business events (what webhooks deliver).
    public static let eventsRead = Permission(rawValue: "events.read")
    /// Read the audit log.
    public static let auditRead = Permission(rawValue: "audit.read")
    /// Read configurable dictionaries (sources, media, payment methods, ...).
    public static let dictionariesRead = Permission(rawValue: "dictionaries.read")
    /// Edit configurable dictionaries.
    public static let dictionariesWrite = Permission(rawValue: "dictionaries.write")

    // Inventory and pricing
    /// See projects, buildings, building grids and rooms.
    public static let roomsRead = Permission(rawValue: "rooms.read")
    /// Create and edit buildings and rooms (areas, layout, surveys).
    public static let roomsWrite = Permission(rawValue: "rooms.write")
    /// Hold a room off sale, with reason and expiry, and lift the hold.
    public static let roomsHold = Permission(rawValue: "rooms.hold")
    /// Release rooms for sale and withdraw unsold rooms from sale.
    public static let roomsRelease = Permission(rawValue: "rooms.release")
    /// See price lists and pricing runs.
    public static let pricesRead = Permission(rawValue: "prices.read")
    /// Run pricing and publish a new price-list version.
    public static let pricesPublish = Permission(rawValue: "prices.publish")
    /// Define regular and promotional discounts.
    public static let discountsWrite = Permission(rawValue: "discounts.write")

    // Customers
    /// See customers, their events and opportunities (personal data masked).
    public static let customersRead = Permission(rawValue: "customers.read")
    /// Create and edit customers, record follow-ups and opportunities.
    public static let customersWrite = Permission(rawValue: "customers.write")
    /// Reassign customers between consultants and projects, share them.
    public static let customersAssign = Permission(rawValue: "customers.assign")
    /// See personal data unmasked: full phone numbers and ID document numbers.
    public static let customersPII = Permission(rawValue: "customers.pii")
    /// Merge duplicate customers.
    public static let customersMerge = Permission(rawValue: "customers.merge")

    // Deals and money
    /// See deals, their steps and history.
    public static let dealsRead = Permission(rawValue: "deals.read")
    /// Create deals (reservations).
    public static let dealsCreate = Permission(rawValue: "deals.create")
    /// Advance deals through their steps (subscription, contract, mortgage, settlement, handover).
    public static let dealsWrite = Permission(rawValue: "deals.write")
    /// Approve special transactions and discounts beyond the approval floor.
    public static let dealsApprove = Permission(rawValue: "deals.approve")
    /// Cancel or terminate deals.
    public static let dealsCancel = Permission(rawValue: "deals.cancel")
    /// See receivables, collections, receipts and invoices.
    public static let paymentsRead = Permission(rawValue: "payments.read")
    /// Record collections and issue receipts.
    public static let paymentsCollect = Permission(rawValue: "payments.collect")
    /// Record refunds.
    public static let paymentsRefund = Permission(rawValue: "payments.refund")
    /// Void a receipt or invoice, with a reason.
    public static let receiptsVoid = Permission(rawValue: "receipts.void")
    /// Set the group's exchange rates of the day (what foreign payments convert at); held at the group's root.
    public static let exchangeRatesWrite = Permission(rawValue: "exchange_rates.write")

    // Leasing, marketing, members, tasks, reports
    /// See leases and rent schedules.
    public static let leasesRead = Permission(rawValue: "leases.read")
    /// Create, renew and terminate leases.
    public static let leasesWrite = Permission(rawValue: "leases.write")
    /// See marketing activities, media spend and competitors.
    public static let marketingRead = Permission(rawValue: "marketing.read")
    /// Plan marketing activities, record media spend and competitor data.
    public static let marketingWrite = Permission(rawValue: "marketing.write")
    /// See members, their activities and points.
    public static let membersRead = Permission(rawValue: "members.read")
    /// Manage members, activities, points rules and redemptions.
    public static let membersWrite = Permission(rawValue: "members.write")
    /// See one's own and one's team's tasks.
    public static let tasksRead = Permission(rawValue: "tasks.read")
    /// Assign and reassign tasks to others.
    public static let tasksAssign = Permission(rawValue: "tasks.assign")
    /// Run reports, pivots and charts.
    public static let reportsRead = Permission(rawValue: "reports.read")
}

/// The one list of permissions that exist. Roles, grants and API-key scopes draw from it.
public enum PermissionCatalogue {
    /// Every permission with its area and summary, grouped by area.
    public static let all: [PermissionInfo] = [
        PermissionInfo(.orgRead, "See the organisation tree within one's reach"),
        PermissionInfo(.orgWrite, "Create, rename, move and close organisation units"),
        PermissionInfo(.usersRead, "See users and their role grants"),
        PermissionInfo(.adminUsers, "Create, disable and reset users; grant and revoke roles"),
        PermissionInfo(.adminRoles, "Define and change custom roles"),
        PermissionInfo(.adminAPIKeys, "Issue and revoke API keys for integration partners"),
        PermissionInfo(.adminWebhooks, "Subscribe webhooks to events, see and replay their deliveries"),
        PermissionInfo(.eventsRead, "Read the group's feed of business events"),
        PermissionInfo(.auditRead, "Read the audit log"),
        PermissionInfo(.dictionariesRead, "Read configurable dictionaries"),
        PermissionInfo(.dictionariesWrite, "Edit configurable dictionaries"),
        PermissionInfo(.roomsRead, "See buildings, building grids and rooms"),
        PermissionInfo(.roomsWrite, "Create and edit buildings and rooms"),
        PermissionInfo(.roomsHold, "Hold a room off sale with reason and expiry, and lift the hold"),
        PermissionInfo(.roomsRelease, "Release rooms for sale and withdraw unsold rooms"),
        PermissionInfo(.pricesRead, "See price lists and pricing runs"),
        PermissionInfo(.pricesPublish, "Run pricing and publish price-list versions"),
        PermissionInfo(.discountsWrite, "Define regular and promotional discounts"),
        PermissionInfo(.customersRead, "See customers, events and opportunities (personal data masked)"),
        PermissionInfo(.customersWrite, "Create and edit customers, record follow-ups"),
        PermissionInfo(.customersAssign, "Reassign and share customers"),
        PermissionInfo(.customersPII, "See full phone numbers and ID document numbers"),
        PermissionInfo(.customersMerge, "Merge duplicate customers"),
        PermissionInfo(.dealsRead, "See deals, their steps and history"),
        PermissionInfo(.dealsCreate, "Create deals (reservations)"),
        PermissionInfo(.dealsWrite, "Advance deals through subscription, contract, mortgage and handover"),
        PermissionInfo(.dealsApprove, "Approve special transactions and discounts beyond the floor"),
        PermissionInfo(.dealsCancel, "Cancel or terminate deals"),
        PermissionInfo(.paymentsRead, "See receivables, collections, receipts and invoices"),
        PermissionInfo(.paymentsCollect, "Record collections and issue receipts"),
        PermissionInfo(.paymentsRefund, "Record refunds"),
        PermissionInfo(.receiptsVoid, "Void a receipt or invoice with a reason"),
        PermissionInfo(.exchangeRatesWrite, "Set the group's exchange rates of the day (at the group's root)"),
        PermissionInfo(.leasesRead, "See leases and rent schedules"),
        PermissionInfo(.leasesWrite, "Create, renew and terminate leases"),
        PermissionInfo(.marketingRead, "See marketing activities, media spend and competitors"),
        PermissionInfo(.marketingWrite, "Plan marketing activities and record media spend"),
        PermissionInfo(.membersRead, "See members, activities and points"),
        PermissionInfo(.membersWrite, "Manage members, activities, points rules and redemptions"),
        PermissionInfo(.tasksRead, "See one's own and one's team's tasks"),
        PermissionInfo(.tasksAssign, "Assign and reassign tasks"),
        PermissionInfo(.reportsRead, "Run reports, pivots and charts"),
    ]

    private static let byPermission: [Permission: PermissionInfo] =
        Dictionary(all.map { ($0.permission, $0) }, uniquingKeysWith: { first, _ in first })

    /// Every permission in the catalogue, as a set.
    public static let permissions: Set<Permission> = Set(all.map(\.permission))

    /// Whether the permission is defined in the catalogue.
    public static func isKnown(_ p: Permission) -> Bool {
        byPermission[p] != nil
    }

    /// The catalogue entry for the permission, or nil if it is unknown.
    public static func info(_ p: Permission) -> PermissionInfo? {
        byPermission[p]
    }
}
