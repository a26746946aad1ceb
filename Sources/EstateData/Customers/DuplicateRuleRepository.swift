import EstateLogic
import Foundation
import PQ

/// A duplicate rule as stored, with its version and the path of the unit it belongs to (the
/// project, or the group's root for a group-wide rule).
public struct StoredDuplicateRule: Sendable, Hashable {
    public var groupID: UUID
    public var rule: DuplicateRule
    public var version: Int
    public var unitPath: [UUID]

    public init(groupID: UUID, rule: DuplicateRule, version: Int = 1, unitPath: [UUID] = []) {
        self.groupID = groupID
        self.rule = rule
        self.version = version
        self.unitPath = unitPath
    }
}

/// What a duplicate check found about one existing customer: who owns it, in which project.
public struct DuplicateCandidateInfo: Sendable, Hashable {
    public var candidate: DuplicateCandidate
    public var name: String
    public var projectName: String
    public var ownerName: String?
}

public struct DuplicateRuleRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        d.group_id, d.id, d.project_id, d.name, d.field_sets, d.action, d.active, d.version,
        coalesce(o.path, ARRAY[r.id]) AS path
        """
    static let from: SQL = """
        duplicate_rules d LEFT JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id
        JOIN org_units r ON r.group_id = d.group_id AND r.parent_id IS NULL
        """

    static func decode(_ row: PQRow) throws -> StoredDuplicateRule {
        StoredDuplicateRule(groupID: try row.decode("group_id"), rule: try decodeRule(row), version: try row.decode("version"),
                            unitPath: try row.decode("path"))
    }

    /// The rule of a row whose rule columns carry `prefix` (`rule_id`, `rule_name`, …; none for ``columns``).
    static func decodeRule(_ row: PQRow, prefix: String = "") throws -> DuplicateRule {
        let sets: [[String]] = try (row.decode("\(prefix)field_sets", as: PQJSON.self)).decode()
        guard let action = DuplicateAction(rawValue: try row.decode("\(prefix)action")) else {
            throw DataError.internalFailure("duplicate rule with unknown action")
        }
        let fieldSets = try sets.map { set in
            Set(try set.map { name in
                guard let field = DuplicateField(rawValue: name) else { throw DataError.internalFailure("duplicate rule with unknown field \(name)") }
                return field
            })
        }
        return DuplicateRule(id: try row.decode("\(prefix)id"), projectID: try row.decode("\(prefix)project_id"),
                             name: try row.decode("\(prefix)name"), fieldSets: fieldSets, action: action,
                             active: try row.decode("\(prefix)active"))
    }

    static func fieldSetsJSON(_ rule: DuplicateRule) throws -> PQJSON {
        try PQJSON(encoding: rule.fieldSets.map { $0.map(\.rawValue).sorted() })
    }

    /// The group's rules and, when `projectID` is given, only those that apply there (group-wide and that project's).
    public func list(groupID: UUID, projectID: UUID? = nil, activeOnly: Bool = false) async throws -> [StoredDuplicateRule] {
        var condition: SQL = "d.group_id = \(groupID)"
        if let projectID { condition = "\(condition) AND (d.project_id IS NULL OR d.project_id = \(projectID))" }
        if activeOnly { condition = "\(condition) AND d.active" }
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE \(condition) ORDER BY d.id").map(Self.decode)
    }

    /// A unit with the active rules that apply to customers of it (the group's and its own), in one
    /// statement: the duplicate check runs this on every customer a consultant types in. Nil when
    /// the group has no such unit; the caller checks that it is a project it may read.
    public func unitWithActiveRules(groupID: UUID, unitID: UUID) async throws -> (unit: OrgUnit, rules: [DuplicateRule])? {
        let rows = try await transaction.query("""
            SELECT o.group_id, o.id, o.parent_id, o.kind, o.code, o.name, o.active, o.path, o.version,
                   d.id AS rule_id, d.project_id AS rule_project_id, d.name AS rule_name, d.field_sets AS rule_field_sets,
                   d.action AS rule_action, d.active AS rule_active
            FROM org_units o LEFT JOIN duplicate_rules d
                 ON d.group_id = o.group_id AND (d.project_id IS NULL OR d.project_id = o.id) AND d.active
            WHERE o.group_id = \(groupID) AND o.id = \(unitID) ORDER BY d.id
            """)
        guard let first = rows.firstRow else { return nil }
        let rules = try rows.compactMap { row in
            try row.decode("rule_id", as: UUID?.self) == nil ? nil : try Self.decodeRule(row, prefix: "rule_")
        }
        return (try OrgUnitRepository.decode(first), rules)
    }

    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> StoredDuplicateRule? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.id = \(id) \(lock ? "FOR UPDATE OF d" as SQL : "")")
            .firstRow.map(Self.decode)
    }

    public func insert(_ stored: StoredDuplicateRule) async throws {
        let r = stored.rule
        try await transaction.execute("""
            INSERT INTO duplicate_rules (group_id, id, project_id, name, field_sets, action, active)
            VALUES (\(stored.groupID), \(r.id), \(r.projectID), \(r.name), \(try Self.fieldSetsJSON(r)), \(r.action.rawValue), \(r.active))
            """)
    }

    public func update(_ stored: StoredDuplicateRule) async throws -> StoredDuplicateRule {
        let r = stored.rule
        let updated = try await transaction.execute("""
            UPDATE duplicate_rules SET name = \(r.name), field_sets = \(try Self.fieldSetsJSON(r)), action = \(r.action.rawValue),
                   active = \(r.active), version = version + 1, updated_at = now()
            WHERE group_id = \(stored.groupID) AND id = \(r.id) AND version = \(stored.version)
            """)
        guard updated == 1 else { throw VersionConflict(object: "duplicate rule", current: stored.version) }
        guard let found = try await find(groupID: stored.groupID, id: r.id) else { throw DataError.internalFailure("duplicate rule vanished") }
        return found
    }

    public func delete(groupID: UUID, id: UUID) async throws {
        try await transaction.execute("DELETE FROM duplicate_rules WHERE group_id = \(groupID) AND id = \(id)")
    }

    /// Existing customers sharing a phone, the ID number or (when `byName`) the normalised name with
    /// `identity`: the candidates duplicate rules are evaluated on. Merged and rejected customers
    /// are not candidates; nor is `excluding` (the customer being changed). Index lookups only.
    public func candidates(groupID: UUID, identity: CustomerIdentity, byName: Bool, excluding: UUID? = nil,
                           limit: Int = 100) async throws -> [DuplicateCandidateInfo] {
        // Only the branches the identity has: each shape is its own prepared statement, so the
        // generic plan never weighs a name branch that is not there (a common name matches
        // thousands of customers) and joins by index, not by hashing every user of the group.
        var branches: [SQL] = []
        if !identity.phones.isEmpty {
            branches.append("SELECT p.customer_id AS id FROM customer_phones p WHERE p.group_id = \(groupID) AND p.number = ANY(\(identity.phones.sorted())::text[])")
        }
        if let idNumber = identity.idNumber {
            branches.append("SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND c.id_number = \(idNumber) AND c.merged_into IS NULL")
        }
        if byName && !identity.name.isEmpty {
            branches.append("SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND c.name_key = \(identity.name) AND c.merged_into IS NULL")
        }
        guard var hits = branches.first else { return [] }
        for branch in branches.dropFirst() { hits = "\(hits) UNION \(branch)" }
        // At most `limit` hits, materialised: with a common name's estimate the planner would
        // otherwise walk the group's customers in id order hoping to meet the hits soon.
        return try await transaction.query("""
            WITH hits AS MATERIALIZED (SELECT id FROM (\(hits)) h WHERE h.id IS DISTINCT FROM \(excluding) ORDER BY id LIMIT \(limit))
            SELECT c.id, c.project_id, c.owner_id, c.name, c.name_key, c.id_number,
                   (SELECT o.name FROM org_units o WHERE o.group_id = c.group_id AND o.id = c.project_id) AS project_name,
                   (SELECT u.display_name FROM users u WHERE u.group_id = c.group_id AND u.id = c.owner_id) AS owner_name,
                   ARRAY(SELECT p.number FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id) AS phones
            FROM hits JOIN customers c ON c.group_id = \(groupID) AND c.id = hits.id
            WHERE c.merged_into IS NULL AND c.approval <> 'rejected'
            ORDER BY c.id
            """).map { row in
                let identity = CustomerIdentity(name: try row.decode("name_key"), phones: Set(try row.decode("phones", as: [String].self)),
                                                idNumber: try row.decode("id_number"))
                return DuplicateCandidateInfo(
                    candidate: DuplicateCandidate(customerID: try row.decode("id"), projectID: try row.decode("project_id"),
                                                  ownerID: try row.decode("owner_id"), identity: identity),
                    name: try row.decode("name"), projectName: try row.decode("project_name"), ownerName: try row.decode("owner_name"))
            }
    }
}

extension UnitOfWork {
    public var duplicateRules: DuplicateRuleRepository { DuplicateRuleRepository(transaction: transaction) }
}
