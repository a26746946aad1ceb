import Foundation

/// Who owns a customer and where: the owning consultant (nil while in the project's public pool) and the project.
public struct CustomerPlacement: Sendable, Hashable {
    public var ownerID: UUID?
    public var projectID: UUID

    public init(ownerID: UUID?, projectID: UUID) {
        self.ownerID = ownerID
        self.projectID = projectID
    }
}

/// The protection period: how long a customer stays with its owner without a follow-up before it
/// lapses to the project's public pool. Days of 24 hours, per customer source, configurable per group.
public enum ProtectionPeriod {
    /// The source code of the group's default period.
    public static let groupDefault = "*"
    /// The period when the group has configured neither the source's nor a default one.
    public static let fallbackDays = 30
    /// The periods a group may configure.
    public static let allowedDays = 1...3650

    /// The end of a period of `days` starting at `start`.
    public static func end(from start: Date, days: Int) -> Date {
        start.addingTimeInterval(Double(days) * 86_400)
    }

    /// `protected_until` after a customer got a new owner (created, reassigned, claimed): the new
    /// owner's period starts now, whatever was left of the previous owner's.
    public static func afterOwnerChange(now: Date, days: Int) -> Date {
        end(from: now, days: days)
    }

    /// `protected_until` of a customer in the public pool: none (nobody is protected).
    public static let inPool: Date? = nil

    /// Whether an owned customer's protection has lapsed at `now` (the end itself counts as lapsed).
    /// A pooled customer (no owner) and one without an end never lapse.
    public static func hasLapsed(ownerID: UUID?, protectedUntil: Date?, now: Date) -> Bool {
        guard ownerID != nil, let protectedUntil else { return false }
        return protectedUntil <= now
    }

    /// Whether `source` names a period: the group default `*` or a dictionary code (1 to 63
    /// lower-case letters, digits or underscores; whether it is an active code of the group's
    /// `customer_sources` is checked against the dictionary).
    public static func isWellFormedSource(_ source: String) -> Bool {
        source == groupDefault
            || ((1...63).contains(source.count) && source.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") })
    }

    /// The violations of a period a group wants to set.
    public static func violations(days: Int) -> [FieldViolation] {
        allowedDays.contains(days) ? [] : [FieldViolation(field: "days", message: "must be a whole number from 1 to 3650")]
    }
}

/// Why a customer cannot be shared with a user.
public enum ShareRefusal: Error, Sendable, Hashable {
    /// The user owns the customer: an owner has full rights already.
    case owner
    /// No active user of the customer's group by that id.
    case notAnActiveUser
    /// The user holds `customers.read` nowhere, so a share would show them nothing.
    case readsNoCustomers
}

/// Sharing a customer with another user, read-only or as a collaborator.
public enum CustomerSharing {
    /// What may refuse a share with `userID`: `user` is that user as found in the customer's group
    /// (nil when there is none), with whether they are active and their access scope.
    public static func refusal(userID: UUID, ownerID: UUID?, user: (active: Bool, scope: AccessScope)?) -> ShareRefusal? {
        if userID == ownerID { return .owner }
        guard let user, user.active else { return .notAnActiveUser }
        guard user.scope.holdsAnywhere(.customersRead) else { return .readsNoCustomers }
        return nil
    }
}

/// Reassigning customers, one or many at once (all or nothing), to another consultant, possibly in
/// another project of the same group.
public enum Reassignment {
    /// The most customers one request reassigns.
    public static let maximumCustomers = 500
    /// The longest reason, in characters.
    public static let maximumReason = 500

    /// The request's own rules: 1 to 500 distinct customers and a reason (not blank, at most 500
    /// characters, no control characters other than line breaks and tabs).
    public static func violations(customerIDs: [UUID], reason: String?) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if customerIDs.isEmpty || customerIDs.count > maximumCustomers {
            result.append(FieldViolation(field: "customerIds", message: "must name 1 to \(maximumCustomers) customers"))
        }
        var seen: Set<UUID> = []
        for (index, id) in customerIDs.enumerated() where !seen.insert(id).inserted {
            result.append(FieldViolation(field: "customerIds[\(index)]", message: "is given twice"))
        }
        let trimmed = reason?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty {
            result.append(FieldViolation(field: "reason", message: "is required"))
        } else if trimmed.count > maximumReason
                    || CustomerText.hasControlCharacter(trimmed, allowingLineBreaks: true) {
            result.append(FieldViolation(field: "reason", message: "must be at most \(maximumReason) characters without control characters"))
        }
        return result
    }

    /// Whether a user may own customers of a project: active and holding `customers.write` there.
    public static func canOwn(active: Bool, scope: AccessScope, groupID: UUID, projectPath: [UUID]) -> Bool {
        active && scope.permissions(groupID: groupID, unitPath: projectPath).contains(.customersWrite)
    }

    /// Where a customer placed at `current` ends up when given to `ownerID`, in `projectID` when
    /// given (else its own project); nil when that is where it already is (nothing to record).
    public static func target(from current: CustomerPlacement, ownerID: UUID, projectID: UUID?) -> CustomerPlacement? {
        let next = CustomerPlacement(ownerID: ownerID, projectID: projectID ?? current.projectID)
        return next == current ? nil : next
    }
}

/// Why a consultant cannot claim a customer from the pool.
public enum ClaimRefusal: Error, Sendable, Hashable {
    /// The customer has an owner (it never lapsed, or someone claimed it first).
    case notInPool
}

/// Claiming a customer from the project's public pool.
public enum PoolClaim {
    /// What refuses a claim of a customer owned by `ownerID` (nil: in the pool).
    public static func refusal(ownerID: UUID?) -> ClaimRefusal? {
        ownerID == nil ? nil : .notInPool
    }
}
