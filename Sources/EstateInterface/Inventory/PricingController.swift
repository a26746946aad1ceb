import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Pricing runs (preview), price-list versions (publish, read), manual price adjustment, price history.
struct PricingController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/pricing-runs", access: .permission(.pricesRead)) { request, context in
            let input = try await request.decode(as: PricingRunInput.self, context: context)
            _ = try input.parts()
            let (rooms, kept) = try await database.unitOfWork { work in
                try await chosenRooms(work, context, input, permission: .pricesRead, lock: false)
            }
            let result = try compute(try input.run(over: rooms), rooms: rooms)
            return PricingPreviewBody(projectID: input.projectId, rooms: rooms, kept: kept, result: result)
        }
        routes.add(.post, "/v1/price-lists", access: .permission(.pricesPublish)) { request, context in
            let body = try await request.decode(as: PublishPriceList.self, context: context)
            let name = body.name.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.isEmpty, name.count <= 200 else {
                throw Problem.validation([FieldViolation(field: "name", message: "must be 1 to 200 characters, not blank")])
            }
            _ = try body.run.parts(prefix: "run.")
            let caller = try context.requireCaller()
            let (list, preview) = try await database.unitOfWork { work in
                let (rooms, kept) = try await chosenRooms(work, context, body.run, permission: .pricesPublish, lock: true, prefix: "run.")
                let result = try compute(try body.run.run(over: rooms), rooms: rooms)
                let version = try await work.prices.nextVersion(groupID: caller.groupID, projectID: body.run.projectId)
                let runJSON = String(decoding: try JSONEncoder().encode(body.run), as: UTF8.self)
                let list = PriceList(groupID: caller.groupID, id: UUIDv7.make(), projectID: body.run.projectId, version: version,
                                     name: name, run: runJSON, baseUnitPrice: result.base, roomCount: result.rooms.count,
                                     total: result.total, publishedBy: caller.actor.historyText)
                let prices = result.rooms.map { RoomPrice(roomID: $0.id, unitPrice: $0.unitPrice, listPrice: $0.listPrice, floorPrice: $0.floorPrice) }
                try await work.prices.insert(list, prices: prices)
                try await work.prices.apply(groupID: caller.groupID, prices, priceListID: list.id,
                                            reason: "price list \(version): \(name)", actor: list.publishedBy)
                try await context.recordChange(work, action: "price_list.publish", objectType: "price_list", objectID: list.id,
                                               orgUnitID: list.projectID,
                                               changes: AuditChange.diff(before: [:], after: [
                                                   "version": String(version), "name": name, "rooms": String(list.roomCount),
                                                   "total": list.total.description, "base": list.baseUnitPrice.description]),
                                               groupID: caller.groupID)
                guard let stored = try await work.prices.list(groupID: caller.groupID, id: list.id) else { throw Problem.notFound() }
                return (stored, PricingPreviewBody(projectID: list.projectID, rooms: rooms, kept: kept, result: result))
            }
            var response = try PublishedBody(priceList: PriceListBody(list), result: preview).response(from: request, context: context)
            response.status = .created
            return response
        }
        routes.add(.get, "/v1/projects/{id}/price-lists", access: .permission(.pricesRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let lists = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .pricesRead)
                return try await work.prices.lists(groupID: project.groupID, projectID: project.id)
            }
            return ListBody(items: lists.map(PriceListBody.init))
        }
        routes.add(.get, "/v1/price-lists/{id}", access: .permission(.pricesRead)) { _, context in
            let caller = try context.requireCaller()
            let id = try context.parameters.require("id", as: UUID.self)
            let (list, prices) = try await database.unitOfWork { work in
                guard let list = try await work.prices.list(groupID: caller.groupID, id: id) else { throw Problem.notFound() }
                try context.authorize(.pricesRead, groupID: list.groupID, unitPath: list.projectPath)
                return (list, try await work.prices.prices(groupID: list.groupID, priceListID: list.id))
            }
            return PriceListDetailBody(priceList: PriceListBody(list), rooms: prices.map(RoomPriceBody.init))
        }
        routes.add(.post, "/v1/rooms/{id}/price", access: .permission(.pricesPublish)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: AdjustPrice.self, context: context)
            let reason = try SalesControlController.reason(body.reason, required: true) ?? ""
            if let floor = body.floorPrice, floor < .zero {
                throw Problem.validation([FieldViolation(field: "floorPrice", message: "must be 0 or more")])
            }
            let caller = try context.requireCaller()
            let room = try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, id, .pricesPublish, lock: true)
                let basis = room.attributes.pricingBasis
                let area = room.attributes.areas.pricingArea(basis)
                // Bad input is a 400 whatever version the client names; only a valid change meets the version check.
                guard body.unitPrice >= .zero, let listPrice = PricingRun.listPrice(unit: body.unitPrice, area: area, basis: basis) else {
                    throw Problem.validation([FieldViolation(field: "unitPrice", message: "must be 0 or more and fit a price")])
                }
                let priced = (unitPrice: body.unitPrice, listPrice: listPrice)
                guard basis == .unit || (area ?? .zero) > .zero else {
                    throw Problem(status: .unprocessableContent, code: "room-without-area",
                                  detail: "The room is priced per m² of \(basis.rawValue) but that area is not known; enter it first.")
                }
                if let floor = body.floorPrice, floor > priced.listPrice {
                    throw Problem.validation([FieldViolation(field: "floorPrice", message: "must not exceed the list price \(priced.listPrice)")])
                }
                guard room.version == version else { throw VersionConflict(object: "room", current: room.version) }
                guard !room.status.isTakenByDeal else { throw InventoryError.priceAgreed(roomID: room.id, current: room.status) }
                let price = RoomPrice(roomID: room.id, unitPrice: priced.unitPrice, listPrice: priced.listPrice,
                                      floorPrice: body.floorPrice ?? room.floorPrice.map { min($0, priced.listPrice) })
                try await work.prices.apply(groupID: room.groupID, [price], priceListID: nil, reason: reason, actor: caller.actor.historyText)
                try await context.recordChange(work, action: "room.price", objectType: "room", objectID: room.id, orgUnitID: room.projectID,
                                               changes: AuditChange.diff(before: room.priceFields, after: [
                                                   "unitPrice": price.unitPrice.description, "listPrice": price.listPrice.description,
                                                   "floorPrice": price.floorPrice?.description, "reason": reason]),
                                               groupID: room.groupID)
                guard let stored = try await work.rooms.find(groupID: room.groupID, id: room.id) else { throw Problem.notFound() }
                return stored
            }
            return try Versioning.response(RoomBody(room), version: room.version, request: request, context: context)
        }
        routes.add(.get, "/v1/rooms/{id}/price-history", access: .permission(.pricesRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let history = try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, id, .pricesRead)
                return try await work.prices.history(groupID: room.groupID, roomID: room.id)
            }
            return ListBody(items: history.map(RoomPriceChangeBody.init))
        }
    }

    /// The rooms a run covers (the project's, or some buildings', or a list), split into those to
    /// price and those kept at the price a deal agreed. A project out of reach is 404; a room or
    /// building id that is not the project's is a 400 on that field.
    func chosenRooms(_ work: UnitOfWork, _ context: EstateRequestContext, _ input: PricingRunInput,
                     permission: Permission, lock: Bool, prefix: String = "") async throws -> (priced: [Room], kept: [Room]) {
        let project = try await context.inventory.project(work, input.projectId, permission)
        var rooms: [Room]
        if let ids = input.roomIds {
            rooms = try await work.rooms.lock(groupID: project.groupID, ids: ids, forUpdate: lock)
            if let missing = ids.firstIndex(where: { id in !rooms.contains { $0.id == id && $0.projectID == project.id } }) {
                throw Problem.validation([FieldViolation(field: "\(prefix)roomIds[\(missing)]", message: "is not a room of the project")])
            }
        } else {
            let buildings = input.buildingIds ?? []
            for (i, id) in buildings.enumerated() {
                guard let building = try await work.buildings.find(groupID: project.groupID, id: id), building.projectID == project.id else {
                    throw Problem.validation([FieldViolation(field: "\(prefix)buildingIds[\(i)]", message: "is not a building of the project")])
                }
            }
            rooms = try await work.rooms.lock(groupID: project.groupID, projectID: project.id, buildingIDs: buildings, forUpdate: lock)
        }
        rooms.sort { ($0.buildingID.uuidString, $0.attributes.floor, $0.attributes.entrance, $0.attributes.stack) <
                     ($1.buildingID.uuidString, $1.attributes.floor, $1.attributes.entrance, $1.attributes.stack) }
        return (rooms.filter { !$0.status.isTakenByDeal }, rooms.filter(\.status.isTakenByDeal))
    }

    /// Runs the pricing maths; its errors become problems naming rooms by id instead of position.
    func compute(_ run: PricingRun, rooms: [Room], fieldForBase: String? = nil) throws -> PricingResult {
        do {
            return try run.compute()
        } catch {
            let violations = error.violations.map { violation -> FieldViolation in
                var field = violation.field
                if field.hasPrefix("rooms["), let close = field.firstIndex(of: "]"),
                   let index = Int(field[field.index(field.startIndex, offsetBy: 6)..<close]), rooms.indices.contains(index) {
                    field = "rooms[\(rooms[index].id.uuidString.lowercased())]" + field[field.index(after: close)...]
                }
                if field == "base", let fieldForBase { field = fieldForBase }
                return FieldViolation(field: field, message: violation.message)
            }
            switch error {
            case .invalidInput: throw Problem.validation(violations)
            case .unsolvable, .negativeUnitPrice, .overflow:
                throw Problem(status: .unprocessableContent, code: "pricing-impossible",
                              detail: "The run cannot price these rooms: \(violations.map(\.message).joined(separator: "; ")).",
                              errors: violations.map { .init(field: $0.field, message: $0.message) })
            }
        }
    }
}

extension Room {
    var priceFields: [String: String?] {
        ["unitPrice": unitPrice?.description, "listPrice": listPrice?.description, "floorPrice": floorPrice?.description, "reason": nil]
    }
}
