import EstateLogic
import Foundation
import Testing

@Suite("Audit chain")
struct AuditChainTests {
    /// Any deterministic function will do for the chain rules; SHA-256 lives in the data layer.
    static func digest(_ text: String) -> String {
        var hash: UInt64 = 14_695_981_039_346_656_037
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 1_099_511_628_211 }
        return String(repeating: "0", count: 48) + String(hash, radix: 16).leftPadded(to: 16)
    }

    func chain(_ count: Int) -> [AuditEntry] {
        var previous = AuditChain.genesis
        let group = UUID()
        return (1...count).map { index in
            var entry = AuditEntry(groupID: group, sequence: Int64(index), id: UUID(), occurredAtMicros: Int64(index) * 1000,
                                   event: AuditEvent(actor: .system, action: "a", objectType: "t", objectID: UUID(), orgUnitID: nil,
                                                     changes: [AuditChange(field: "n", before: nil, after: String(index))],
                                                     requestID: nil),
                                   previousHash: previous, hash: "")
            entry.hash = AuditChain.hash(of: entry, previousHash: previous, sha256Hex: Self.digest)
            previous = entry.hash
            return entry
        }
    }

    @Test func wholeChainVerifies() {
        let entries = chain(4)
        #expect(AuditChain.verify(entries, head: (4, entries[3].hash), sha256Hex: Self.digest) == nil)
        #expect(AuditChain.verify([], head: nil, sha256Hex: Self.digest) == nil)
    }

    @Test func everyKindOfTamperingBreaksIt() {
        let entries = chain(4)
        let head = (sequence: Int64(4), hash: entries[3].hash)
        var altered = entries
        altered[1].event.changes = [AuditChange(field: "n", before: nil, after: "forged")]
        #expect(AuditChain.verify(altered, head: head, sha256Hex: Self.digest)?.sequence == 2)
        var deleted = entries
        deleted.remove(at: 1)
        #expect(AuditChain.verify(deleted, head: head, sha256Hex: Self.digest)?.sequence == 3)
        #expect(AuditChain.verify(Array(entries.prefix(3)), head: head, sha256Hex: Self.digest)?.sequence == 4)
        var reordered = entries
        reordered.swapAt(1, 2)
        (reordered[1].sequence, reordered[2].sequence) = (2, 3)
        #expect(AuditChain.verify(reordered, head: head, sha256Hex: Self.digest)?.sequence == 2)
        #expect(AuditChain.verify(entries, head: nil, sha256Hex: Self.digest) != nil)
    }

    @Test func diffKeepsOnlyChangedFields() {
        let changes = AuditChange.diff(before: ["name": "A", "code": "a", "gone": "x"], after: ["name": "B", "code": "a", "new": nil])
        #expect(changes == [AuditChange(field: "gone", before: "x", after: nil), AuditChange(field: "name", before: "A", after: "B")])
    }
}

extension String {
    func leftPadded(to width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
