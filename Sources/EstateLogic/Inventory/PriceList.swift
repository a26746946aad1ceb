import Foundation

/// A room's price: unit price (per m² of its basis, or per unit), list total, and floor price.
public struct RoomPrice: Sendable, Hashable {
    public var roomID: UUID
    public var unitPrice: Money
    public var listPrice: Money
    /// The lowest total a sale may reach without approval; nil when none is set.
    public var floorPrice: Money?

    public init(roomID: UUID, unitPrice: Money, listPrice: Money, floorPrice: Money?) {
        self.roomID = roomID
        self.unitPrice = unitPrice
        self.listPrice = listPrice
        self.floorPrice = floorPrice
    }
}

/// A published price-list version of a project (kept for ever; the newest sets current prices).
public struct PriceList: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    /// 1, 2, 3, … per project.
    public var version: Int
    public var name: String
    /// The pricing run as requested, as JSON text.
    public var run: String
    public var baseUnitPrice: Money
    public var roomCount: Int
    public var total: Money
    /// `user:<id>`, `api_key:<id>` or `system`.
    public var publishedBy: String
    public var publishedAt: Date
    public var projectPath: [UUID]

    public init(groupID: UUID, id: UUID, projectID: UUID, version: Int, name: String, run: String, baseUnitPrice: Money,
                roomCount: Int, total: Money, publishedBy: String, publishedAt: Date = Date(), projectPath: [UUID] = []) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.version = version
        self.name = name
        self.run = run
        self.baseUnitPrice = baseUnitPrice
        self.roomCount = roomCount
        self.total = total
        self.publishedBy = publishedBy
        self.publishedAt = publishedAt
        self.projectPath = projectPath
    }
}

/// One row of a room's append-only price history.
public struct RoomPriceChange: Sendable, Hashable {
    public var id: UUID
    public var price: RoomPrice
    /// The price list that set it; nil for a manual adjustment.
    public var priceListID: UUID?
    public var reason: String
    public var actor: String
    public var at: Date

    public init(id: UUID, price: RoomPrice, priceListID: UUID?, reason: String, actor: String, at: Date = Date()) {
        self.id = id
        self.price = price
        self.priceListID = priceListID
        self.reason = reason
        self.actor = actor
        self.at = at
    }
}
