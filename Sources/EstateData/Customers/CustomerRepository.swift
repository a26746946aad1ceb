import EstateLogic
import Foundation
import PQ

/// Customers with their phones. Every read joins the project's organisation path (for scope checks).
public struct CustomerRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        c.group_id, c.id, c.project_id, c.kind, c.name, c.gender, c.birth_date, c.id_type, c.id_number, c.email, c.address,
        c.occupation, c.income_band, c.family, c.habits, c.source, c.media, c.intent_grade, c.needs, c.focus, c.notes,
        c.owner_id, c.pooled_at, c.last_follow_up_at, c.protected_until, c.stage, c.approval, c.merged_into, c.created_by, c.external_id,
        c.version, c.created_at, c.updated_at, o.path,
        ARRAY(SELECT p.number FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id ORDER BY p.position) AS phone_numbers,
        ARRAY(SELECT coalesce(p.label, '') FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id ORDER BY p.position) AS phone_labels
        """
    static let from: SQL = "customers c JOIN org_units o ON o.group_id = c.group_id AND o.id = c.project_id"

    static func decode(_ row: PQRow) throws -> Customer {
        func code<T: RawRepresentable>(_ column: String, _ type: T.Type) throws -> T? where T.RawValue == String {
            guard let text: String = try row.decode(column) else { return nil }
            guard let value = T(rawValue: text) else { throw DataError.internalFailure("customer with unknown \(column) \(text)") }
            return value
        }
        let numbers: [String] = try row.decode("phone_numbers")
        let labels: [String] = try row.decode("phone_labels")
        let phones = zip(numbers, labels).map { CustomerPhone(number: $0, label: $1.isEmpty ? nil : $1) }
        let needs: PQJSON = try row.decode("needs")
        let profile = CustomerProfile(
            kind: try code("kind", CustomerKind.self) ?? .person, name: try row.decode("name"), phones: phones,
            gender: try code("gender", Gender.self), birthDate: try row.decode("birth_date"),
            idType: try code("id_type", IDDocumentType.self), idNumber: try row.decode("id_number"), email: try row.decode("email"),
            address: try row.decode("address"), occupation: try row.decode("occupation"), incomeBand: try row.decode("income_band"),
            family: try row.decode("family"), habits: try row.decode("habits"), source: try row.decode("source"),
            media: try row.decode("media"), intentGrade: try row.decode("intent_grade"), needs: try needs.decode(CustomerNeeds.self),
            focus: try row.decode("focus"), notes: try row.decode("notes"))
        return Customer(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                        projectPath: try row.decode("path"), profile: profile, ownerID: try row.decode("owner_id"),
                        pooledAt: try row.decode("pooled_at"), lastFollowUpAt: try row.decode("last_follow_up_at"),
                        protectedUntil: try row.decode("protected_until"), stage: try row.decode("stage"),
                        approval: try code("approval", CustomerApproval.self) ?? .none, mergedInto: try row.decode("merged_into"),
                        createdBy: try row.decode("created_by"), externalID: try row.decode("external_id"), version: try row.decode("version"),
                        createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// A customer (also a merged one: callers decide what to show), locked for a change when `lock` is set.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> Customer? {
        let locking: SQL = lock ? "FOR UPDATE OF c" : ""
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE c.group_id = \(groupID) AND c.id = \(id) \(locking)")
            .firstRow.map(Self.decode)
    }

    /// Customers by id, locked in id order (so concurrent lockers cannot deadlock); missing ids are absent.
    public func lock(groupID: UUID, ids: [UUID]) async throws -> [Customer] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE c.group_id = \(groupID) AND c.id = ANY(\(ids)::uuid[])
            ORDER BY c.id FOR UPDATE OF c
            """).map(Self.decode)
    }

    /// The caller's share of a customer, if any.
    public func share(groupID: UUID, customerID: UUID, userID: UUID?) async throws -> ShareAccess? {
        guard let userID else { return nil }
        guard let text: String = try await transaction.query("""
            SELECT access FROM customer_shares WHERE group_id = \(groupID) AND customer_id = \(customerID) AND user_id = \(userID)
            """).firstRow?.decode("access") else { return nil }
        return ShareAccess(rawValue: text)
    }

    static func profileValues(_ p: CustomerProfile) throws -> (needs: PQJSON, kind: String, gender: String?, idType: String?) {
        (try PQJSON(encoding: p.needs), p.kind.rawValue, p.gender?.rawValue, p.idType?.rawValue)
    }

    public func insert(_ c: Customer) async throws {
        let p = c.profile
        let v = try Self.profileValues(p)
        try await transaction.execute("""
            INSERT INTO customers (group_id, id, project_id, kind, name, name_key, gender, birth_date, id_type, id_number, email, address,
                                   occupation, income_band, family, habits, source, media, intent_grade, needs, focus, notes,
                                   owner_id, pooled_at, last_follow_up_at, protected_until, stage, approval, created_by)
            VALUES (\(c.groupID), \(c.id), \(c.projectID), \(v.kind), \(p.name), \(CustomerText.normalizedName(p.name)), \(v.gender),
                    \(p.birthDate), \(v.idType), \(p.idNumber), \(p.email), \(p.address), \(p.occupation), \(p.incomeBand), \(p.family),
                    \(p.habits), \(p.source), \(p.media), \(p.intentGrade), \(v.needs), \(p.focus)::text[], \(p.notes),
                    \(c.ownerID), \(c.pooledAt), \(c.lastFollowUpAt), \(c.protectedUntil), \(c.stage), \(c.approval.rawValue), \(c.createdBy))
            """)
        try await replacePhones(groupID: c.groupID, customerID: c.id, p.phones)
    }

    func replacePhones(groupID: UUID, customerID: UUID, _ phones: [CustomerPhone]) async throws {
        try await transaction.execute("DELETE FROM customer_phones WHERE group_id = \(groupID) AND customer_id = \(customerID)")
        guard !phones.isEmpty else { return }
        try await transaction.execute("""
            INSERT INTO customer_phones (group_id, customer_id, position, number, label)
            SELECT \(groupID), \(customerID), n.ordinality, n.number, nullif(l.label, '')
            FROM unnest(\(phones.map(\.number))::text[]) WITH ORDINALITY AS n(number, ordinality)
            JOIN unnest(\(phones.map { $0.label ?? "" })::text[]) WITH ORDINALITY AS l(label, ordinality) USING (ordinality)
            """)
    }

    /// Writes a changed profile (and phones) if the version is still the one read; returns the stored customer.
    public func updateProfile(_ c: Customer) async throws -> Customer {
        let p = c.profile
        let v = try Self.profileValues(p)
        let updated = try await transaction.execute("""
            UPDATE customers SET kind = \(v.kind), name = \(p.name), name_key = \(CustomerText.normalizedName(p.name)), gender = \(v.gender),
                   birth_date = \(p.birthDate), id_type = \(v.idType), id_number = \(p.idNumber), email = \(p.email), address = \(p.address),
                   occupation = \(p.occupation), income_band = \(p.incomeBand), family = \(p.family), habits = \(p.habits),
                   source = \(p.source), media = \(p.media), intent_grade = \(p.intentGrade), needs = \(v.needs), focus = \(p.focus)::text[],
                   notes = \(p.notes), version = version + 1, updated_at = now()
            WHERE group_id = \(c.groupID) AND id = \(c.id) AND version = \(c.version)
            """)
        guard updated == 1 else { throw VersionConflict(object: "customer", current: c.version) }
        try await replacePhones(groupID: c.groupID, customerID: c.id, p.phones)
        guard let stored = try await find(groupID: c.groupID, id: c.id) else { throw DataError.internalFailure("customer vanished") }
        return stored
    }
}

