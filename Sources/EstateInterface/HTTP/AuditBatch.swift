import EstateData
import EstateLogic
import Foundation

/// One audited change of one object (``EstateRequestContext/recordChange(_:action:objectType:objectID:orgUnitID:changes:groupID:)``'s arguments).
struct ObjectChange {
    let action: String
    let objectType: String
    let objectID: UUID
    let orgUnitID: UUID?
    let changes: [AuditChange]
}

extension EstateRequestContext {
    /// Audits every object a bulk operation created or changed, one entry each, appended to the
    /// group's chain in a few statements whatever their number (``AuditTrail/append(_:groupID:at:)``).
    func recordChanges(_ work: UnitOfWork, _ changes: [ObjectChange], groupID: UUID) async throws {
        let actor = try requireCaller().actor
        try await work.audit.append(changes.map {
            AuditEvent(actor: actor, action: $0.action, objectType: $0.objectType, objectID: $0.objectID, orgUnitID: $0.orgUnitID,
                       changes: $0.changes, requestID: requestID)
        }, groupID: groupID)
    }
}
