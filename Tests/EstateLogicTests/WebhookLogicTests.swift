import EstateLogic
import Foundation
import Testing

@Suite("Webhook retries")
struct WebhookRetryPolicyTests {
    @Test func defaultsTryTenTimesOverAboutFifteenHours() {
        let policy = WebhookRetryPolicy()
        #expect(policy.maxAttempts == 10)
        #expect(policy.schedule == [.seconds(10), .seconds(30), .seconds(90), .seconds(270), .seconds(810), .seconds(2430),
                                    .seconds(7290), .seconds(21_600), .seconds(21_600)])
        let total = policy.schedule.reduce(Duration.zero, +)
        #expect(total == .seconds(54_130))
    }

    @Test(arguments: [(1, Duration.milliseconds(100)), (2, .milliseconds(200)), (3, .milliseconds(400)), (4, .milliseconds(500)),
                      (40, .milliseconds(500))])
    func waitsGrowByTheFactorUpToTheCap(attempt: Int, wait: Duration) {
        let policy = WebhookRetryPolicy(maxAttempts: 50, baseDelay: .milliseconds(100), factor: 2, maxDelay: .milliseconds(500))
        #expect(policy.delay(afterAttempt: attempt) == wait)
        #expect(policy.afterFailure(attempt: attempt) == .retry(after: wait))
    }

    @Test func theLastAttemptDeadLetters() {
        let policy = WebhookRetryPolicy(maxAttempts: 3, baseDelay: .seconds(1), factor: 3, maxDelay: .seconds(60))
        #expect(policy.afterFailure(attempt: 1) == .retry(after: .seconds(1)))
        #expect(policy.afterFailure(attempt: 2) == .retry(after: .seconds(3)))
        #expect(policy.afterFailure(attempt: 3) == .deadLetter)
        // A delivery sent again after its relay stopped may count past the last attempt: still dead.
        #expect(policy.afterFailure(attempt: 4) == .deadLetter)
        #expect(WebhookRetryPolicy(maxAttempts: 1).afterFailure(attempt: 1) == .deadLetter)
        #expect(WebhookRetryPolicy(maxAttempts: 1).schedule.isEmpty)
    }

    @Test func aFactorOfOneWaitsTheSameEachTime() {
        let policy = WebhookRetryPolicy(maxAttempts: 4, baseDelay: .seconds(5), factor: 1, maxDelay: .seconds(60))
        #expect(policy.schedule == [.seconds(5), .seconds(5), .seconds(5)])
    }

    @Test func nonsenseSettingsAreClamped() {
        let policy = WebhookRetryPolicy(maxAttempts: 0, baseDelay: .seconds(1), factor: 0, maxDelay: .seconds(2))
        #expect(policy.maxAttempts == 1)
        #expect(policy.factor == 1)
    }

    @Test func durationsInWholeMilliseconds() {
        #expect(Duration.seconds(2).wholeMilliseconds == 2000)
        #expect(Duration.milliseconds(1500).wholeMilliseconds == 1500)
        #expect(Duration.microseconds(2999).wholeMilliseconds == 2)
    }
}

