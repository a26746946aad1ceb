import EstateLogic
import Foundation
import Testing

@Suite("Property-management status updates: the import's checks")
struct PropertyStatusImportTests {
    let room = UUID()
    let otherRoom = UUID()
    let deal = UUID()
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func update(_ id: String, room: UUID? = nil, deal: UUID? = nil, status: PropertyStatus = .ownerMovedIn,
                at offset: TimeInterval = -3_600, note: String? = nil) -> PropertyStatusUpdate {
        PropertyStatusUpdate(updateID: id, roomID: room ?? self.room, dealID: deal ?? self.deal, status: status,
                             occurredAt: now.addingTimeInterval(offset), reportedBy: "Property office", note: note)
    }

    func plan(_ updates: [PropertyStatusUpdate], stage: DealStage = .propertyHandedOver, dealAccess: PropertyStatusImport.Access = .allowed,
              stored: [PropertyStatusUpdate] = []) -> (planned: [PropertyStatusImport.Planned], violations: [ImportViolation]) {
        PropertyStatusImport.plan(Array(updates.enumerated()).map { ($0.offset, $0.element) },
                                  rooms: [room: .allowed, otherRoom: .forbidden],
                                  deals: [deal: PropertyStatusImport.DealFacts(access: dealAccess, roomID: room, stage: stage)],
                                  stored: Dictionary(uniqueKeysWithValues: stored.map { ($0.updateID, $0) }), now: now)
    }

    @Test func newAndResentUpdatesPass() {
        let received = update("PM-1", status: .handoverAccepted)
        let result = plan([received, update("PM-2")], stored: [received])
        #expect(result.violations.isEmpty)
        #expect(result.planned.map(\.isNew) == [false, true])
        #expect(result.planned.map(\.position) == [0, 1])
    }

    @Test func onlyDealsHandedOverToPropertyManagement() {
        for stage in DealStage.allCases {
            let result = plan([update("PM-1")], stage: stage)
            #expect(result.violations.isEmpty == PropertyStatusImport.handedOverStages.contains(stage), "\(stage)")
        }
        #expect(PropertyStatusImport.handedOverStages == [.propertyHandedOver, .titleRegistered, .mortgageRegistered, .completed])
    }

    @Test func everyBadUpdateIsNamedAndNothingPasses() {
        let received = update("PM-1", status: .handoverAccepted)
        let result = plan([
            update("PM-2"),
            update("PM-1", status: .keysReturned),                // used before for other content
            update("PM-3", room: UUID()),                         // unknown room: and so not the deal's room
            update("PM-4", room: otherRoom),                      // visible room, no deals.write; not the deal's room either
            update("PM-5", deal: UUID()),                         // unknown deal
            update("PM-6", at: PropertyStatusImport.clockTolerance + 60),
            update("PM-2"),                                       // repeated in the document
            update("PM-7", at: PropertyStatusImport.clockTolerance - 60),
        ], stored: [received])
        #expect(result.planned.isEmpty)
        #expect(result.violations.map { "\($0.position).\($0.field)" } == [
            "1.updateId", "2.roomId", "2.dealId", "3.roomId", "3.dealId", "4.dealId", "5.occurredAt", "6.updateId",
        ])
        #expect(result.violations.first { $0.position == 6 }?.message == "repeats updates[0].updateId: send each update once")
    }

    @Test func aDealWithoutThePermissionIsRefused() {
        let result = plan([update("PM-1")], dealAccess: .forbidden)
        #expect(result.violations.map(\.field) == ["dealId"])
    }

    @Test func aResendIsTheSameUpdateToTheMicrosecond() {
        let stored = update("PM-1", note: "Keys")
        var same = stored
        same.occurredAt = stored.occurredAt.addingTimeInterval(0.000_000_4)
        #expect(same.isResend(of: stored))
        var later = stored
        later.occurredAt = stored.occurredAt.addingTimeInterval(0.001)
        #expect(!later.isResend(of: stored))
        var noted = stored
        noted.note = "Other keys"
        #expect(!noted.isResend(of: stored))
    }
}