extension CustomerRepository {
    /// Records a manager's decision on a duplicate waiting for approval.
    public func setApproval(_ c: Customer, _ approval: CustomerApproval) async throws -> Customer {
        try await transaction.execute("""
            UPDATE customers SET approval = \(approval.rawValue), version = version + 1, updated_at = now()
            WHERE group_id = \(c.groupID) AND id = \(c.id)
            """)
        guard let stored = try await find(groupID: c.groupID, id: c.id) else { throw DataError.internalFailure("customer vanished") }
        return stored
    }
}

extension UnitOfWork {
    public var customers: CustomerRepository { CustomerRepository(transaction: transaction) }
}

/// Filters of a customer search; nil means no filter.
public struct CustomerQuery: Sendable {
    public var projectID: UUID?
    /// A fragment of the normalised name (three or more characters: anywhere; fewer: at the start).
    public var name: String?
    /// A normalised phone number, whole (`phoneFragment` false) or a fragment of 4 or more digits.
    public var phone: String?
    public var phoneFragment = false
    /// A normalised ID number, whole or a fragment of 4 or more characters.
    public var idNumber: String?
    public var idFragment = false
    public var intentGrades: [String] = []
    public var sources: [String] = []
    public var ownerID: UUID?
    /// Only pooled customers (true) or only owned ones (false).
    public var inPool: Bool?
    public var stages: [String] = []
    public var lastFollowUpFrom: Date?
    public var lastFollowUpBefore: Date?
    public init() {}
}

