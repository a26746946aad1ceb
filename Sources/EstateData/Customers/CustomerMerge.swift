import EstateLogic
import Foundation
import PQ

extension CustomerRepository {
    /// Merges `duplicate` into `survivor` (both locked by the caller): the survivor takes the
    /// merged profile, the duplicate's follow-ups and shares move over, customers merged earlier
    /// into the duplicate now point at the survivor, and the duplicate is kept, marked merged. The
    /// append-only histories stay on the ids they were written for; the survivor's timeline reads
    /// them through `merged_into`.
    public func merge(_ duplicate: Customer, into survivor: Customer, profile: CustomerProfile) async throws -> Customer {
        let g = survivor.groupID
        var merged = survivor
        merged.profile = profile
        // The duplicate's phones go first, so the survivor's numbers can take them over without a clash.
        try await transaction.execute("DELETE FROM customer_phones WHERE group_id = \(g) AND customer_id = \(duplicate.id)")
        let stored = try await updateProfile(merged)
        try await transaction.execute("UPDATE customer_follow_ups SET customer_id = \(survivor.id) WHERE group_id = \(g) AND customer_id = \(duplicate.id)")
        // Opportunities move too (their stage history stays on the old id, read through merged_into); two
        // live ones for the same project and room cannot both survive: the merge is refused, close one first.
        do {
            try await transaction.execute("UPDATE opportunities SET customer_id = \(survivor.id) WHERE group_id = \(g) AND customer_id = \(duplicate.id)")
        } catch let error as PQError where error.isUniqueViolation {
            throw OpportunityError.alreadyLive(existing: nil)
        }
        try await opportunitiesStage(groupID: g, customerIDs: [survivor.id, duplicate.id])
        try await transaction.execute("""
            INSERT INTO customer_shares (group_id, customer_id, user_id, access, granted_by, granted_at)
            SELECT group_id, \(survivor.id), user_id, access, granted_by, granted_at FROM customer_shares
            WHERE group_id = \(g) AND customer_id = \(duplicate.id) AND user_id IS DISTINCT FROM \(survivor.ownerID)
            ON CONFLICT (group_id, customer_id, user_id) DO UPDATE
                SET access = CASE WHEN customer_shares.access = 'write' OR excluded.access = 'write' THEN 'write' ELSE 'read' END
            """)
        try await transaction.execute("DELETE FROM customer_shares WHERE group_id = \(g) AND customer_id = \(duplicate.id)")
        try await transaction.execute("UPDATE customers SET merged_into = \(survivor.id) WHERE group_id = \(g) AND merged_into = \(duplicate.id)")
        try await transaction.execute("""
            UPDATE customers SET merged_into = \(survivor.id), last_follow_up_at = NULL, version = version + 1, updated_at = now()
            WHERE group_id = \(g) AND id = \(duplicate.id)
            """)
        try await transaction.execute("""
            UPDATE customers SET last_follow_up_at = (SELECT max(at) FROM customer_follow_ups WHERE group_id = \(g) AND customer_id = \(survivor.id))
            WHERE group_id = \(g) AND id = \(survivor.id)
            """)
        guard let result = try await find(groupID: g, id: stored.id) else { throw DataError.internalFailure("customer vanished") }
        return result
    }

    private func opportunitiesStage(groupID: UUID, customerIDs: [UUID]) async throws {
        let opportunities = OpportunityRepository(transaction: transaction)
        for id in customerIDs { try await opportunities.refreshCustomerStage(groupID: groupID, customerID: id) }
    }
}
