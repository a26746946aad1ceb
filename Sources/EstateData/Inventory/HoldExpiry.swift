import EstateLogic
import Foundation
import Logging
import ServiceLifecycle

extension Database {
    /// Returns every room whose hold ended at or before `now` to available, each with a history row
    /// (event `hold_expired`, by `system`), in batches of one transaction each. Returns how many.
    @discardableResult
    public func expireHolds(now: Date = Date(), batchSize: Int = 500) async throws -> Int {
        var total = 0
        while true {
            let expired = try await unitOfWork { work -> Int in
                let rooms = try await work.rooms.lockExpiredHolds(now: now, limit: batchSize)
                for room in rooms {
                    let next = try SalesControl.next(from: room.status, on: .holdExpired)
                    _ = try await work.rooms.changeStatus(room, RoomStatusChange(
                        id: UUIDv7.make(), roomID: room.id, from: room.status, to: next, event: .holdExpired,
                        actor: AuditActor.system.historyText, reason: "hold expired", holdUntil: room.holdUntil))
                }
                return rooms.count
            }
            total += expired
            if expired < batchSize { return total }
        }
    }
}

/// The background service that ends expired holds (DOMAIN.md: an expired hold returns the room to available).
public typealias HoldExpiryService = SweepService<HoldExpiry>

/// The hold-expiry sweep (``Database/expireHolds(now:batchSize:)``).
public enum HoldExpiry: DatabaseSweep {
    public static let name = "hold expiry"
    public static let defaultInterval: Duration = .seconds(30)
    public static let done = (message: "holds expired", key: "rooms")
    public static func sweep(_ database: Database) async throws -> Int { try await database.expireHolds() }
}
