import EstateLogic
import Foundation
import PQ

/// A project's discount scheme as stored: the scheme with its group, project, version and the
/// project's organisation path (for scope checks).
public struct StoredDiscountScheme: Sendable, Hashable {
    public var groupID: UUID
    public var projectID: UUID
    public var scheme: DiscountScheme
    /// Bumped by every change; the ETag.
    public var version: Int
    public var projectPath: [UUID]

    public init(groupID: UUID, projectID: UUID, scheme: DiscountScheme, version: Int = 1, projectPath: [UUID] = []) {
        self.groupID = groupID
        self.projectID = projectID
        self.scheme = scheme
        self.version = version
        self.projectPath = projectPath
    }

    public var id: UUID { scheme.id }
}

/// Discount schemes of projects. Every read joins the project's organisation path.
public struct DiscountSchemeRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        d.group_id, d.id, d.project_id, d.code, d.name, d.kind, d.percent_bp, d.amount, d.payment_methods, d.valid_from,
        d.valid_until, d.building_ids, d.room_ids, d.stacking_order, d.active, d.version, o.path
        """
    static let from: SQL = "discount_schemes d JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id"

    static func decode(_ row: PQRow) throws -> StoredDiscountScheme {
        let kindName: String = try row.decode("kind")
        let kind: DiscountKind
        switch kindName {
        case "percentage": kind = .percentage(basisPoints: try row.decode("percent_bp"))
        case "fixed_amount": kind = .fixedAmount(try row.decode("amount"))
        default: throw DataError.internalFailure("discount scheme with unknown kind \(kindName)")
        }
        let scheme = DiscountScheme(
            id: try row.decode("id"), code: try row.decode("code"), name: try row.decode("name"), kind: kind,
            paymentMethods: Set(try row.decode("payment_methods", as: [String].self)),
            validFrom: try row.decode("valid_from"), validUntil: try row.decode("valid_until"),
            buildingIDs: Set(try row.decode("building_ids", as: [UUID].self)), roomIDs: Set(try row.decode("room_ids", as: [UUID].self)),
            stackingOrder: try row.decode("stacking_order"), active: try row.decode("active"))
        return StoredDiscountScheme(groupID: try row.decode("group_id"), projectID: try row.decode("project_id"), scheme: scheme,
                                    version: try row.decode("version"), projectPath: try row.decode("path"))
    }

    /// The kind's column values: name, basis points, amount.
    static func columns(of kind: DiscountKind) -> (name: String, basisPoints: Int32?, amount: Money?) {
        switch kind {
        case .percentage(let basisPoints): ("percentage", Int32(clamping: basisPoints), nil)
        case .fixedAmount(let amount): ("fixed_amount", nil, amount)
        }
    }

    /// Runs a write, turning a clash on the code into ``InventoryError/codeTaken(object:field:code:)``.
    @discardableResult
    private func refusingDuplicate<T>(_ code: String, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let error as PQError where error.isUniqueViolation {
            throw InventoryError.codeTaken(object: "discount scheme", field: "code", code: code)
        }
    }

    public func insert(_ stored: StoredDiscountScheme) async throws {
        let s = stored.scheme
        let kind = Self.columns(of: s.kind)
        try await refusingDuplicate(s.code) {
            try await transaction.execute("""
                INSERT INTO discount_schemes (group_id, id, project_id, code, name, kind, percent_bp, amount, payment_methods,
                                              valid_from, valid_until, building_ids, room_ids, stacking_order, active)
                VALUES (\(stored.groupID), \(s.id), \(stored.projectID), \(s.code), \(s.name), \(kind.name), \(kind.basisPoints),
                        \(kind.amount), \(s.paymentMethods.sorted())::text[], \(s.validFrom), \(s.validUntil),
                        \(s.buildingIDs.sorted(by: Self.idOrder))::uuid[], \(s.roomIDs.sorted(by: Self.idOrder))::uuid[],
                        \(Int32(clamping: s.stackingOrder)), \(s.active))
                """)
        }
    }

    static func idOrder(_ a: UUID, _ b: UUID) -> Bool { a.uuidString < b.uuidString }

    public func find(groupID: UUID, id: UUID) async throws -> StoredDiscountScheme? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.id = \(id)")
            .firstRow.map(Self.decode)
    }

    /// Locks a scheme for a change; nil when it does not exist.
    public func lock(groupID: UUID, id: UUID) async throws -> StoredDiscountScheme? {
        try await transaction.query("SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.id = \(id) FOR UPDATE OF d")
            .firstRow.map(Self.decode)
    }

    /// The schemes of the group among `ids` (of any project; missing ids are simply absent).
    public func find(groupID: UUID, ids: [UUID]) async throws -> [StoredDiscountScheme] {
        guard !ids.isEmpty else { return [] }
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.id = ANY(\(ids)::uuid[])
            """).map(Self.decode)
    }

    /// A project's schemes by stacking order, then code; `active` keeps only active (true) or inactive (false) ones.
    public func list(groupID: UUID, projectID: UUID, active: Bool? = nil) async throws -> [StoredDiscountScheme] {
        let filter: SQL = active.map { "AND d.active = \($0)" } ?? ""
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE d.group_id = \(groupID) AND d.project_id = \(projectID) \(filter)
            ORDER BY d.stacking_order, d.code
            """).map(Self.decode)
    }

    /// Stores a changed scheme read (and locked) at `stored.version`.
    public func update(_ stored: StoredDiscountScheme) async throws -> StoredDiscountScheme {
        let s = stored.scheme
        let kind = Self.columns(of: s.kind)
        return try await refusingDuplicate(s.code) {
            guard try await transaction.execute("""
                UPDATE discount_schemes SET code = \(s.code), name = \(s.name), kind = \(kind.name), percent_bp = \(kind.basisPoints),
                       amount = \(kind.amount), payment_methods = \(s.paymentMethods.sorted())::text[], valid_from = \(s.validFrom),
                       valid_until = \(s.validUntil), building_ids = \(s.buildingIDs.sorted(by: Self.idOrder))::uuid[],
                       room_ids = \(s.roomIDs.sorted(by: Self.idOrder))::uuid[], stacking_order = \(Int32(clamping: s.stackingOrder)),
                       active = \(s.active), version = version + 1, updated_at = now()
                WHERE group_id = \(stored.groupID) AND id = \(s.id) AND version = \(stored.version)
                """) == 1, let updated = try await find(groupID: stored.groupID, id: s.id) else {
                throw VersionConflict(object: "discount scheme", current: stored.version)
            }
            return updated
        }
    }

    /// Of `ids`, those that are not buildings of the project (missing, of another project or another group).
    public func buildingsOutside(groupID: UUID, projectID: UUID, ids: [UUID]) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let found = try await transaction.query("""
            SELECT id FROM buildings WHERE group_id = \(groupID) AND project_id = \(projectID) AND id = ANY(\(ids)::uuid[])
            """).map { row -> UUID in try row.decode("id") }
        return Set(ids).subtracting(found)
    }

    /// Of `ids`, those that are not rooms of the project (missing, of another project or another group).
    public func roomsOutside(groupID: UUID, projectID: UUID, ids: [UUID]) async throws -> Set<UUID> {
        guard !ids.isEmpty else { return [] }
        let found = try await transaction.query("""
            SELECT id FROM rooms WHERE group_id = \(groupID) AND project_id = \(projectID) AND id = ANY(\(ids)::uuid[])
            """).map { row -> UUID in try row.decode("id") }
        return Set(ids).subtracting(found)
    }
}

extension UnitOfWork {
    public var discountSchemes: DiscountSchemeRepository { DiscountSchemeRepository(transaction: transaction) }
}
