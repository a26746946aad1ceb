import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Phases, buildings and single rooms of a project (the inventory tree).
struct BuildingController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/projects/{id}/phases", access: .permission(.roomsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let phases = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .roomsRead)
                return try await work.buildings.phases(groupID: project.groupID, projectID: project.id)
            }
            return ListBody(items: phases.map(PhaseBody.init))
        }
        routes.add(.post, "/v1/projects/{id}/phases", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CreatePhase.self, context: context)
            let violations = Building.violations(code: body.code, name: body.name)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let phase = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .roomsWrite)
                let phase = Phase(groupID: project.groupID, id: UUIDv7.make(), projectID: project.id, code: body.code,
                                  name: body.name.trimmingCharacters(in: .whitespacesAndNewlines), projectPath: project.path)
                try await work.buildings.insert(phase)
                try await context.recordChange(work, action: "phase.create", objectType: "phase", objectID: phase.id,
                                               orgUnitID: project.id, changes: AuditChange.diff(before: [:], after: ["code": phase.code, "name": phase.name]),
                                               groupID: project.groupID)
                return phase
            }
            return try Versioning.response(PhaseBody(phase), status: .created, version: phase.version, request: request, context: context)
        }
        routes.add(.get, "/v1/projects/{id}/buildings", access: .permission(.roomsRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let buildings = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .roomsRead)
                return try await work.buildings.list(groupID: project.groupID, projectID: project.id)
            }
            return ListBody(items: buildings.map(BuildingBody.init))
        }
        routes.add(.post, "/v1/projects/{id}/buildings", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CreateBuilding.self, context: context)
            let violations = Building.violations(code: body.code, name: body.name)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let building = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .roomsWrite)
                if let phaseID = body.phaseId { _ = try await context.inventory.phase(work, phaseID, projectID: project.id) }
                let building = Building(groupID: project.groupID, id: UUIDv7.make(), projectID: project.id, phaseID: body.phaseId,
                                        code: body.code, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                                        projectPath: project.path)
                try await work.buildings.insert(building)
                try await record(work, context, "building.create", building, before: [:])
                return building
            }
            return try Versioning.response(BuildingBody(building), status: .created, version: building.version, request: request, context: context)
        }
        routes.add(.get, "/v1/buildings/{id}", access: .permission(.roomsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let building = try await database.unitOfWork { work in try await context.inventory.building(work, id, .roomsRead) }
            return try Versioning.response(BuildingBody(building), version: building.version, request: request, context: context)
        }
        routes.add(.patch, "/v1/buildings/{id}", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: UpdateBuilding.self, context: context)
            let violations = Building.violations(code: body.code, name: body.name)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let building = try await database.unitOfWork { work in
                let building = try await context.inventory.building(work, id, .roomsWrite, lock: true)
                guard building.version == version else { throw VersionConflict(object: "building", current: building.version) }
                var changed = building
                if let code = body.code { changed.code = code }
                if let name = body.name { changed.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let phaseID = body.phaseId {
                    _ = try await context.inventory.phase(work, phaseID, projectID: building.projectID)
                    changed.phaseID = phaseID
                }
                let stored = try await work.buildings.update(changed)
                try await record(work, context, "building.update", stored, before: building.auditFields)
                return stored
            }
            return try Versioning.response(BuildingBody(building), version: building.version, request: request, context: context)
        }
        routes.add(.delete, "/v1/buildings/{id}", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            try await database.unitOfWork { work in
                let building = try await context.inventory.building(work, id, .roomsWrite, lock: true)
                guard building.version == version else { throw VersionConflict(object: "building", current: building.version) }
                try await work.buildings.delete(building)
                try await context.recordChange(work, action: "building.delete", objectType: "building", objectID: building.id,
                                               orgUnitID: building.projectID, changes: AuditChange.diff(before: building.auditFields, after: [:]),
                                               groupID: building.groupID)
            }
            return Response(status: .noContent)
        }
        routes.add(.post, "/v1/buildings/{id}/rooms", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: RoomInput.self, context: context)
            let attributes = try body.attributes()
            let violations = attributes.violations()
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let room = try await database.unitOfWork { work in
                let building = try await context.inventory.building(work, id, .roomsWrite)
                let room = Room(groupID: building.groupID, id: UUIDv7.make(), projectID: building.projectID,
                                buildingID: building.id, attributes: attributes, projectPath: building.projectPath)
                try await work.rooms.insert([room])
                try await context.recordChange(work, action: "room.create", objectType: "room", objectID: room.id,
                                               orgUnitID: room.projectID, changes: AuditChange.diff(before: [:], after: room.auditFields),
                                               groupID: room.groupID)
                return room
            }
            return try Versioning.response(RoomBody(room), status: .created, version: room.version, request: request, context: context)
        }
        routes.add(.get, "/v1/rooms/{id}", access: .permission(.roomsRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let room = try await database.unitOfWork { work in try await context.inventory.room(work, id, .roomsRead) }
            return try Versioning.response(RoomBody(room), version: room.version, request: request, context: context)
        }
        routes.add(.patch, "/v1/rooms/{id}", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: RoomInput.self, context: context)
            let room = try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, id, .roomsWrite, lock: true)
                var changed = room
                body.apply(to: &changed.attributes)
                // Bad input is a 400 whatever version the client names; only a valid change meets the version check.
                let violations = changed.attributes.violations()
                guard violations.isEmpty else { throw Problem.validation(violations) }
                guard room.version == version else { throw VersionConflict(object: "room", current: room.version) }
                if changed.attributes == room.attributes { return room }
                if changed.attributes.sharedLand && room.status != .notReleased {
                    throw InventoryError.sharedLandParking(roomID: room.id)
                }
                try await work.rooms.updateAttributes([changed])
                try await context.recordChange(work, action: "room.update", objectType: "room", objectID: room.id,
                                               orgUnitID: room.projectID, changes: AuditChange.diff(before: room.auditFields, after: changed.auditFields),
                                               groupID: room.groupID)
                guard let stored = try await work.rooms.find(groupID: room.groupID, id: room.id) else { throw Problem.notFound() }
                return stored
            }
            return try Versioning.response(RoomBody(room), version: room.version, request: request, context: context)
        }
        routes.add(.delete, "/v1/rooms/{id}", access: .permission(.roomsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, id, .roomsWrite, lock: true)
                guard room.version == version else { throw VersionConflict(object: "room", current: room.version) }
                guard room.status == .notReleased else { throw InventoryError.roomTaken(roomID: room.id, current: room.status) }
                try await work.rooms.delete(room)
                try await context.recordChange(work, action: "room.delete", objectType: "room", objectID: room.id,
                                               orgUnitID: room.projectID, changes: AuditChange.diff(before: room.auditFields, after: [:]),
                                               groupID: room.groupID)
            }
            return Response(status: .noContent)
        }
    }

    func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ building: Building,
                before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "building", objectID: building.id,
                                       orgUnitID: building.projectID, changes: AuditChange.diff(before: before, after: building.auditFields),
                                       groupID: building.groupID)
    }
}

extension Building {
    var auditFields: [String: String?] {
        ["code": code, "name": name, "phaseId": phaseID?.uuidString.lowercased()]
    }
}

extension Room {
    var auditFields: [String: String?] {
        let a = attributes
        return ["number": a.number, "entrance": String(a.entrance), "floor": String(a.floor), "stack": String(a.stack),
                "kind": a.kind.rawValue, "layout": a.layout, "orientation": a.orientation, "view": a.view,
                "builtAreaForecast": a.areas.builtForecast?.description, "internalAreaForecast": a.areas.internalForecast?.description,
                "builtAreaActual": a.areas.builtActual?.description, "internalAreaActual": a.areas.internalActual?.description,
                "pricingBasis": a.pricingBasis.rawValue, "sharedLand": String(a.sharedLand), "externalCode": a.externalCode]
    }
}
