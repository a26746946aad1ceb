import EstateLogic
import Foundation
import Logging
import ServiceLifecycle

extension Database {
    /// Ends every reserved deal whose reservation ended at or before `now` (DOMAIN.md: an expired
    /// reservation returns the room to available), in batches of one transaction each; deals another
    /// transaction holds (being subscribed right now) are left for the next sweep. Each deal is
    /// cancelled by ``DealStep/expireReservation`` with the reason `reservation_expired`, its room goes
    /// back to available (event `reservation_expired`, naming the deal), its open tasks are cancelled,
    /// and the deal's history gets the row; all by `system`. Returns how many deals expired.
    @discardableResult
    public func expireReservations(now: Date = Date(), batchSize: Int = 500) async throws -> Int {
        let actor = AuditActor.system.historyText
        var total = 0
        while true {
            let expired = try await unitOfWork { work -> Int in
                let deals = try await work.deals.lockExpiredReservations(now: now, limit: batchSize)
                for current in deals {
                    var deal = current
                    deal.stage = try DealFlow.transition(from: current.progress, by: .expireReservation)
                    deal.endedReason = "reservation_expired"
                    // The room is locked after the deal, as every deal step does. A room that is no
                    // longer reserved (which the live-deal invariant rules out) is left as it is.
                    if let room = try await work.rooms.lock(groupID: deal.groupID, id: deal.roomID), room.status == .reserved {
                        let next = try SalesControl.next(from: room.status, on: .reservationExpired)
                        _ = try await work.rooms.changeStatus(room, RoomStatusChange(
                            id: UUIDv7.make(), roomID: room.id, from: room.status, to: next, event: .reservationExpired,
                            actor: actor, reason: "reservation expired", dealID: deal.id))
                    }
                    let stored = try await work.deals.update(deal)
                    try await work.deals.record(stored, event: DealStep.expireReservation.rawValue, from: current.stage,
                                                before: ExpirySnapshot(current), after: ExpirySnapshot(stored),
                                                actor: actor, reason: "reservation expired")
                    try await work.dealTasks.cancelAll(of: stored, actor: actor, note: "the reservation expired")
                }
                return deals.count
            }
            total += expired
            if expired < batchSize { return total }
        }
    }
}

/// What a deal's history keeps of an expiry: the fields it changes (the API's deal body is the
/// interface layer's; a system step records what it knows).
struct ExpirySnapshot: Encodable {
    let stage: DealStage
    let reservedUntil: Date?
    let endedReason: String?

    init(_ deal: Deal) {
        stage = deal.stage
        reservedUntil = deal.reservedUntil
        endedReason = deal.endedReason
    }
}

/// The background service that ends expired reservations (DOMAIN.md: the room returns to available
/// when a reservation expires).
public typealias ReservationExpiryService = SweepService<ReservationExpiry>

/// The reservation-expiry sweep (``Database/expireReservations(now:batchSize:)``).
public enum ReservationExpiry: DatabaseSweep {
    public static let name = "reservation expiry"
    public static let defaultInterval: Duration = .seconds(30)
    public static let done = (message: "reservations expired", key: "deals")
    public static func sweep(_ database: Database) async throws -> Int { try await database.expireReservations() }
}
