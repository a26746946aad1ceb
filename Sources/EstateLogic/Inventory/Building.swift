import Foundation

/// A phase of a project (optional level between project and building).
public struct Phase: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    public var code: String
    public var name: String
    public var version: Int
    /// The organisation path of the phase's project (for scope checks).
    public var projectPath: [UUID]

    public init(groupID: UUID, id: UUID, projectID: UUID, code: String, name: String, version: Int = 1, projectPath: [UUID] = []) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.code = code
        self.name = name
        self.version = version
        self.projectPath = projectPath
    }
}

/// A building of a project; its rooms form the building grid (floors × entrances).
public struct Building: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    public var phaseID: UUID?
    public var code: String
    public var name: String
    public var version: Int
    /// Changes whenever any room of the building changes: the grid's ETag.
    public var gridVersion: Int64
    /// The organisation path of the building's project (for scope checks).
    public var projectPath: [UUID]

    public init(groupID: UUID, id: UUID, projectID: UUID, phaseID: UUID? = nil, code: String, name: String,
                version: Int = 1, gridVersion: Int64 = 1, projectPath: [UUID] = []) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.phaseID = phaseID
        self.code = code
        self.name = name
        self.version = version
        self.gridVersion = gridVersion
        self.projectPath = projectPath
    }

    /// Rules for a code and a name (either may be absent in a partial update).
    public static func violations(code: String?, name: String?) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if let code, code.isEmpty || code.count > 32 || !code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) {
            result.append(FieldViolation(field: "code", message: "must be 1 to 32 letters, digits, dashes or underscores"))
        }
        if let name {
            let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.isEmpty || name.count > 200 { result.append(FieldViolation(field: "name", message: "must be 1 to 200 characters, not blank")) }
        }
        return result
    }
}

/// Why an inventory operation is refused.
public enum InventoryError: Error, Sendable, Hashable {
    /// The code is taken by another object of the same kind in the project.
    case codeTaken(object: String, field: String, code: String)
    /// The object is not a project (inventory hangs under projects only).
    case notAProject(field: String)
    /// A status change that the room's current status does not allow.
    case illegalTransition(roomID: UUID, current: RoomStatus, event: SalesControlEvent)
    /// A parking space on shared land cannot be released for sale.
    case sharedLandParking(roomID: UUID)
    /// The building still has rooms.
    case buildingNotEmpty
    /// The room has been on sale or priced: its history is kept, so it can no longer be deleted.
    case roomTaken(roomID: UUID, current: RoomStatus)
    /// A deal holds the room at the price it agreed: its price cannot change any more.
    case priceAgreed(roomID: UUID, current: RoomStatus)
}

/// One row of a room's append-only status history.
public struct RoomStatusChange: Sendable, Hashable {
    public var id: UUID
    public var roomID: UUID
    public var from: RoomStatus
    public var to: RoomStatus
    public var event: SalesControlEvent
    /// `user:<id>`, `api_key:<id>` or `system`.
    public var actor: String
    public var reason: String?
    public var holdUntil: Date?
    public var dealID: UUID?
    public var at: Date

    public init(id: UUID, roomID: UUID, from: RoomStatus, to: RoomStatus, event: SalesControlEvent, actor: String,
                reason: String? = nil, holdUntil: Date? = nil, dealID: UUID? = nil, at: Date = Date()) {
        self.id = id
        self.roomID = roomID
        self.from = from
        self.to = to
        self.event = event
        self.actor = actor
        self.reason = reason
        self.holdUntil = holdUntil
        self.dealID = dealID
        self.at = at
    }
}

extension AuditActor {
    /// The text form kept in history rows: `user:<id>`, `api_key:<id>` or `system`.
    public var historyText: String {
        switch self {
        case .user(let id): "user:\(id.uuidString.lowercased())"
        case .apiKey(let id): "api_key:\(id.uuidString.lowercased())"
        case .system: "system"
        }
    }
}
