import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Discount schemes of projects and quotes: a room's price after chosen discounts, step by step.
struct DiscountController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/projects/{id}/discount-schemes", access: .permission(.pricesRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let active = try request.optionalFlag("active")
            let schemes = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .pricesRead)
                return try await work.discountSchemes.list(groupID: project.groupID, projectID: project.id, active: active)
            }
            return ListBody(items: schemes.map(DiscountSchemeBody.init))
        }
        routes.add(.post, "/v1/projects/{id}/discount-schemes", access: .permission(.discountsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CreateDiscountScheme.self, context: context)
            var violations: [FieldViolation] = []
            let kind = Self.collect(DiscountKind.requested(name: body.kind, percent: body.percent, amount: body.amount, current: nil),
                                    into: &violations)
            let validFrom = Self.date(body.validFrom, field: "validFrom", into: &violations)
            let validUntil = Self.date(body.validUntil, field: "validUntil", into: &violations)
            let scheme = DiscountScheme(id: UUIDv7.make(), code: body.code, name: body.name.trimmingCharacters(in: .whitespacesAndNewlines),
                                        kind: kind ?? .percentage(basisPoints: 1), paymentMethods: Set(body.paymentMethods ?? []),
                                        validFrom: validFrom, validUntil: validUntil, buildingIDs: Set(body.buildingIds ?? []),
                                        roomIDs: Set(body.roomIds ?? []), stackingOrder: body.stackingOrder, active: body.active ?? true)
            violations += Self.violations(scheme, checkKind: kind != nil)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let stored = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .discountsWrite)
                let stored = StoredDiscountScheme(groupID: project.groupID, projectID: project.id, scheme: scheme, projectPath: project.path)
                try await Self.checkReferences(work, stored, paymentMethods: body.paymentMethods ?? [], buildingIDs: body.buildingIds ?? [],
                                               roomIDs: body.roomIds ?? [])
                try await work.discountSchemes.insert(stored)
                try await Self.record(work, context, "discount_scheme.create", stored, before: [:])
                return stored
            }
            return try Versioning.response(DiscountSchemeBody(stored), status: .created, version: stored.version, request: request, context: context)
        }
        routes.add(.get, "/v1/discount-schemes/{id}", access: .permission(.pricesRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let stored = try await database.unitOfWork { work in try await context.inventory.discountScheme(work, id, .pricesRead) }
            return try Versioning.response(DiscountSchemeBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.patch, "/v1/discount-schemes/{id}", access: .permission(.discountsWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: UpdateDiscountScheme.self, context: context)
            let stored = try await database.unitOfWork { work in
                let current = try await context.inventory.discountScheme(work, id, .discountsWrite, lock: true)
                var violations: [FieldViolation] = []
                var scheme = current.scheme
                if body.kind != nil || body.percent != nil || body.amount != nil,
                   let kind = Self.collect(DiscountKind.requested(name: body.kind, percent: body.percent, amount: body.amount,
                                                                  current: current.scheme.kind), into: &violations) {
                    scheme.kind = kind
                }
                if let name = body.name { scheme.name = name.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let validFrom = body.validFrom { scheme.validFrom = Self.date(validFrom, field: "validFrom", into: &violations) }
                if let validUntil = body.validUntil { scheme.validUntil = Self.date(validUntil, field: "validUntil", into: &violations) }
                if let methods = body.paymentMethods { scheme.paymentMethods = Set(methods) }
                if let buildingIDs = body.buildingIds { scheme.buildingIDs = Set(buildingIDs) }
                if let roomIDs = body.roomIds { scheme.roomIDs = Set(roomIDs) }
                if let stackingOrder = body.stackingOrder { scheme.stackingOrder = stackingOrder }
                if let active = body.active { scheme.active = active }
                violations += Self.violations(scheme, checkKind: true)
                guard violations.isEmpty else { throw Problem.validation(violations) }
                guard current.version == version else { throw VersionConflict(object: "discount scheme", current: current.version) }
                if scheme == current.scheme { return current }
                var changed = current
                changed.scheme = scheme
                // Only what the client sent is checked against the dictionary and the project: a payment
                // method deactivated since the scheme was made does not block other changes.
                try await Self.checkReferences(work, changed,
                                               paymentMethods: (body.paymentMethods ?? []).filter { !current.scheme.paymentMethods.contains($0) },
                                               buildingIDs: body.buildingIds ?? [], roomIDs: body.roomIds ?? [],
                                               methodIndex: body.paymentMethods.map(Self.indexes) ?? [:])
                let updated = try await work.discountSchemes.update(changed)
                try await Self.record(work, context, "discount_scheme.update", updated, before: current.auditFields)
                return updated
            }
            return try Versioning.response(DiscountSchemeBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.post, "/v1/quotes", access: .permission(.pricesRead)) { request, context in
            let body = try await request.decode(as: QuoteRequest.self, context: context)
            var violations: [FieldViolation] = []
            let moment: Date?
            if let at = body.at { moment = Self.date(at, field: "at", into: &violations) } else { moment = Date() }
            if !DictionaryEntry.violations(code: body.paymentMethod, label: nil).isEmpty {
                violations.append(FieldViolation(field: "paymentMethod", message: "must be a dictionary code (1 to 63 of a-z, 0-9, _)"))
            }
            guard violations.isEmpty, let moment else { throw Problem.validation(violations) }
            let quote = try await database.unitOfWork { work in
                let room = try await context.inventory.room(work, body.roomId, .pricesRead)
                return try await Self.quote(work, room: room, paymentMethod: body.paymentMethod, discountIds: body.discountIds, at: moment)
            }
            return QuoteBody(quote, at: moment)
        }
    }

    /// `room`'s price paid by `paymentMethod` with the schemes `discountIds` at `moment` (quotes and
    /// subscriptions). A payment method or scheme the room's project does not have is a 422 naming
    /// `<prefix>paymentMethod` or `<prefix>discountIds[i]`; a scheme that does not apply, its refusal.
    static func quote(_ work: UnitOfWork, room: Room, paymentMethod: String, discountIds: [UUID], at moment: Date,
                      fieldPrefix: String = "") async throws -> Quote {
        var violations: [FieldViolation] = []
        if let known = try await paymentMethods(work, groupID: room.groupID), !known.contains(paymentMethod) {
            violations.append(FieldViolation(field: "\(fieldPrefix)paymentMethod", message: "is not a payment method of the group's dictionary"))
        }
        let found = discountIds.isEmpty ? [] : try await work.discountSchemes.find(groupID: room.groupID, ids: Array(Set(discountIds)))
        let byID = Dictionary(found.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var schemes: [DiscountScheme] = []
        for (index, id) in discountIds.enumerated() {
            guard let stored = byID[id], stored.projectID == room.projectID else {
                violations.append(FieldViolation(field: "\(fieldPrefix)discountIds[\(index)]", message: "is not a discount scheme of the room's project"))
                continue
            }
            schemes.append(stored.scheme)
        }
        // Well-formed references to a payment method or schemes the room's project does not have.
        guard violations.isEmpty else {
            throw Problem(status: .unprocessableContent, code: "unknown-reference",
                          detail: "The request names a payment method or discount scheme the room's project does not have.",
                          errors: violations.map { .init(field: $0.field, message: $0.message) })
        }
        guard let listPrice = room.listPrice else { throw DiscountError.roomNotPriced(roomID: room.id) }
        do {
            return try Quote.compute(room: QuoteRoom(id: room.id, buildingID: room.buildingID, listPrice: listPrice, floorPrice: room.floorPrice),
                                     paymentMethod: paymentMethod, schemes: schemes, at: moment)
        } catch {
            guard !fieldPrefix.isEmpty else { throw error }
            throw QuoteError.prefixed(error, fieldPrefix)
        }
    }

    /// The value of a result, or nil with its problem's field errors appended to `violations`.
    static func collect<T>(_ result: Result<T, Problem>, into violations: inout [FieldViolation]) -> T? {
        switch result {
        case .success(let value):
            return value
        case .failure(let problem):
            violations += (problem.errors ?? []).map { FieldViolation(field: $0.field, message: $0.message) }
            return nil
        }
    }

    /// An RFC 3339 date-time, nil when absent; a malformed one is a violation of `field`.
    static func date(_ text: String?, field: String, into violations: inout [FieldViolation]) -> Date? {
        guard let text else { return nil }
        guard let date = RFC3339.date(from: text) else {
            violations.append(FieldViolation(field: field, message: "must be an RFC 3339 date-time"))
            return nil
        }
        return date
    }

    /// The domain's rules for a scheme, with the API's field names, and the stacking order's range (a 32-bit integer).
    static func violations(_ scheme: DiscountScheme, checkKind: Bool) -> [FieldViolation] {
        var result = DiscountScheme.violations(code: scheme.code, name: scheme.name, kind: scheme.kind,
                                               paymentMethods: scheme.paymentMethods, validFrom: scheme.validFrom,
                                               validUntil: scheme.validUntil)
            .filter { checkKind || ($0.field != "basisPoints" && $0.field != "amount") }
            .map { $0.field == "basisPoints" ? FieldViolation(field: "percent", message: "must be more than 0 and at most 100") : $0 }
        if Int32(exactly: scheme.stackingOrder) == nil {
            result.append(FieldViolation(field: "stackingOrder", message: "must be a 32-bit whole number"))
        }
        return result
    }

    static func indexes(_ values: [String]) -> [String: Int] {
        Dictionary(values.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// The codes of the group's active payment methods; nil when the group keeps no such dictionary.
    static func paymentMethods(_ work: UnitOfWork, groupID: UUID) async throws -> Set<String>? {
        let entries = try await work.dictionaries.entries(groupID: groupID, dictionary: .paymentMethods)
        return entries.isEmpty ? nil : Set(entries.filter(\.active).map(\.code))
    }

    /// Payment methods must be active entries of the group's dictionary, buildings and rooms of the
    /// scheme's project; each one at fault is a field error naming its index in the request.
    static func checkReferences(_ work: UnitOfWork, _ stored: StoredDiscountScheme, paymentMethods: [String], buildingIDs: [UUID],
                                roomIDs: [UUID], methodIndex: [String: Int]? = nil) async throws {
        var violations: [FieldViolation] = []
        if !paymentMethods.isEmpty, let known = try await Self.paymentMethods(work, groupID: stored.groupID) {
            let index = methodIndex ?? indexes(paymentMethods)
            for method in paymentMethods where !known.contains(method) {
                violations.append(FieldViolation(field: "paymentMethods[\(index[method] ?? 0)]",
                                                 message: "'\(method)' is not an active payment method of the group's dictionary"))
            }
        }
        let foreignBuildings = try await work.discountSchemes.buildingsOutside(groupID: stored.groupID, projectID: stored.projectID, ids: buildingIDs)
        for (index, id) in buildingIDs.enumerated() where foreignBuildings.contains(id) {
            violations.append(FieldViolation(field: "buildingIds[\(index)]", message: "is not a building of the scheme's project"))
        }
        let foreignRooms = try await work.discountSchemes.roomsOutside(groupID: stored.groupID, projectID: stored.projectID, ids: roomIDs)
        for (index, id) in roomIDs.enumerated() where foreignRooms.contains(id) {
            violations.append(FieldViolation(field: "roomIds[\(index)]", message: "is not a room of the scheme's project"))
        }
        guard violations.isEmpty else { throw Problem.validation(violations) }
    }

    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ stored: StoredDiscountScheme,
                       before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "discount_scheme", objectID: stored.id,
                                       orgUnitID: stored.projectID, changes: AuditChange.diff(before: before, after: stored.auditFields),
                                       groupID: stored.groupID)
    }
}

extension InventoryAccess {
    func discountScheme(_ work: UnitOfWork, _ id: UUID, _ permission: Permission, lock: Bool = false) async throws -> StoredDiscountScheme {
        let caller = try context.requireCaller()
        let found = lock ? try await work.discountSchemes.lock(groupID: caller.groupID, id: id)
                         : try await work.discountSchemes.find(groupID: caller.groupID, id: id)
        guard let stored = found else { throw Problem.notFound() }
        try context.authorize(permission, groupID: stored.groupID, unitPath: stored.projectPath)
        return stored
    }
}

extension StoredDiscountScheme {
    var auditFields: [String: String?] {
        let s = scheme
        let (kind, percent, amount) = s.kind.body
        func moment(_ date: Date?) -> String? { date.map { ISO8601DateFormatter().string(from: $0) } }
        func ids(_ set: Set<UUID>) -> String { set.map { $0.uuidString.lowercased() }.sorted().joined(separator: ",") }
        return ["code": s.code, "name": s.name, "kind": kind, "percent": percent, "amount": amount?.description,
                "paymentMethods": s.paymentMethods.sorted().joined(separator: ","), "validFrom": moment(s.validFrom),
                "validUntil": moment(s.validUntil), "buildingIds": ids(s.buildingIDs), "roomIds": ids(s.roomIDs),
                "stackingOrder": String(s.stackingOrder), "active": String(s.active)]
    }
}

extension Request {
    /// The boolean query parameter `name` (`true`/`false`), nil when absent.
    func optionalFlag(_ name: String) throws -> Bool? {
        uri.queryParameters[name[...]] == nil ? nil : try flag(name)
    }
}
