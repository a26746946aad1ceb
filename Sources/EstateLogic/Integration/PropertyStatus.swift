import Foundation

/// What the property-management system reports about a room handed over to it (DOMAIN.md, "The
/// sale, step by step", 6: the handover to property management), a dictionary of its own: the
/// `property-status-updates-v1` XSD lists the same codes.
public enum PropertyStatus: String, Sendable, Hashable, Codable, CaseIterable {
    /// Property management accepted the room from the developer.
    case handoverAccepted = "handover_accepted"
    /// The owner moved in.
    case ownerMovedIn = "owner_moved_in"
    /// The owner's renovation (fit-out) started: works under the property rules.
    case renovationStarted = "renovation_started"
    /// The owner's renovation finished and was inspected.
    case renovationFinished = "renovation_finished"
    /// The owner reported a defect under the developer's warranty (passed on to the developer).
    case defectReported = "defect_reported"
    /// The owner returned the keys to property management (moved out, or left them for a repair).
    case keysReturned = "keys_returned"
}

/// One status update of the property-management system.
public struct PropertyStatusUpdate: Sendable, Hashable {
    /// The property-management system's id of the update: sent again, it names the same update.
    public var updateID: String
    public var roomID: UUID
    public var dealID: UUID
    public var status: PropertyStatus
    public var occurredAt: Date
    /// Who at property management reported it.
    public var reportedBy: String?
    public var note: String?

    public init(updateID: String, roomID: UUID, dealID: UUID, status: PropertyStatus, occurredAt: Date, reportedBy: String?, note: String?) {
        self.updateID = updateID
        self.roomID = roomID
        self.dealID = dealID
        self.status = status
        self.occurredAt = occurredAt
        self.reportedBy = reportedBy
        self.note = note
    }

    /// Whether this is `other` sent again: every field the same (times to the microsecond, what
    /// the database keeps).
    public func isResend(of other: PropertyStatusUpdate) -> Bool {
        updateID == other.updateID && roomID == other.roomID && dealID == other.dealID && status == other.status
            && abs(occurredAt.timeIntervalSince(other.occurredAt)) < 0.000_001 && reportedBy == other.reportedBy && note == other.note
    }
}

/// A document of property-management status updates, checked as a whole: all or nothing (the
/// project's rule for imports), every bad update reported by its position (0-based, like
/// `updates[2].dealId`), nothing stored while one is bad. An update already received (the same
/// update id with the same content) is accepted again and stored once.
public enum PropertyStatusImport {
    /// The most updates one document carries (the XSD says the same).
    public static let maximumUpdates = 1000
    /// How far in the future an update may say it happened (the two systems' clocks differ a little).
    public static let clockTolerance: TimeInterval = 600
    /// The deal stages in which property management has the room: from the handover to it on.
    public static let handedOverStages: Set<DealStage> = [.propertyHandedOver, .titleRegistered, .mortgageRegistered, .completed]

    /// Whether the caller may report on an object of a project.
    public enum Access: Sendable, Hashable {
        case allowed
        /// Visible, but the caller lacks the permission at its project.
        case forbidden
    }

    /// What the import knows of a deal it may report on.
    public struct DealFacts: Sendable, Hashable {
        public var access: Access
        public var roomID: UUID
        public var stage: DealStage

        public init(access: Access, roomID: UUID, stage: DealStage) {
            self.access = access
            self.roomID = roomID
            self.stage = stage
        }
    }

    /// An update that passed: new (to store), or one received before (nothing to do).
    public struct Planned: Sendable, Hashable {
        public var position: Int
        public var update: PropertyStatusUpdate
        public var isNew: Bool
    }

    /// Checks `updates` (with their positions) against what the database knows: the rooms and deals
    /// the caller can reach (absent: unknown, in another group or out of reach — told apart by no
    /// message), and the updates already stored under the ids named. Returns every update's plan, or
    /// every violation.
    public static func plan(_ updates: [(position: Int, update: PropertyStatusUpdate)], rooms: [UUID: Access], deals: [UUID: DealFacts],
                            stored: [String: PropertyStatusUpdate], now: Date) -> (planned: [Planned], violations: [ImportViolation]) {
        var planned: [Planned] = []
        var violations: [ImportViolation] = []
        var firstPosition: [String: Int] = [:]
        for (position, update) in updates {
            var found: [ImportViolation] = []
            func refuse(_ field: String, _ message: String) {
                found.append(ImportViolation(position: position, field: field, message: message))
            }
            if let earlier = firstPosition[update.updateID] {
                refuse("updateId", "repeats updates[\(earlier)].updateId: send each update once")
            } else {
                firstPosition[update.updateID] = position
            }
            let previous = stored[update.updateID]
            if let previous, !update.isResend(of: previous) {
                refuse("updateId", "names an update received before with other content: an update id names one update")
            }
            switch rooms[update.roomID] {
            case nil: refuse("roomId", "is not a room you can reach")
            case .forbidden?: refuse("roomId", "is in a project where you lack deals.write")
            case .allowed?: break
            }
            if let deal = deals[update.dealID] {
                if deal.access == .forbidden {
                    refuse("dealId", "is in a project where you lack deals.write")
                } else if deal.roomID != update.roomID {
                    refuse("dealId", "is not a deal of the room named in roomId")
                } else if !handedOverStages.contains(deal.stage) {
                    refuse("dealId", "is \(deal.stage.rawValue): property management takes a room over with its deal's "
                        + "hand_over_to_property_management step")
                }
            } else {
                refuse("dealId", "is not a deal you can reach")
            }
            if update.occurredAt.timeIntervalSince(now) > clockTolerance {
                refuse("occurredAt", "is in the future")
            }
            if found.isEmpty {
                planned.append(Planned(position: position, update: update, isNew: previous == nil))
            }
            violations += found
        }
        return (violations.isEmpty ? planned : [], violations)
    }
}
