import EstateData
import EstateLogic
import Foundation

/// Finding a deal for a request: another group's deal and one outside the caller's reach are 404,
/// a visible one without the permission 403 (the project's scope, like its rooms).
struct DealAccess {
    let context: EstateRequestContext

    func deal(_ work: UnitOfWork, _ id: UUID, _ permission: Permission, lock: Bool = false) async throws -> Deal {
        let caller = try context.requireCaller()
        let found = lock ? try await work.deals.lock(groupID: caller.groupID, id: id) : try await work.deals.find(groupID: caller.groupID, id: id)
        guard let deal = found else { throw Problem.notFound() }
        try context.authorize(permission, groupID: deal.groupID, unitPath: deal.projectPath)
        return deal
    }
}

extension EstateRequestContext {
    var deals: DealAccess { DealAccess(context: self) }
}
