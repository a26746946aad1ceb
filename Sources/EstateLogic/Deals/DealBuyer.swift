import Foundation

/// One buyer of a deal: a customer and the co-owner share.
public struct DealBuyer: Sendable, Hashable {
    public var customerID: UUID
    /// The share of ownership in basis points (hundredths of a percent): 10,000 is sole ownership.
    public var shareBasisPoints: Int

    /// `customerID` owning `shareBasisPoints` of the room.
    public init(customerID: UUID, shareBasisPoints: Int) {
        self.customerID = customerID
        self.shareBasisPoints = shareBasisPoints
    }

    /// All the shares together: 100 %.
    public static let wholeShare = 10_000

    /// Most buyers on one deal.
    public static let maximumBuyers = 20

    /// Every rule the buyers of a deal break; empty when acceptable (`field` prefixes the names, e.g.
    /// `buyers`):
    /// - `buyers`: 1 to ``maximumBuyers`` buyers, their shares adding up to exactly 10,000 (100 %);
    /// - `buyers[i].customerId`: each customer once;
    /// - `buyers[i].shareBasisPoints`: 1 to 10,000.
    public static func violations(_ buyers: [DealBuyer], field: String = "buyers") -> [FieldViolation] {
        guard !buyers.isEmpty else { return [FieldViolation(field: field, message: "must name at least one buyer")] }
        guard buyers.count <= maximumBuyers else {
            return [FieldViolation(field: field, message: "must name at most \(maximumBuyers) buyers")]
        }
        var result: [FieldViolation] = []
        var seen: [UUID: Int] = [:]
        var sharesAreValid = true
        for (index, buyer) in buyers.enumerated() {
            if let earlier = seen[buyer.customerID] {
                result.append(FieldViolation(field: "\(field)[\(index)].customerId", message: "is already \(field)[\(earlier)]"))
            } else {
                seen[buyer.customerID] = index
            }
            if !(1...wholeShare).contains(buyer.shareBasisPoints) {
                sharesAreValid = false
                result.append(FieldViolation(field: "\(field)[\(index)].shareBasisPoints", message: "must be between 1 and 10000"))
            }
        }
        let total = buyers.reduce(0) { $0 + $1.shareBasisPoints }
        if sharesAreValid && total != wholeShare {
            result.append(FieldViolation(field: field, message: "shares must add up to 10000 (100 %), not \(total)"))
        }
        return result
    }

    /// The customers as buyers with equal shares; the basis points that do not divide evenly go one
    /// each to the first buyers (three buyers: 3334, 3333, 3333).
    public static func equalShares(_ customerIDs: [UUID]) -> [DealBuyer] {
        guard !customerIDs.isEmpty else { return [] }
        let each = wholeShare / customerIDs.count, extra = wholeShare % customerIDs.count
        return customerIDs.enumerated().map { DealBuyer(customerID: $1, shareBasisPoints: each + ($0 < extra ? 1 : 0)) }
    }
}
