import Foundation

/// The hash chain of a group's audit trail: each entry's hash covers its content and the previous
/// entry's hash, and the group's head records the last sequence and hash. Editing, deleting,
/// inserting or reordering entries breaks the chain at the first entry touched.
///
/// The hash function (SHA-256, hex) is passed in, so that this rule stays free of I/O and crypto libraries.
public enum AuditChain {
    /// The "previous hash" of a group's first entry.
    public static let genesis = String(repeating: "0", count: 64)

    /// The exact text an entry's hash covers (format `v1`): one field per line, changes as JSON.
    public static func canonicalText(of entry: AuditEntry) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let changes = (try? encoder.encode(entry.event.changes)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
        return [
            "v1",
            entry.groupID.uuidString.lowercased(),
            String(entry.sequence),
            entry.id.uuidString.lowercased(),
            String(entry.occurredAtMicros),
            entry.event.actor.type,
            entry.event.actor.id?.uuidString.lowercased() ?? "-",
            entry.event.action,
            entry.event.objectType,
            entry.event.objectID.uuidString.lowercased(),
            entry.event.orgUnitID?.uuidString.lowercased() ?? "-",
            entry.event.requestID ?? "-",
            changes,
        ].joined(separator: "\n")
    }

    /// The hash of an entry that follows `previousHash`.
    public static func hash(of entry: AuditEntry, previousHash: String, sha256Hex: (String) -> String) -> String {
        sha256Hex(previousHash + "\n" + canonicalText(of: entry))
    }

    /// Where a chain is broken.
    public struct Break: Sendable, Hashable, CustomStringConvertible {
        public let sequence: Int64
        public let entryID: UUID?
        public let reason: String
        public var description: String {
            "entry #\(sequence)\(entryID.map { " (\($0.uuidString.lowercased()))" } ?? ""): \(reason)"
        }
    }

    /// Checks a group's entries (in sequence order) against each other and against the head;
    /// nil when the chain is whole, else the first break.
    public static func verify(_ entries: [AuditEntry], head: (sequence: Int64, hash: String)?,
                              sha256Hex: (String) -> String) -> Break? {
        var previous = genesis
        var expected: Int64 = 1
        for entry in entries {
            if entry.sequence != expected {
                return Break(sequence: entry.sequence, entryID: entry.id,
                             reason: entry.sequence > expected
                                 ? "entries \(expected)…\(entry.sequence - 1) are missing"
                                 : "is out of order (expected #\(expected))")
            }
            if entry.previousHash != previous {
                return Break(sequence: entry.sequence, entryID: entry.id,
                             reason: "does not follow the entry before it (its previous hash differs)")
            }
            if hash(of: entry, previousHash: previous, sha256Hex: sha256Hex) != entry.hash {
                return Break(sequence: entry.sequence, entryID: entry.id, reason: "its content was altered (hash mismatch)")
            }
            previous = entry.hash
            expected += 1
        }
        let last = expected - 1
        if let head, head.sequence != last || head.hash != previous {
            return Break(sequence: last + 1, entryID: nil,
                         reason: "the trail ends at #\(last) but its head records #\(head.sequence): entries were removed from the end")
        }
        if head == nil && last > 0 {
            return Break(sequence: last, entryID: nil, reason: "the trail has entries but no head")
        }
        return nil
    }
}
