import EstateLogic
import Testing

@Suite("Sales control state machine")
struct SalesControlTests {
    /// The whole table, written out independently of the implementation.
    static let allowed: Set<String> = [
        "not_released+release=available",
        "available+withdraw=not_released", "available+hold=held", "available+reserve=reserved",
        "available+subscribe=subscribed", "available+lease=leased",
        "held+release_hold=available", "held+hold_expired=available",
        "reserved+subscribe=subscribed", "reserved+reservation_expired=available", "reserved+cancel_deal=available",
        "subscribed+contract=contracted", "subscribed+cancel_deal=available",
        "contracted+hand_over=handed_over", "contracted+cancel_deal=available",
        "leased+end_lease=available",
    ]

    @Test(arguments: RoomStatus.allCases)
    func everyPairIsAllowedExactlyAsSpecified(status: RoomStatus) {
        for event in SalesControlEvent.allCases {
            let result = Result { () throws(SalesControlError) -> RoomStatus in try SalesControl.next(from: status, on: event) }
            switch result {
            case .success(let next):
                #expect(Self.allowed.contains("\(status.rawValue)+\(event.rawValue)=\(next.rawValue)"), "\(status) + \(event) → \(next)")
            case .failure(let error):
                #expect(error == .notAllowed(from: status, event: event))
                #expect(!Self.allowed.contains { $0.hasPrefix("\(status.rawValue)+\(event.rawValue)=") }, "\(status) + \(event) refused")
            }
        }
    }

    @Test func tableHasNoDeadEndsButHandover() {
        for status in RoomStatus.allCases where status != .handedOver {
            #expect(!SalesControl.events(from: status).isEmpty, "\(status)")
        }
        #expect(SalesControl.events(from: .handedOver).isEmpty)
        #expect(SalesControl.events(from: .held) == [.releaseHold, .holdExpired])
    }

    @Test func takenStatusesAreTheDealOnes() {
        #expect(Set(RoomStatus.allCases.filter(\.isTakenByDeal)) == [.reserved, .subscribed, .contracted, .handedOver, .leased])
        // A room taken by a deal can only reach another taken status or become free through the deal.
        for status in RoomStatus.allCases where status.isTakenByDeal {
            for event in SalesControl.events(from: status) {
                #expect([.subscribe, .contract, .handOver, .cancelDeal, .reservationExpired, .endLease].contains(event), "\(status) + \(event)")
            }
        }
    }

    @Test func sharedLandParkingIsNeverReleased() {
        #expect(throws: SalesControlError.sharedLandParking) {
            try SalesControl.next(from: .notReleased, on: .release, onSharedLand: true)
        }
        #expect(SalesControlError.sharedLandParking.description.contains("shared land"))
    }

    @Test func everyUserOperationNeedsACataloguedPermission() {
        for event in SalesControlEvent.allCases {
            if let permission = event.permission {
                #expect(PermissionCatalogue.isKnown(permission), "\(event) needs \(permission)")
            } else {
                #expect([.holdExpired, .reservationExpired].contains(event))
            }
        }
    }
}
