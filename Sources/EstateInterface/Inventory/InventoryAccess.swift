import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Finding inventory objects for a request: another group's object, one outside the caller's
/// reach, and one that does not exist are all 404; a visible one without the permission is 403.
struct InventoryAccess {
    let context: EstateRequestContext

    /// A project the caller may act on with `permission` (org units of other kinds are 404 here).
    func project(_ work: UnitOfWork, _ id: UUID, _ permission: Permission) async throws -> OrgUnit {
        let caller = try context.requireCaller()
        return try authorizedProject(try await work.orgUnits.find(groupID: caller.groupID, id: id), permission)
    }

    /// `unit` (as the caller's group holds it) when it is a project the caller holds `permission` in; 404 otherwise.
    func authorizedProject(_ unit: OrgUnit?, _ permission: Permission) throws -> OrgUnit {
        guard let unit, unit.kind == .project else { throw Problem.notFound() }
        try context.authorize(permission, groupID: unit.groupID, unitPath: unit.path)
        return unit
    }

    func building(_ work: UnitOfWork, _ id: UUID, _ permission: Permission, lock: Bool = false) async throws -> Building {
        let caller = try context.requireCaller()
        let found = lock ? try await work.buildings.lock(groupID: caller.groupID, id: id)
                         : try await work.buildings.find(groupID: caller.groupID, id: id)
        guard let building = found else { throw Problem.notFound() }
        try context.authorize(permission, groupID: building.groupID, unitPath: building.projectPath)
        return building
    }

    func room(_ work: UnitOfWork, _ id: UUID, _ permission: Permission, lock: Bool = false) async throws -> Room {
        let caller = try context.requireCaller()
        let found = lock ? try await work.rooms.lock(groupID: caller.groupID, id: id)
                         : try await work.rooms.find(groupID: caller.groupID, id: id)
        guard let room = found else { throw Problem.notFound() }
        try context.authorize(permission, groupID: room.groupID, unitPath: room.projectPath)
        return room
    }

    /// A phase named in a body: one the caller cannot see, or of another project, is a field error.
    func phase(_ work: UnitOfWork, _ id: UUID, projectID: UUID) async throws -> Phase {
        let caller = try context.requireCaller()
        guard let phase = try await work.buildings.findPhase(groupID: caller.groupID, id: id), phase.projectID == projectID else {
            throw Problem.validation([FieldViolation(field: "phaseId", message: "is not a phase of the building's project")])
        }
        return phase
    }
}

extension EstateRequestContext {
    var inventory: InventoryAccess { InventoryAccess(context: self) }
}

extension Request {
    /// The boolean query parameter `name` (`true`/`false`), `false` when absent.
    func flag(_ name: String) throws -> Bool {
        let value: String? = uri.queryParameters[name[...]].map { String($0) }
        switch value {
        case nil, "false": return false
        case "true": return true
        default: throw Problem.badRequest("Bad query parameter.", errors: [.init(field: name, message: "must be true or false")])
        }
    }
}