@Suite("Webhook signatures")
struct WebhookSignatureTests {
    @Test func theSignedContentIsTimestampDotBody() {
        #expect(WebhookSignature.signedContent(timestamp: 1_700_000_000, body: Array(#"{"a":1}"#.utf8))
                == Array(#"1700000000.{"a":1}"#.utf8))
        #expect(WebhookSignature.signedContent(timestamp: 5, body: [UInt8]()) == Array("5.".utf8))
        #expect(WebhookSignature.header(hexDigest: "ab01") == "v1=ab01")
    }

    @Test func headersMayCarrySeveralDigests() {
        #expect(WebhookSignature.digests(in: "v1=aa") == ["aa"])
        #expect(WebhookSignature.digests(in: "v1=aa, v1=bb") == ["aa", "bb"])
        #expect(WebhookSignature.digests(in: "v0=aa,v1=bb,v1") == ["bb"])
        #expect(WebhookSignature.digests(in: "").isEmpty)
    }

    @Test func verificationNeedsTheDigestAndAFreshTimestamp() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let digest = String(repeating: "ab", count: 32)
        #expect(WebhookSignature.verify(header: "v1=\(digest)", timestamp: "1700000000", expectedHexDigest: digest, now: now))
        #expect(WebhookSignature.verify(header: "v1=00,v1=\(digest)", timestamp: "1699999800", expectedHexDigest: digest.uppercased(), now: now))
        // Another digest, one character off, another length.
        #expect(!WebhookSignature.verify(header: "v1=\(String(repeating: "cd", count: 32))", timestamp: "1700000000",
                                         expectedHexDigest: digest, now: now))
        #expect(!WebhookSignature.verify(header: "v1=\(digest.dropLast())c", timestamp: "1700000000", expectedHexDigest: digest, now: now))
        #expect(!WebhookSignature.verify(header: "v1=\(digest)0", timestamp: "1700000000", expectedHexDigest: digest, now: now))
        #expect(!WebhookSignature.verify(header: "v2=\(digest)", timestamp: "1700000000", expectedHexDigest: digest, now: now))
        // Too old, too new, not a number.
        #expect(!WebhookSignature.verify(header: "v1=\(digest)", timestamp: "1699999699", expectedHexDigest: digest, now: now))
        #expect(!WebhookSignature.verify(header: "v1=\(digest)", timestamp: "1700000301", expectedHexDigest: digest, now: now))
        #expect(!WebhookSignature.verify(header: "v1=\(digest)", timestamp: "soon", expectedHexDigest: digest, now: now))
    }
}

@Suite("Webhook subscriptions and the event catalogue")
struct WebhookSubscriptionTests {
    @Test func theCatalogueNamesEachTypeOnceWithItsObject() {
        let types = EventCatalogue.types.map(\.rawValue)
        #expect(types == ["room.status_changed", "customer.created", "customer.reassigned", "deal.subscribed", "deal.contracted",
                          "payment.received", "receipt.voided"])
        #expect(Set(types).count == types.count)
        #expect(EventType.roomStatusChanged.objectType == .room)
        #expect(EventType.customerReassigned.objectType == .customer)
        #expect(EventType.paymentReceived.objectType == .deal)
        #expect(EventType.receiptVoided.objectType == .deal)
        #expect(EventType(rawValue: "room.sold").objectType == nil)
        // Each payload type is the catalogue's.
        let payloadTypes: [any EventPayload.Type] = [RoomStatusChanged.self, CustomerCreated.self, CustomerReassigned.self,
                                                     DealSubscribed.self, DealContracted.self, PaymentReceived.self, ReceiptVoided.self]
        #expect(payloadTypes.map { $0.type } == EventCatalogue.types)
    }

    @Test(arguments: [
        ("https://partner.example/hooks", nil), ("http://127.0.0.1:8080/x?y=1", nil), ("HTTPS://PARTNER.EXAMPLE", nil),
        ("ftp://partner.example/x", "must be an absolute http or https URL"), ("partner.example/x", "must be an absolute http or https URL"),
        ("https:///x", "must name a host"), ("https://a:b@partner.example/", "must not carry a user name or password"),
        ("https://partner.example/#frag", "must not have a fragment (#...)"),
        ("https://partner.example/a b", "must be printable ASCII without spaces (percent-encode the rest)"),
        ("https://partner.example/ü", "must be printable ASCII without spaces (percent-encode the rest)"),
        ("", "must be 1 to 2048 characters"),
    ] as [(String, String?)])
    func urls(_ url: String, problem: String?) {
        #expect(Webhook.urlViolation(url) == problem)
    }

    @Test func eventTypesAndDescriptionAreChecked() {
        #expect(Webhook.violations(url: "https://p.example", eventTypes: ["customer.created"], description: nil).isEmpty)
        #expect(Webhook.violations(url: "https://p.example", eventTypes: [], description: nil).map(\.field) == ["eventTypes"])
        #expect(Webhook.violations(url: "https://p.example", eventTypes: ["customer.created", "x", "customer.created"],
                                   description: nil).map(\.field) == ["eventTypes[1]", "eventTypes[2]"])
        #expect(Webhook.violations(url: "https://p.example", eventTypes: ["deal.subscribed"],
                                   description: String(repeating: "d", count: 501)).map(\.field) == ["description"])
        #expect(Webhook.violations(url: "https://p.example", eventTypes: ["deal.subscribed"], description: "a\u{7}b").map(\.field) == ["description"])
        #expect(Webhook.violations(url: "mailto:x", eventTypes: ["nope"], description: nil).map(\.field) == ["url", "eventTypes[0]"])
    }

    @Test func onlyFinishedDeliveriesAreReplayed() {
        #expect(WebhookDeliveryStatus.allCases.filter(\.isReplayable) == [.delivered, .dead])
        #expect(Webhook(id: UUID(), url: "https://p.example", eventTypes: [.dealSubscribed]).subscribes(to: .dealSubscribed))
        #expect(!Webhook(id: UUID(), url: "https://p.example", eventTypes: [.dealSubscribed]).subscribes(to: .dealContracted))
        #expect(!Webhook(id: UUID(), url: "https://p.example", eventTypes: [.dealSubscribed], active: false).subscribes(to: .dealSubscribed))
    }
}

