import EstateLogic
import Foundation
import PQ

/// Phases and buildings of projects. Every read joins the project's organisation path, which the
/// caller's scope is checked against.
public struct BuildingRepository: Sendable {
    let transaction: PQTransaction

    static let buildingColumns: SQL = "b.group_id, b.id, b.project_id, b.phase_id, b.code, b.name, b.version, b.grid_version, o.path"
    static let phaseColumns: SQL = "p.group_id, p.id, p.project_id, p.code, p.name, p.version, o.path"

    static func decodeBuilding(_ row: PQRow) throws -> Building {
        Building(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                 phaseID: try row.decode("phase_id"), code: try row.decode("code"), name: try row.decode("name"),
                 version: try row.decode("version"), gridVersion: try row.decode("grid_version"), projectPath: try row.decode("path"))
    }

    static func decodePhase(_ row: PQRow) throws -> Phase {
        Phase(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
              code: try row.decode("code"), name: try row.decode("name"), version: try row.decode("version"),
              projectPath: try row.decode("path"))
    }

    /// Runs a write, turning a clash on a code into ``InventoryError/codeTaken(object:field:code:)``.
    @discardableResult
    private func refusingDuplicate<T>(_ object: String, _ code: String, _ write: () async throws -> T) async throws -> T {
        do {
            return try await write()
        } catch let error as PQError where error.isUniqueViolation {
            throw InventoryError.codeTaken(object: object, field: "code", code: code)
        }
    }

    // MARK: Buildings

    public func insert(_ building: Building) async throws {
        try await refusingDuplicate("building", building.code) {
            try await transaction.execute("""
                INSERT INTO buildings (group_id, id, project_id, phase_id, code, name)
                VALUES (\(building.groupID), \(building.id), \(building.projectID), \(building.phaseID), \(building.code), \(building.name))
                """)
        }
    }

    public func find(groupID: UUID, id: UUID) async throws -> Building? {
        try await transaction.query("""
            SELECT \(Self.buildingColumns) FROM buildings b JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id
            WHERE b.group_id = \(groupID) AND b.id = \(id)
            """).firstRow.map(Self.decodeBuilding)
    }

    /// Locks a building for a change; nil when it does not exist.
    public func lock(groupID: UUID, id: UUID) async throws -> Building? {
        try await transaction.query("""
            SELECT \(Self.buildingColumns) FROM buildings b JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id
            WHERE b.group_id = \(groupID) AND b.id = \(id) FOR UPDATE OF b
            """).firstRow.map(Self.decodeBuilding)
    }

    public func find(groupID: UUID, projectID: UUID, code: String) async throws -> Building? {
        try await transaction.query("""
            SELECT \(Self.buildingColumns) FROM buildings b JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id
            WHERE b.group_id = \(groupID) AND b.project_id = \(projectID) AND b.code = \(code)
            """).firstRow.map(Self.decodeBuilding)
    }

    /// The buildings of a project, by code.
    public func list(groupID: UUID, projectID: UUID) async throws -> [Building] {
        try await transaction.query("""
            SELECT \(Self.buildingColumns) FROM buildings b JOIN org_units o ON o.group_id = b.group_id AND o.id = b.project_id
            WHERE b.group_id = \(groupID) AND b.project_id = \(projectID) ORDER BY b.code
            """).map(Self.decodeBuilding)
    }

    /// Stores a changed code, name or phase of a building read (and locked) at `building.version`.
    public func update(_ building: Building) async throws -> Building {
        try await refusingDuplicate("building", building.code) {
            guard try await transaction.execute("""
                UPDATE buildings SET code = \(building.code), name = \(building.name), phase_id = \(building.phaseID),
                       version = version + 1, updated_at = now()
                WHERE group_id = \(building.groupID) AND id = \(building.id) AND version = \(building.version)
                """) == 1, let stored = try await find(groupID: building.groupID, id: building.id) else {
                throw VersionConflict(object: "building", current: building.version)
            }
            return stored
        }
    }

    /// Deletes a building without rooms.
    public func delete(_ building: Building) async throws {
        let rooms = try await transaction.query("SELECT 1 FROM rooms WHERE group_id = \(building.groupID) AND building_id = \(building.id) LIMIT 1")
        guard rooms.isEmpty else { throw InventoryError.buildingNotEmpty }
        try await transaction.execute("DELETE FROM buildings WHERE group_id = \(building.groupID) AND id = \(building.id)")
    }

    /// The grid version of a building (cheap: the grid's ETag check before reading any room).
    public func gridVersion(groupID: UUID, id: UUID) async throws -> Int64? {
        try await transaction.query("SELECT grid_version FROM buildings WHERE group_id = \(groupID) AND id = \(id)")
            .firstRow?.decode("grid_version")
    }

    // MARK: Phases

    public func insert(_ phase: Phase) async throws {
        try await refusingDuplicate("phase", phase.code) {
            try await transaction.execute("""
                INSERT INTO phases (group_id, id, project_id, code, name)
                VALUES (\(phase.groupID), \(phase.id), \(phase.projectID), \(phase.code), \(phase.name))
                """)
        }
    }

    public func findPhase(groupID: UUID, id: UUID) async throws -> Phase? {
        try await transaction.query("""
            SELECT \(Self.phaseColumns) FROM phases p JOIN org_units o ON o.group_id = p.group_id AND o.id = p.project_id
            WHERE p.group_id = \(groupID) AND p.id = \(id)
            """).firstRow.map(Self.decodePhase)
    }

    public func phases(groupID: UUID, projectID: UUID) async throws -> [Phase] {
        try await transaction.query("""
            SELECT \(Self.phaseColumns) FROM phases p JOIN org_units o ON o.group_id = p.group_id AND o.id = p.project_id
            WHERE p.group_id = \(groupID) AND p.project_id = \(projectID) ORDER BY p.code
            """).map(Self.decodePhase)
    }
}

extension UnitOfWork {
    public var buildings: BuildingRepository { BuildingRepository(transaction: transaction) }
}
