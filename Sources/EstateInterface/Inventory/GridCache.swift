import EstateLogic
import Foundation
import NIOCore
import Synchronization

/// Rendered building grids, kept per building and reused while the building's grid version and
/// version are unchanged (a database trigger bumps the grid version whenever any of its rooms
/// changes, in the same transaction). Sales-office screens poll the same few buildings all day;
/// with this, a poll costs the access check and one primary-key read instead of reading and
/// rendering every room. Correct with several API processes: each checks the versions in the
/// database on every request. At most `capacity` grids are kept; the least recently used goes.
final class GridCache: Sendable {
    struct Key: Hashable {
        let groupID: UUID
        let buildingID: UUID
    }

    private struct Entry {
        let gridVersion: Int64
        let version: Int
        let body: ByteBuffer
        var lastUse: UInt64
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var clock: UInt64 = 0
    }

    let capacity: Int
    private let state = Mutex(State())

    init(capacity: Int) {
        self.capacity = max(0, capacity)
    }

    /// The rendered grid of `building` if the cached one is of its current versions.
    func body(for building: Building) -> ByteBuffer? {
        guard capacity > 0 else { return nil }
        let key = Key(groupID: building.groupID, buildingID: building.id)
        return state.withLock { state in
            guard var entry = state.entries[key], entry.gridVersion == building.gridVersion, entry.version == building.version else {
                return nil
            }
            state.clock += 1
            entry.lastUse = state.clock
            state.entries[key] = entry
            return entry.body
        }
    }

    /// Keeps the grid rendered for `building` as read (its versions read before its rooms, so an
    /// entry is never newer-labelled than its content).
    func store(_ body: ByteBuffer, for building: Building) {
        guard capacity > 0 else { return }
        let key = Key(groupID: building.groupID, buildingID: building.id)
        state.withLock { state in
            state.clock += 1
            state.entries[key] = Entry(gridVersion: building.gridVersion, version: building.version, body: body, lastUse: state.clock)
            if state.entries.count > capacity, let oldest = state.entries.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
                state.entries[oldest] = nil
            }
        }
    }
}
