import EstateLogic
import Foundation
import PQ

/// A delivery the relay claimed: where to send which event, signed with which secret, and the
/// claim token that alone may record the outcome.
public struct ClaimedDelivery: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var webhookID: UUID
    public var url: String
    public var format: WebhookFormat
    public var secret: String
    /// This attempt's number (1 = the first).
    public var attempt: Int
    public var claimToken: UUID
    public var event: StoredEvent
}

/// The relay's side of `webhook_deliveries`: claim due deliveries, record each attempt's outcome.
/// Every call is its own short transaction; nothing is held while a delivery is on the wire.
public struct DeliveryQueue: Sendable {
    let database: Database

    public init(database: Database) {
        self.database = database
    }

    /// Claims up to `limit` due deliveries (pending ones whose time came, and claimed ones whose
    /// lease ran out: their relay stopped mid-delivery), oldest first, skipping rows another relay
    /// is claiming. A delivery waits while an earlier event of the same object is still on its way
    /// to the same webhook, so a webhook gets each object's events in order. Each claimed row is
    /// `delivering` until now + `lease`, its attempt counted, with a fresh claim token.
    public func claim(limit: Int, lease: Duration) async throws -> [ClaimedDelivery] {
        try await database.unitOfWork { work in
            try await work.transaction.query("""
                WITH due AS (
                    SELECT d.group_id, d.id FROM webhook_deliveries d
                    WHERE d.status IN ('pending', 'delivering') AND d.next_attempt_at <= now()
                      AND NOT EXISTS (
                          SELECT 1 FROM webhook_deliveries p
                          WHERE p.group_id = d.group_id AND p.webhook_id = d.webhook_id AND p.object_type = d.object_type
                            AND p.object_id = d.object_id AND p.object_sequence < d.object_sequence
                            AND p.status IN ('pending', 'delivering'))
                    ORDER BY d.next_attempt_at, d.id LIMIT \(limit)
                    FOR UPDATE OF d SKIP LOCKED
                ), claimed AS (
                    UPDATE webhook_deliveries d
                    SET status = 'delivering', attempts = d.attempts + 1, claim_token = gen_random_uuid(),
                        next_attempt_at = now() + \(lease.wholeMilliseconds) * interval '1 millisecond', last_attempt_at = now(),
                        updated_at = now()
                    FROM due WHERE d.group_id = due.group_id AND d.id = due.id
                    RETURNING d.group_id, d.id, d.webhook_id, d.event_id, d.attempts, d.claim_token
                )
                SELECT c.group_id, c.id, c.webhook_id, c.attempts, c.claim_token, w.url, w.format, w.secret,
                       e.id AS event_id, e.type, e.object_type, e.object_id, e.object_sequence, e.payload, e.occurred_at, e.xact, e.position
                FROM claimed c
                JOIN webhooks w ON w.group_id = c.group_id AND w.id = c.webhook_id
                JOIN events e ON e.group_id = c.group_id AND e.id = c.event_id
                ORDER BY c.id
                """).map { row in
                    let formatText: String = try row.decode("format")
                    return ClaimedDelivery(
                        groupID: try row.decode("group_id"), id: try row.decode("id"), webhookID: try row.decode("webhook_id"),
                        url: try row.decode("url"), format: WebhookFormat(rawValue: formatText) ?? .json, secret: try row.decode("secret"),
                        attempt: Int(try row.decode("attempts", as: Int32.self)), claimToken: try row.decode("claim_token"),
                        event: StoredEvent(groupID: try row.decode("group_id"), id: try row.decode("event_id"),
                                           type: EventType(rawValue: try row.decode("type")), objectType: try row.decode("object_type"),
                                           objectID: try row.decode("object_id"), sequence: try row.decode("object_sequence"),
                                           payload: try row.decode("payload", as: PQJSON.self).text, occurredAt: try row.decode("occurred_at"),
                                           cursor: EventCursor(xact: try row.decode("xact"), position: try row.decode("position"))))
                }
        }
    }

    /// Records a 2xx answer. False when the claim is no longer this relay's (its lease ran out and
    /// another relay claimed the delivery, or it was replayed or deleted meanwhile).
    @discardableResult
    public func delivered(_ claim: ClaimedDelivery, status: Int) async throws -> Bool {
        try await database.unitOfWork { work in
            try await work.transaction.execute("""
                UPDATE webhook_deliveries SET status = 'delivered', delivered_at = now(), last_status = \(Int32(clamping: status)),
                       last_error = NULL, claim_token = NULL, updated_at = now()
                WHERE group_id = \(claim.groupID) AND id = \(claim.id) AND status = 'delivering' AND claim_token = \(claim.claimToken)
                """) == 1
        }
    }

    /// Records a failed attempt (`status`: the partner's answer, nil when there was none) and what
    /// follows it: due again after the policy's wait, or dead. False when the claim is no longer this relay's.
    @discardableResult
    public func failed(_ claim: ClaimedDelivery, status: Int?, error: String, then decision: WebhookRetryPolicy.Decision) async throws -> Bool {
        let (next, delay): (String, Int64) = switch decision {
        case .retry(let after): ("pending", after.wholeMilliseconds)
        case .deadLetter: ("dead", 0)
        }
        return try await database.unitOfWork { work in
            try await work.transaction.execute("""
                UPDATE webhook_deliveries SET status = \(next), next_attempt_at = now() + \(delay) * interval '1 millisecond',
                       last_status = \(status.map { Int32(clamping: $0) }), last_error = \(String(error.prefix(500))), claim_token = NULL,
                       updated_at = now()
                WHERE group_id = \(claim.groupID) AND id = \(claim.id) AND status = 'delivering' AND claim_token = \(claim.claimToken)
                """) == 1
        }
    }
}
