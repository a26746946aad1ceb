import EstateLogic
import Foundation
import Logging
import ServiceLifecycle

extension Database {
    /// Moves every owned customer whose protection period ended at or before `now` to its project's
    /// public pool, in batches of one transaction each (rows another transaction holds, e.g. a
    /// follow-up being recorded, are left for the next sweep). Returns how many.
    @discardableResult
    public func lapseProtections(now: Date = Date(), batchSize: Int = 500) async throws -> Int {
        var total = 0
        while true {
            let lapsed = try await unitOfWork { work in try await work.customerOwnership.lapse(now: now, limit: batchSize).count }
            total += lapsed
            if lapsed < batchSize { return total }
        }
    }
}

/// The background service that moves customers whose protection period lapsed to their project's
/// public pool (DOMAIN.md: a consultant who does not follow up in time loses the customer to the pool).
public typealias ProtectionLapseService = SweepService<ProtectionLapse>

/// The protection-lapse sweep (``Database/lapseProtections(now:batchSize:)``).
public enum ProtectionLapse: DatabaseSweep {
    public static let name = "protection lapse"
    public static let defaultInterval: Duration = .seconds(300)
    public static let done = (message: "customers lapsed to the pool", key: "customers")
    public static func sweep(_ database: Database) async throws -> Int { try await database.lapseProtections() }
}