/// Who the search runs for: the units where they see every customer, those where a consultant's
/// own, shared and pooled ones, and the user (for ownership and shares).
public struct CustomerVisibility: Sendable {
    public var all: [UUID]
    public var own: [UUID]
    public var userID: UUID?
    public init(all: [UUID], own: [UUID], userID: UUID?) {
        self.all = all
        self.own = own
        self.userID = userID
    }
}

extension CustomerRepository {
    /// Customers visible to `visibility` matching `query`, in id order after `after`. Merged and
    /// rejected customers are never listed.
    public func search(groupID: UUID, visibility: CustomerVisibility, _ query: CustomerQuery, after: UUID?, limit: Int) async throws -> [Customer] {
        let me = visibility.userID
        var condition: SQL = """
            c.group_id = \(groupID) AND c.merged_into IS NULL AND c.approval <> 'rejected' AND (
                o.path && \(visibility.all)::uuid[]
                OR (o.path && \(visibility.own)::uuid[] AND (c.owner_id = \(me) OR c.owner_id IS NULL))
                OR EXISTS (SELECT 1 FROM customer_shares s WHERE s.group_id = c.group_id AND s.customer_id = c.id AND s.user_id = \(me)))
            """
        func and(_ filter: SQL) { condition = "\(condition) AND \(filter)" }
        if let id = query.projectID { and("c.project_id = \(id)") }
        if let name = query.name {
            let escaped = Self.likeEscaped(name)
            and(name.count >= 3 ? "c.name_key LIKE \("%" + escaped + "%")" : "c.name_key LIKE \(escaped + "%")")
        }
        if let phone = query.phone {
            let pattern: String? = query.phoneFragment ? "%" + Self.likeEscaped(phone) + "%" : nil
            and(pattern.map { "EXISTS (SELECT 1 FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id AND p.number LIKE \($0))" }
                ?? "EXISTS (SELECT 1 FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id AND p.number = \(phone))")
        }
        if let idNumber = query.idNumber {
            and(query.idFragment ? "c.id_number LIKE \("%" + Self.likeEscaped(idNumber) + "%")" : "c.id_number = \(idNumber)")
        }
        if !query.intentGrades.isEmpty { and("c.intent_grade = ANY(\(query.intentGrades)::text[])") }
        if !query.sources.isEmpty { and("c.source = ANY(\(query.sources)::text[])") }
        if !query.stages.isEmpty { and("c.stage = ANY(\(query.stages)::text[])") }
        if let owner = query.ownerID { and("c.owner_id = \(owner)") }
        if let inPool = query.inPool { and(inPool ? "c.owner_id IS NULL" : "c.owner_id IS NOT NULL") }
        if let from = query.lastFollowUpFrom { and("c.last_follow_up_at >= \(from)") }
        if let before = query.lastFollowUpBefore { and("c.last_follow_up_at < \(before)") }
        if let after { and("c.id > \(after)") }
        return try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE \(condition) ORDER BY c.id LIMIT \(limit)")
            .map(Self.decode)
    }

    static func likeEscaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }
}
