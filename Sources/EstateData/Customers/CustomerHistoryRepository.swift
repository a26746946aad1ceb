import EstateLogic
import Foundation
import PQ

/// What changed a customer's owner or project.
public enum OwnershipEvent: String, Sendable, Hashable, Codable, CaseIterable {
    case created
    case reassigned
    case pooled
    case claimed
    case merged
}

/// One line of a customer's timeline: when, what kind, who, and the details as JSON (the shape
/// depends on the kind: a follow-up, an ownership change, an answered questionnaire, ...).
public struct TimelineEntry: Sendable, Hashable {
    public var at: Date
    public var id: UUID
    public var type: String
    public var detail: PQJSON
}

/// Follow-ups, the ownership history and the timeline of customers.
public struct CustomerHistoryRepository: Sendable {
    let transaction: PQTransaction

    /// Records an ownership change with its event (`customer.created`, `customer.reassigned`).
    public func recordOwnership(groupID: UUID, customerID: UUID, event: OwnershipEvent, from: (owner: UUID?, project: UUID?),
                                to: (owner: UUID?, project: UUID), actor: String, reason: String?) async throws {
        try await transaction.execute("""
            INSERT INTO customer_ownership_history (group_id, id, customer_id, event, from_owner_id, to_owner_id, from_project_id,
                                                    to_project_id, actor, reason)
            VALUES (\(groupID), \(UUIDv7.make()), \(customerID), \(event.rawValue), \(from.owner), \(to.owner), \(from.project),
                    \(to.project), \(actor), \(reason))
            """)
        try await appendOwnershipEvents([OwnershipRecord(groupID: groupID, customerID: customerID, event: event, from: (from.owner, from.project),
                                                         to: CustomerPlacement(ownerID: to.owner, projectID: to.project), actor: actor,
                                                         reason: reason)])
    }

    /// Records a follow-up and moves the customer's last follow-up (and, from it, the protection period's end).
    public func addFollowUp(groupID: UUID, _ f: FollowUp, protectedUntil: Date?) async throws {
        try await transaction.execute("""
            INSERT INTO customer_follow_ups (group_id, id, customer_id, kind, at, user_id, content, outcome, next_follow_up_on)
            VALUES (\(groupID), \(f.id), \(f.customerID), \(f.kind), \(f.at), \(f.userID), \(f.content), \(f.outcome), \(f.nextFollowUpOn))
            """)
        try await transaction.execute("""
            UPDATE customers SET last_follow_up_at = greatest(last_follow_up_at, \(f.at)),
                   protected_until = CASE WHEN owner_id IS NULL THEN NULL ELSE greatest(protected_until, \(protectedUntil)) END,
                   updated_at = now()
            WHERE group_id = \(groupID) AND id = \(f.customerID)
            """)
    }

    public func followUps(groupID: UUID, customerID: UUID, before: (at: Date, id: UUID)?, limit: Int) async throws -> [FollowUp] {
        let keyset: SQL = before.map { "AND (at, id) < (\($0.at), \($0.id))" } ?? ""
        return try await transaction.query("""
            SELECT id, customer_id, kind, at, user_id, content, outcome, next_follow_up_on FROM customer_follow_ups
            WHERE group_id = \(groupID) AND customer_id = \(customerID) \(keyset) ORDER BY at DESC, id DESC LIMIT \(limit)
            """).map { row in
                FollowUp(id: try row.decode("id"), customerID: try row.decode("customer_id"), kind: try row.decode("kind"),
                         at: try row.decode("at"), userID: try row.decode("user_id"), content: try row.decode("content"),
                         outcome: try row.decode("outcome"), nextFollowUpOn: try row.decode("next_follow_up_on"))
            }
    }

    /// The days a customer from `source` stays with its owner without a follow-up: the source's
    /// own period, else the group's default (`*`), else 30.
    public func protectionDays(groupID: UUID, source: String) async throws -> Int {
        let days: Int32? = try await transaction.query("""
            SELECT days FROM customer_protection_periods WHERE group_id = \(groupID) AND source IN (\(source), '*')
            ORDER BY source = '*' LIMIT 1
            """).firstRow?.decode("days")
        return Int(days ?? 30)
    }