@Suite("Event envelopes")
struct EventEnvelopeTests {
    @Test func theEnvelopeIsStableJSONWithSortedKeys() throws {
        let room = UUID(uuidString: "01890000-0000-7000-8000-000000000001")!
        let payload = RoomStatusChanged(roomId: room, projectId: room, buildingId: room, number: "1203", from: .available, to: .held,
                                        event: .hold, reason: "VIP", holdUntil: Date(timeIntervalSince1970: 1_700_000_000.5), dealId: nil)
        let envelope = EventEnvelope(id: UUID(uuidString: "01890000-0000-7000-8000-0000000000EE")!, type: RoomStatusChanged.type,
                                     groupID: room, occurredAt: Date(timeIntervalSince1970: 1_700_000_000.125), objectType: "room",
                                     objectID: payload.objectID, sequence: 7, data: payload)
        let text = String(decoding: try envelope.jsonBytes(), as: UTF8.self)
        let id = "01890000-0000-7000-8000-000000000001"
        #expect(text == #"{"data":{"buildingId":"\#(id)","event":"hold","from":"available","holdUntil":"2023-11-14T22:13:20.500Z","#
            + #""number":"1203","projectId":"\#(id)","reason":"VIP","roomId":"\#(id)","to":"held"},"#
            + #""groupId":"\#(id)","id":"01890000-0000-7000-8000-0000000000EE","object":{"id":"\#(id)","sequence":7,"type":"room"},"#
            + #""occurredAt":"2023-11-14T22:13:20.125Z","type":"room.status_changed"}"#)
        #expect(try envelope.jsonBytes() == envelope.jsonBytes())
    }

    @Test func moneyAndDatesOfDealPayloadsAreExact() throws {
        let deal = UUID()
        let payload = PaymentReceived(dealId: deal, collectionId: deal, amount: Money(minorUnits: 12_345_678), method: "transfer",
                                      receivedOn: LocalDate(year: 2026, month: 2, day: 28)!, recordedAt: Date(timeIntervalSince1970: 0),
                                      receiptNumber: "RV-2026-000001")
        let object = try JSONSerialization.jsonObject(with: EventEnvelope<String>.encoder.encode(payload)) as? [String: Any]
        #expect(object?["amount"] as? String == "123456.78")
        #expect(object?["receivedOn"] as? String == "2026-02-28")
        #expect(object?["recordedAt"] as? String == "1970-01-01T00:00:00.000Z")
        #expect(payload.objectID == deal)
        let pooled = CustomerReassigned(customerId: deal, via: .pooled, from: .init(ownerId: deal, projectId: deal),
                                        to: .init(ownerId: nil, projectId: deal), reason: nil, actor: "system")
        let text = String(decoding: try EventEnvelope<String>.encoder.encode(pooled), as: UTF8.self)
        #expect(text.contains(#""to":{"ownerId":null,"projectId":""#))
    }
}
