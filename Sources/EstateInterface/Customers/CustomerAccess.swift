import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Finding a customer for a request, by the customer rule of ``AccessScope/customerRights(groupID:projectPath:userID:ownerID:share:)``:
/// another group's customer, one the caller may not see, a merged one and a missing one are all 404;
/// a visible one without the right asked for is 403.
struct CustomerAccess {
    let context: EstateRequestContext

    /// The customer with the caller's rights on it, or a 404/403 problem.
    func customer(_ work: UnitOfWork, _ id: UUID, _ right: CustomerRight, lock: Bool = false) async throws -> (customer: Customer, rights: Set<CustomerRight>) {
        let caller = try context.requireCaller()
        guard let customer = try await work.customers.find(groupID: caller.groupID, id: id, lock: lock), customer.mergedInto == nil else {
            throw Problem.notFound()
        }
        let rights = try await self.rights(work, customer)
        guard !rights.isEmpty else { throw Problem.notFound() }
        guard rights.contains(right) else { throw Problem.forbidden(Self.permission(for: right)) }
        return (customer, rights)
    }

    /// The caller's rights on a customer already read.
    func rights(_ work: UnitOfWork, _ customer: Customer) async throws -> Set<CustomerRight> {
        let caller = try context.requireCaller()
        let share = try await work.customers.share(groupID: customer.groupID, customerID: customer.id, userID: caller.user?.id)
        return caller.scope.customerRights(groupID: customer.groupID, projectPath: customer.projectPath, userID: caller.user?.id,
                                           ownerID: customer.ownerID, share: share)
    }

    /// Whether the caller may see personal data (full phones and ID numbers) of customers of this project.
    func seesPII(_ customer: Customer) throws -> Bool {
        try seesPII(groupID: customer.groupID, projectPath: customer.projectPath)
    }

    /// Whether the caller may see personal data of customers of the project at the end of `projectPath`.
    func seesPII(groupID: UUID, projectPath: [UUID]) throws -> Bool {
        let caller = try context.requireCaller()
        return caller.scope.permissions(groupID: groupID, unitPath: projectPath).contains(.customersPII)
    }

    static func permission(for right: CustomerRight) -> Permission {
        switch right {
        case .read: .customersRead
        case .write, .share: .customersWrite
        case .manage: .customersAssign
        }
    }
}

extension EstateRequestContext {
    var customers: CustomerAccess { CustomerAccess(context: self) }
}
