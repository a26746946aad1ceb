import EstateLogic
import Foundation
import PQ

/// A user an import record names as the owner, as found by id or username.
public struct ImportOwner: Sendable, Hashable {
    public var id: UUID
    public var username: String
    public var active: Bool
}

/// The set-based reads and writes of a customer import: every statement handles the whole batch
/// (a 1000-record import is a handful of statements, never one per record).
public struct CustomerImportRepository: Sendable {
    let transaction: PQTransaction

    /// The customers of the group with these external ids (any project, merged ones too), locked in
    /// id order, by external id.
    public func lock(groupID: UUID, externalIDs: [String]) async throws -> [String: Customer] {
        guard !externalIDs.isEmpty else { return [:] }
        let customers = try await transaction.query("""
            SELECT \(CustomerRepository.columns) FROM \(CustomerRepository.from)
            WHERE c.group_id = \(groupID) AND c.external_id = ANY(\(externalIDs)::text[])
            ORDER BY c.id FOR UPDATE OF c
            """).map(CustomerRepository.decode)
        return Dictionary(customers.map { ($0.externalID ?? "", $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The users of the group named by id (text of a UUID) or username.
    public func owners(groupID: UUID, ids: [UUID], usernames: [String]) async throws -> [ImportOwner] {
        guard !ids.isEmpty || !usernames.isEmpty else { return [] }
        return try await transaction.query("""
            SELECT id, username, active FROM users
            WHERE group_id = \(groupID) AND (id = ANY(\(ids)::uuid[]) OR username = ANY(\(usernames)::text[]))
            """).map { ImportOwner(id: try $0.decode("id"), username: try $0.decode("username"), active: try $0.decode("active")) }
    }

    /// The active codes of the group's dictionaries among `codes`, by dictionary.
    public func activeCodes(groupID: UUID, _ codes: [(dictionary: DictionaryName, code: String)]) async throws -> [DictionaryName: Set<String>] {
        guard !codes.isEmpty else { return [:] }
        var result: [DictionaryName: Set<String>] = [:]
        for row in try await transaction.query("""
            SELECT e.dictionary, e.code FROM dictionary_entries e
            JOIN unnest(\(codes.map(\.dictionary.rawValue))::text[], \(codes.map(\.code))::text[]) AS w(dictionary, code)
              ON e.dictionary = w.dictionary AND e.code = w.code
            WHERE e.group_id = \(groupID) AND e.active
            """) {
            guard let name = DictionaryName(rawValue: try row.decode("dictionary")) else { continue }
            result[name, default: []].insert(try row.decode("code"))
        }
        return result
    }

    /// The caller's shares of these customers.
    public func shares(groupID: UUID, customerIDs: [UUID], userID: UUID?) async throws -> [UUID: ShareAccess] {
        guard let userID, !customerIDs.isEmpty else { return [:] }
        var result: [UUID: ShareAccess] = [:]
        for row in try await transaction.query("""
            SELECT customer_id, access FROM customer_shares
            WHERE group_id = \(groupID) AND user_id = \(userID) AND customer_id = ANY(\(customerIDs)::uuid[])
            """) {
            result[try row.decode("customer_id")] = ShareAccess(rawValue: try row.decode("access"))
        }
        return result
    }

    /// The stored customers sharing a phone, an ID number or (when `byName`) a normalised name with
    /// any of `identities`: the candidates duplicate rules are evaluated on (merged and rejected
    /// customers are none), as ``DuplicateRuleRepository/candidates(groupID:identity:byName:excluding:limit:)``
    /// finds them for one customer.
    public func candidates(groupID: UUID, identities: [CustomerIdentity], byName: Bool) async throws -> [DuplicateCandidate] {
        let phones = Array(Set(identities.flatMap(\.phones))).sorted()
        let idNumbers = Array(Set(identities.compactMap(\.idNumber))).sorted()
        let names = byName ? Array(Set(identities.map(\.name).filter { !$0.isEmpty })).sorted() : []
        guard !phones.isEmpty || !idNumbers.isEmpty || !names.isEmpty else { return [] }
        return try await transaction.query("""
            WITH hits AS MATERIALIZED (
                SELECT p.customer_id AS id FROM customer_phones p WHERE p.group_id = \(groupID) AND p.number = ANY(\(phones)::text[])
                UNION SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND c.id_number = ANY(\(idNumbers)::text[]) AND c.merged_into IS NULL
                UNION SELECT c.id FROM customers c WHERE c.group_id = \(groupID) AND c.name_key = ANY(\(names)::text[]) AND c.merged_into IS NULL)
            SELECT c.id, c.project_id, c.owner_id, c.name_key, c.id_number,
                   ARRAY(SELECT p.number FROM customer_phones p WHERE p.group_id = c.group_id AND p.customer_id = c.id) AS phones
            FROM hits JOIN customers c ON c.group_id = \(groupID) AND c.id = hits.id
            WHERE c.merged_into IS NULL AND c.approval <> 'rejected'
            ORDER BY c.id
            """).map { row in
                DuplicateCandidate(customerID: try row.decode("id"), projectID: try row.decode("project_id"), ownerID: try row.decode("owner_id"),
                                   identity: CustomerIdentity(name: try row.decode("name_key"), phones: Set(try row.decode("phones", as: [String].self)),
                                                              idNumber: try row.decode("id_number")))
            }
    }

    /// The protection period in days of each source: the source's own, else the group's default
    /// (`*`), else 30 (``CustomerHistoryRepository/protectionDays(groupID:source:)`` for many sources).
    public func protectionDays(groupID: UUID, sources: [String]) async throws -> [String: Int] {
        guard !sources.isEmpty else { return [:] }
        var result: [String: Int] = [:]
        for row in try await transaction.query("""
            SELECT s.source, coalesce(own.days, fallback.days, 30) AS days
            FROM unnest(\(sources)::text[]) AS s(source)
            LEFT JOIN customer_protection_periods own ON own.group_id = \(groupID) AND own.source = s.source
            LEFT JOIN customer_protection_periods fallback ON fallback.group_id = \(groupID) AND fallback.source = '*'
            """) {
            result[try row.decode("source")] = Int(try row.decode("days", as: Int32.self))
        }
        return result
    }

    /// A customer as a row of `jsonb_to_recordset`.
    struct Record: Encodable {
        let group_id, id, project_id: UUID
        let kind, name, name_key, source, approval: String
        let gender, id_type, id_number, email, address, occupation, income_band, family, habits, media, intent_grade, notes: String?
        let birth_date: LocalDate?
        let needs: CustomerNeeds
        let focus: [String]
        let owner_id, created_by: UUID?
        /// Microseconds since 1970 (exact, and no date formatting per record).
        let protected_until: Int64?
        let external_id: String?
        let version: Int

        init(_ c: Customer) {
            let p = c.profile
            group_id = c.groupID
            id = c.id
            project_id = c.projectID
            kind = p.kind.rawValue
            name = p.name
            name_key = CustomerText.normalizedName(p.name)
            source = p.source
            approval = c.approval.rawValue
            gender = p.gender?.rawValue
            id_type = p.idType?.rawValue
            id_number = p.idNumber
            email = p.email
            address = p.address
            occupation = p.occupation
            income_band = p.incomeBand
            family = p.family
            habits = p.habits
            media = p.media
            intent_grade = p.intentGrade
            notes = p.notes
            birth_date = p.birthDate
            needs = p.needs
            focus = p.focus
            owner_id = c.ownerID
            created_by = c.createdBy
            protected_until = c.protectedUntil.map { Int64(($0.timeIntervalSince1970 * 1_000_000).rounded()) }
            external_id = c.externalID
            version = c.version
        }
    }

    static let recordColumns: SQL = """
        group_id uuid, id uuid, project_id uuid, kind text, name text, name_key text, source text, approval text, gender text,
        id_type text, id_number text, email text, address text, occupation text, income_band text, family text, habits text,
        media text, intent_grade text, notes text, birth_date date, needs jsonb, focus text[], owner_id uuid, created_by uuid,
        protected_until int8, external_id text, version int
        """
    /// The profile's columns, written alike by inserts and updates.
    static let profileList = [
        "kind", "name", "name_key", "gender", "birth_date", "id_type", "id_number", "email", "address", "occupation", "income_band",
        "family", "habits", "source", "media", "intent_grade", "needs", "focus", "notes"]
    static let profileNames: SQL = "\(unsafeRaw: profileList.joined(separator: ", "))"
    static let profileValues: SQL = "\(unsafeRaw: profileList.map { "x." + $0 }.joined(separator: ", "))"

    /// Inserts new customers and their phones (two statements).
    public func insert(_ customers: [Customer]) async throws {
        guard !customers.isEmpty else { return }
        let records = try PQJSON(encoding: customers.map(Record.init))
        do {
            try await insertRows(records)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "customers_external_id_key" {
            // Taken by another import at the same moment (this one read the ids before).
            throw InventoryError.codeTaken(object: "customer", field: "externalId", code: RoomRepository.duplicateValue(error))
        }
        try await insertPhones(groupID: customers[0].groupID, customers)
    }

    func insertRows(_ records: PQJSON) async throws {
        try await transaction.execute("""
            INSERT INTO customers (group_id, id, project_id, \(Self.profileNames), owner_id, protected_until, approval, created_by, external_id)
            SELECT x.group_id, x.id, x.project_id, \(Self.profileValues), x.owner_id, timestamptz 'epoch' + x.protected_until * interval '1 microsecond', x.approval, x.created_by, x.external_id
            FROM jsonb_to_recordset(\(records)::jsonb) AS x(\(Self.recordColumns))
            """)
    }

    /// Stores the changed profiles (and phones) of customers read and locked at their versions (two
    /// or three statements); throws ``VersionConflict`` when one moved on.
    public func update(_ customers: [Customer]) async throws {
        guard !customers.isEmpty else { return }
        let groupID = customers[0].groupID
        let records = try PQJSON(encoding: customers.map(Record.init))
        let updated = try await transaction.execute("""
            UPDATE customers c SET (\(Self.profileNames)) = (SELECT \(Self.profileValues)), version = c.version + 1, updated_at = now()
            FROM jsonb_to_recordset(\(records)::jsonb) AS x(\(Self.recordColumns))
            WHERE c.group_id = x.group_id AND c.id = x.id AND c.version = x.version
            """)
        guard updated == customers.count else { throw VersionConflict(object: "customer", current: customers[0].version) }
        try await transaction.execute("""
            DELETE FROM customer_phones WHERE group_id = \(groupID) AND customer_id = ANY(\(customers.map(\.id))::uuid[])
            """)
        try await insertPhones(groupID: groupID, customers)
    }

    /// The phones of customers, in order (one statement).
    func insertPhones(groupID: UUID, _ customers: [Customer]) async throws {
        var ids: [UUID] = [], positions: [Int] = [], numbers: [String] = [], labels: [String] = []
        for customer in customers {
            for (index, phone) in customer.profile.phones.enumerated() {
                ids.append(customer.id)
                positions.append(index + 1)
                numbers.append(phone.number)
                labels.append(phone.label ?? "")
            }
        }
        guard !ids.isEmpty else { return }
        try await transaction.execute("""
            INSERT INTO customer_phones (group_id, customer_id, position, number, label)
            SELECT \(groupID), p.customer_id, p.position, p.number, nullif(p.label, '')
            FROM unnest(\(ids)::uuid[], \(positions)::int[], \(numbers)::text[], \(labels)::text[]) AS p(customer_id, position, number, label)
            """)
    }
}

extension UnitOfWork {
    public var customerImports: CustomerImportRepository { CustomerImportRepository(transaction: transaction) }
}
