import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Sales control: release to sale, withdraw, hold and release a hold — one room or many at once —
/// and each room's status history. The transitions themselves are ``SalesControl``'s.
struct SalesControlController {
    let database: Database

    /// The longest hold management may place (beyond that, withdraw the room instead).
    static let longestHold: TimeInterval = 366 * 24 * 3600

    func register(in routes: inout RouteTable) {
        for (path, event) in [("release", SalesControlEvent.release), ("withdraw", .withdraw), ("release-hold", .releaseHold)] {
            guard let permission = event.permission else { continue }
            routes.add(.post, "/v1/rooms/{id}/\(path)", access: .permission(permission)) { request, context in
                let id = try context.parameters.require("id", as: UUID.self)
                let body = try await optionalBody(request, context)
                let reason = try Self.reason(body?.reason, required: false)
                let room = try await change(context, ids: [id], event: event, reason: reason, holdUntil: nil)[0]
                return try Versioning.response(RoomBody(room), version: room.version, request: request, context: context)
            }
        }
        routes.add(.post, "/v1/rooms/{id}/hold", access: .permission(.roomsHold)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: HoldInput.self, context: context)
            let (reason, until) = try Self.hold(body)
            let room = try await change(context, ids: [id], event: .hold, reason: reason, holdUntil: until)[0]
            return try Versioning.response(RoomBody(room), version: room.version, request: request, context: context)
        }
        for (path, event) in [("release", SalesControlEvent.release), ("withdraw", .withdraw), ("hold", .hold),
                              ("release-hold", .releaseHold)] {
            guard let permission = event.permission else { continue }
            routes.add(.post, "/v1/sales-control/\(path)", access: .permission(permission)) { request, context in
                let body = try await request.decode(as: BulkStatusChange.self, context: context)
                guard (1...1000).contains(body.roomIds.count), Set(body.roomIds).count == body.roomIds.count else {
                    throw Problem.validation([FieldViolation(field: "roomIds", message: "must name 1 to 1000 different rooms")])
                }
                var reason = try Self.reason(body.reason, required: false)
                var until: Date?
                if event == .hold {
                    (reason, until) = try Self.hold(HoldInput(reason: body.reason ?? "", until: body.until ?? ""))
                }
                let rooms = try await change(context, ids: body.roomIds, event: event, reason: reason, holdUntil: until)
                return ListBody(items: rooms.map(RoomBody.init))
            }
        }
        routes.add(.get, "/v1/rooms/{id}/status-history", access: .permission(.roomsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let history = try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, id, .roomsRead)
                return try await work.rooms.statusHistory(groupID: room.groupID, roomID: room.id)
            }
            return ListBody(items: history.map(StatusChangeBody.init))
        }
    }

    /// Applies `event` to every room, all or nothing: the rooms are locked in id order, each is
    /// checked for scope, permission and transition, then changed with its history row.
    func change(_ context: EstateRequestContext, ids: [UUID], event: SalesControlEvent, reason: String?,
                holdUntil: Date?) async throws -> [Room] {
        let caller = try context.requireCaller()
        guard let permission = event.permission else { throw Problem.forbidden(.roomsRelease) }
        return try await database.unitOfWork { work in
            let locked = try await work.rooms.lock(groupID: caller.groupID, ids: ids)
            let byID = Dictionary(uniqueKeysWithValues: locked.map { ($0.id, $0) })
            var changed: [Room] = []
            for id in ids {
                guard let room = byID[id] else {
                    throw ids.count == 1 ? Problem.notFound() : Problem.notFound("No room \(id.uuidString.lowercased()).")
                }
                try context.authorize(permission, groupID: room.groupID, unitPath: room.projectPath)
                let next: RoomStatus
                do {
                    next = try SalesControl.next(from: room.status, on: event, onSharedLand: room.attributes.sharedLand)
                } catch let error as SalesControlError {
                    switch error {
                    case .sharedLandParking: throw InventoryError.sharedLandParking(roomID: room.id)
                    case .notAllowed: throw InventoryError.illegalTransition(roomID: room.id, current: room.status, event: event)
                    }
                }
                let change = RoomStatusChange(id: UUIDv7.make(), roomID: room.id, from: room.status, to: next, event: event,
                                              actor: caller.actor.historyText, reason: reason, holdUntil: holdUntil)
                let stored = try await work.rooms.changeStatus(room, change)
                try await context.recordChange(work, action: "room.\(event.rawValue)", objectType: "room", objectID: room.id,
                                               orgUnitID: room.projectID,
                                               changes: AuditChange.diff(before: ["status": room.status.rawValue, "holdReason": room.holdReason],
                                                                         after: ["status": next.rawValue, "holdReason": stored.holdReason]),
                                               groupID: room.groupID)
                changed.append(stored)
            }
            return changed
        }
    }

    /// An optional JSON body: none at all is fine.
    func optionalBody(_ request: Request, _ context: EstateRequestContext) async throws -> StatusChangeInput? {
        var request = request
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw Problem.contentTooLarge(limit: context.maxUploadSize)
        }
        guard buffer.readableBytes > 0 else { return nil }
        return try await request.decode(as: StatusChangeInput.self, context: context)
    }

    static func reason(_ text: String?, required: Bool) throws -> String? {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && (trimmed ?? "").isEmpty {
            throw Problem.validation([FieldViolation(field: "reason", message: "is required")])
        }
        if let trimmed, trimmed.count > 500 {
            throw Problem.validation([FieldViolation(field: "reason", message: "must be at most 500 characters")])
        }
        return trimmed?.isEmpty == true ? nil : trimmed
    }

    static func hold(_ body: HoldInput) throws -> (String, Date) {
        let reason = try reason(body.reason, required: true) ?? ""
        let now = Date()
        guard let until = RFC3339.date(from: body.until) else {
            throw Problem.validation([FieldViolation(field: "until", message: "must be an RFC 3339 date-time")])
        }
        guard until > now, until.timeIntervalSince(now) <= longestHold else {
            throw Problem.validation([FieldViolation(field: "until", message: "must be in the future and within 366 days")])
        }
        return (reason, until)
    }
}

struct BulkStatusChange: Decodable {
    let roomIds: [UUID]
    let reason: String?
    /// RFC 3339 date-time (holds only).
    let until: String?
}
