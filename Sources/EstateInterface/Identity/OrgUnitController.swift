import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// The organisation tree, as far as the caller can see it.
struct OrgUnitController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/org-units", access: .permission(.orgRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            let roots = Array(caller.scope.units(with: .orgRead))
            let units = try await database.unitOfWork { work in
                try await work.orgUnits.list(groupID: caller.user.groupID, under: roots, after: page.after, limit: page.limit)
            }
            return Page(items: units.map(OrgUnitBody.init), nextCursor: page.nextCursor(after: units, lastID: units.last?.id))
        }
        routes.add(.get, "/v1/org-units/{id}", access: .permission(.orgRead)) { _, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let found = try await database.unitOfWork { work -> (OrgUnit, [OrgUnit])? in
                guard let unit = try await work.orgUnits.find(groupID: caller.user.groupID, id: id) else { return nil }
                return (unit, try await work.orgUnits.children(groupID: caller.user.groupID, of: id))
            }
            guard let (unit, children) = found else { throw Problem.notFound() }
            try context.authorize(.orgRead, groupID: unit.groupID, unitPath: unit.path)
            return OrgUnitDetailBody(unit: OrgUnitBody(unit), children: children.map(OrgUnitBody.init))
        }
    }
}
