import EstateLogic
import Foundation
import PQ

/// A response stored under an idempotency key, replayed to a retry.
public struct StoredResponse: Sendable, Hashable {
    public let requestHash: String
    public let status: Int
    public let headers: [String: String]
    public let body: String

    public init(requestHash: String, status: Int, headers: [String: String], body: String) {
        self.requestHash = requestHash
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Idempotency keys (`Idempotency-Key` on POSTs that create deals, steps and money). The key is
/// claimed in the transaction of the work it guards: a concurrent request with the same key waits
/// on the claim, and then finds the stored response (the first committed) or claims it itself
/// (the first rolled back).
public struct IdempotencyRepository: Sendable {
    let transaction: PQTransaction

    /// Claims `key` for this request; false when it is already someone's (then read ``stored``).
    public func claim(groupID: UUID, principal: String, key: String, method: String, path: String,
                      requestHash: String) async throws -> Bool {
        try await transaction.execute("""
            INSERT INTO idempotency_keys (group_id, principal, key, method, path, request_hash)
            VALUES (\(groupID), \(principal), \(key), \(method), \(path), \(requestHash))
            ON CONFLICT (group_id, principal, key) DO NOTHING
            """) == 1
    }

    /// The response stored under a key that is already claimed.
    public func stored(groupID: UUID, principal: String, key: String) async throws -> StoredResponse? {
        try await transaction.query("""
            SELECT request_hash, status, headers, body FROM idempotency_keys
            WHERE group_id = \(groupID) AND principal = \(principal) AND key = \(key)
            """).firstRow.map { row in
            StoredResponse(requestHash: try row.decode("request_hash"), status: Int(try row.decode("status", as: Int32.self)),
                           headers: try row.decode("headers", as: PQJSON.self).decode(), body: try row.decode("body", as: String.self))
        }
    }

    /// Stores the response of the claimed key (in the same transaction as the work).
    public func complete(groupID: UUID, principal: String, key: String, response: StoredResponse) async throws {
        try await transaction.execute("""
            UPDATE idempotency_keys SET status = \(Int32(response.status)), headers = \(try PQJSON(encoding: response.headers)),
                   body = \(response.body)
            WHERE group_id = \(groupID) AND principal = \(principal) AND key = \(key)
            """)
    }

    /// Forgets keys older than `age` (a retry comes within minutes, not days).
    @discardableResult
    public func prune(olderThan cutoff: Date) async throws -> Int {
        try await transaction.execute("DELETE FROM idempotency_keys WHERE created_at < \(cutoff)")
    }
}

extension UnitOfWork {
    public var idempotency: IdempotencyRepository { IdempotencyRepository(transaction: transaction) }
}