    /// The timeline, newest first: follow-ups, ownership changes, opportunity stage changes,
    /// questionnaire answers, the history of the deals the customer buys in (`deal`, of deals in
    /// projects at or below `dealUnits`) and the money collected for them (`payment`, of projects at
    /// or below `paymentUnits`), keyset-paginated on (at, id).
    public func timeline(groupID: UUID, customerID: UUID, dealUnits: [UUID] = [], paymentUnits: [UUID] = [],
                         before: (at: Date, id: UUID)?, limit: Int) async throws -> [TimelineEntry] {
        let keyset: SQL = before.map { "WHERE (at, id) < (\($0.at), \($0.id))" } ?? ""
        // The customer and every customer merged into it: a merge keeps all their history.
        let family: SQL = "ARRAY(SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND (c.id = \(customerID) OR c.merged_into = \(customerID)))"
        // The deals they buy in (a semi-join: a deal bought by two merged customers counts once).
        let deals: SQL = "SELECT b.deal_id FROM deal_buyers b WHERE b.group_id = \(groupID) AND b.customer_id = ANY(\(family))"
        return try await transaction.query("""
            SELECT at, id, type, detail FROM (
                SELECT f.at, f.id, 'follow_up' AS type,
                       jsonb_build_object('kind', f.kind, 'userId', f.user_id, 'content', f.content, 'outcome', f.outcome,
                                          'nextFollowUpOn', f.next_follow_up_on) AS detail
                FROM customer_follow_ups f WHERE f.group_id = \(groupID) AND f.customer_id = ANY(\(family))
                UNION ALL
                SELECT h.at, h.id, 'ownership', jsonb_build_object('event', h.event, 'fromOwnerId', h.from_owner_id, 'toOwnerId', h.to_owner_id,
                                          'fromProjectId', h.from_project_id, 'toProjectId', h.to_project_id, 'actor', h.actor, 'reason', h.reason)
                FROM customer_ownership_history h WHERE h.group_id = \(groupID) AND h.customer_id = ANY(\(family))
                UNION ALL
                SELECT s.at, s.id, 'opportunity', jsonb_build_object('opportunityId', s.opportunity_id, 'projectId', o.project_id,
                                          'roomId', o.room_id, 'from', s.from_stage, 'to', s.to_stage, 'lostReason', s.lost_reason,
                                          'note', s.note, 'actor', s.actor)
                FROM opportunity_stage_history s JOIN opportunities o ON o.group_id = s.group_id AND o.id = s.opportunity_id
                WHERE s.group_id = \(groupID) AND s.customer_id = ANY(\(family))
                UNION ALL
                SELECT r.answered_at, r.id, 'questionnaire', jsonb_build_object('questionnaireId', r.questionnaire_id, 'code', q.code,
                                          'title', v.definition->>'title', 'version', r.version, 'recordedBy', r.recorded_by,
                                          'answers', (SELECT count(*) FROM questionnaire_answers a WHERE a.group_id = r.group_id AND a.response_id = r.id))
                FROM questionnaire_responses r
                JOIN questionnaires q ON q.group_id = r.group_id AND q.id = r.questionnaire_id
                JOIN questionnaire_versions v ON v.group_id = r.group_id AND v.questionnaire_id = r.questionnaire_id AND v.number = r.version
                WHERE r.group_id = \(groupID) AND r.customer_id = ANY(\(family))
                UNION ALL
                SELECT h.at, h.id, 'deal', jsonb_build_object('dealId', h.deal_id, 'projectId', d.project_id, 'roomId', d.room_id,
                                          'event', h.event, 'fromStage', h.from_stage, 'toStage', h.to_stage, 'actor', h.actor, 'reason', h.reason)
                FROM deal_history h JOIN deals d ON d.group_id = h.group_id AND d.id = h.deal_id
                JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id
                WHERE h.group_id = \(groupID) AND h.deal_id IN (\(deals)) AND o.path && \(dealUnits)::uuid[]
                UNION ALL
                SELECT p.recorded_at, p.id, 'payment', jsonb_build_object('dealId', p.deal_id, 'projectId', p.project_id, 'method', p.method,
                                          'amount', p.amount::text, 'currency', p.currency, 'foreignAmount', p.foreign_amount::text,
                                          'rate', p.rate::text, 'receivedOn', p.received_on, 'payer', p.payer, 'reference', p.reference,
                                          'recordedBy', p.recorded_by)
                FROM collections p JOIN org_units o ON o.group_id = p.group_id AND o.id = p.project_id
                WHERE p.group_id = \(groupID) AND p.deal_id IN (\(deals)) AND o.path && \(paymentUnits)::uuid[]
            ) t \(keyset) ORDER BY at DESC, id DESC LIMIT \(limit)
            """).map { row in
                TimelineEntry(at: try row.decode("at"), id: try row.decode("id"), type: try row.decode("type"), detail: try row.decode("detail"))
            }
    }
}

extension UnitOfWork {
    public var customerHistory: CustomerHistoryRepository { CustomerHistoryRepository(transaction: transaction) }
}
