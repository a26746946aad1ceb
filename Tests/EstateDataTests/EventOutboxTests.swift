import EstateData
import EstateLogic
import EstateTestSupport
import Foundation
import Testing

@Suite("The event outbox")
struct EventOutboxTests {
    @Test func hmacSHA256MatchesRFC4231() {
        // RFC 4231, test case 2.
        #expect(SHA256Hex.hmac(key: "Jefe", message: Data("what do ya want for nothing?".utf8))
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    static func payload(_ deal: UUID, _ amount: Int64) -> PaymentReceived {
        PaymentReceived(dealId: deal, collectionId: UUIDv7.make(), amount: Money(minorUnits: amount), method: "transfer",
                        receivedOn: LocalDate(year: 2026, month: 11, day: 27)!, recordedAt: Date(), receiptNumber: nil)
    }

    /// Units of work appending events about the same object at the same time: each gets the next
    /// number, without gaps, in the order they commit (the counter row waits for the one before).
    @Test func concurrentEventsOfAnObjectAreNumberedWithoutGaps() async throws {
        let database = try TestDatabase.database(url: try await TestDatabase.migrated(), maxConnections: 8)
        let group = Group(id: UUIDv7.make(), code: "outbox", name: "Outbox")
        try await database.unitOfWork { work in _ = try await work.groups.insertIfMissing(group) }
        let deal = UUIDv7.make()
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for index in 1...8 {
                tasks.addTask { () async throws -> Void in
                    _ = try await database.unitOfWork { work in
                        try await work.events.append(Self.payload(deal, Int64(index)), groupID: group.id)
                    }
                }
            }
            try await tasks.waitForAll()
        }
        // One unit of work that fails after appending leaves nothing behind.
        await #expect(throws: DataError.self) {
            try await database.unitOfWork { work in
                try await work.events.append(Self.payload(deal, 99), groupID: group.id)
                throw DataError.internalFailure("the change failed")
            }
        }
        // A batch about one object numbers its events in the batch's order.
        try await database.unitOfWork { work in
            let stored = try await work.events.append([(group.id, Self.payload(deal, 100)), (group.id, Self.payload(deal, 101))])
            #expect(stored.map(\.sequence) == [9, 10])
        }
        // The feed shows an event once every older transaction of the cluster ended (other suites run
        // too, the scale seed's bulk loads among them: wait up to 5 minutes).
        var events: [StoredEvent] = []
        let deadline = ContinuousClock.now + .seconds(300)
        while ContinuousClock.now < deadline {
            events = try await database.read { work in
                try await work.events.feed(groupID: group.id, after: nil, types: nil, objectID: deal, limit: 50)
            }
            if events.count >= 10 { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        #expect(events.map(\.sequence).sorted() == Array(1...10))
        #expect(events.allSatisfy { $0.type == .paymentReceived && $0.objectType == "deal" })
        // Feed order is commit order: the sequence grows along it.
        #expect(events.map(\.sequence) == events.map(\.sequence).sorted())
        #expect(!events.contains { $0.payload.contains("\"99.00\"") })
        await database.close()
    }
}
