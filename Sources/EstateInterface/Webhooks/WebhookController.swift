import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Partners' webhooks (group-wide, managed with `admin.webhooks` at the group's root), their
/// deliveries and replays, and the event feed (`events.read` at the root).
struct WebhookController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/webhooks", access: .permission(.adminWebhooks)) { request, context in
            let caller = try context.requireCaller()
            let body = try await request.decode(as: CreateWebhook.self, context: context)
            let violations = Webhook.violations(url: body.url, eventTypes: body.eventTypes, description: body.description)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let secret = WebhookSecret.make()
            let stored = try await database.unitOfWork { work in
                let root = try await Self.root(work, context, .adminWebhooks)
                let webhook = Webhook(id: UUIDv7.make(), url: body.url, eventTypes: body.eventTypes.map(EventType.init(rawValue:)),
                                      format: body.format ?? .json, description: Self.trimmed(body.description), active: body.active ?? true)
                let stored = StoredWebhook(groupID: root.groupID, webhook: webhook, createdBy: caller.actor.historyText)
                try await work.webhooks.insert(stored, secret: secret)
                try await Self.record(work, context, "webhook.create", stored, before: [:], root: root.id)
                return stored
            }
            return try Versioning.response(WebhookBody(stored, secret: secret), status: .created, version: stored.version,
                                           request: request, context: context)
        }
        routes.add(.get, "/v1/webhooks", access: .permission(.adminWebhooks)) { request, context in
            let page = try PageRequest(request)
            let webhooks = try await database.unitOfWork { work in
                let root = try await Self.root(work, context, .adminWebhooks)
                return try await work.webhooks.list(groupID: root.groupID, after: page.after, limit: page.limit)
            }
            return Page(items: webhooks.map { WebhookBody($0) }, nextCursor: page.nextCursor(after: webhooks, lastID: webhooks.last?.id))
        }
        routes.add(.get, "/v1/webhooks/{id}", access: .permission(.adminWebhooks)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let stored = try await database.unitOfWork { work in try await Self.webhook(work, context, id) }
            return try Versioning.response(WebhookBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.patch, "/v1/webhooks/{id}", access: .permission(.adminWebhooks)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: UpdateWebhook.self, context: context)
            let stored = try await database.unitOfWork { work in
                let current = try await Self.webhook(work, context, id, lock: true)
                var webhook = current.webhook
                if let url = body.url { webhook.url = url }
                if let types = body.eventTypes { webhook.eventTypes = types.map(EventType.init(rawValue:)) }
                if let format = body.format { webhook.format = format }
                if let description = body.description { webhook.description = Self.trimmed(description) }
                if let active = body.active { webhook.active = active }
                let violations = Webhook.violations(url: webhook.url, eventTypes: webhook.eventTypes.map(\.rawValue),
                                                    description: webhook.description)
                guard violations.isEmpty else { throw Problem.validation(violations) }
                guard current.version == version else { throw VersionConflict(object: "webhook", current: current.version) }
                if webhook == current.webhook { return current }
                var changed = current
                changed.webhook = webhook
                let updated = try await work.webhooks.update(changed)
                try await Self.record(work, context, "webhook.update", updated, before: current.auditFields,
                                      root: try await Self.root(work, context, .adminWebhooks).id)
                return updated
            }
            return try Versioning.response(WebhookBody(stored), version: stored.version, request: request, context: context)
        }
        routes.add(.delete, "/v1/webhooks/{id}", access: .permission(.adminWebhooks)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            try await database.unitOfWork { work in
                let current = try await Self.webhook(work, context, id, lock: true)
                guard try await work.webhooks.delete(groupID: current.groupID, id: id) else { throw Problem.notFound() }
                try await context.recordChange(work, action: "webhook.delete", objectType: "webhook", objectID: id,
                                               orgUnitID: try await Self.root(work, context, .adminWebhooks).id,
                                               changes: AuditChange.diff(before: current.auditFields, after: [:]), groupID: current.groupID)
            }
            return Response(status: .noContent)
        }
        routes.add(.get, "/v1/webhooks/{id}/deliveries", access: .permission(.adminWebhooks)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try PageRequest(request)
            var query = QueryReader(request)
            let statuses = query.values("status", of: WebhookDeliveryStatus.self)
            try query.finish()
            let deliveries = try await database.unitOfWork { work in
                let webhook = try await Self.webhook(work, context, id)
                return try await work.webhooks.deliveries(groupID: webhook.groupID, webhookID: webhook.id,
                                                          statuses: statuses.isEmpty ? nil : statuses, after: page.after, limit: page.limit)
            }
            return Page(items: deliveries.map(DeliveryBody.init), nextCursor: page.nextCursor(after: deliveries, lastID: deliveries.last?.id))
        }
        routes.add(.post, "/v1/webhooks/{id}/deliveries/{deliveryId}/replay", access: .permission(.adminWebhooks)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let deliveryID = try context.parameters.require("deliveryId", as: UUID.self)
            let delivery = try await database.unitOfWork { work in
                let webhook = try await Self.webhook(work, context, id)
                guard let current = try await work.webhooks.delivery(groupID: webhook.groupID, webhookID: webhook.id, id: deliveryID, lock: true) else {
                    throw Problem.notFound()
                }
                guard current.status.isReplayable, let replayed = try await work.webhooks.replay(groupID: current.groupID, id: current.id) else {
                    var problem = Problem(status: .conflict, code: "delivery-in-progress",
                                          detail: "The delivery is \(current.status.rawValue); only dead or delivered deliveries are replayed.")
                    problem.currentStatus = current.status.rawValue
                    throw problem
                }
                try await context.recordChange(work, action: "webhook_delivery.replay", objectType: "webhook_delivery", objectID: current.id,
                                               orgUnitID: try await Self.root(work, context, .adminWebhooks).id,
                                               changes: [AuditChange(field: "status", before: current.status.rawValue, after: "pending")],
                                               groupID: current.groupID)
                return replayed
            }
            return DeliveryBody(delivery)
        }
        routes.add(.get, "/v1/events", access: .permission(.eventsRead)) { request, context in
            let limit = try PageRequest.limit(request)
            var query = QueryReader(request)
            let cursor = query.parsed("cursor", "is not a cursor this API gave out") { EventCursor($0) }
            let types = query.parsed("type", "must be a comma-separated list of \(EventCatalogue.types.map(\.rawValue).joined(separator: ", "))") { raw in
                let types = raw.split(separator: ",", omittingEmptySubsequences: false).map { EventType(rawValue: String($0)) }
                return types.allSatisfy(EventCatalogue.isKnown) ? types : nil
            }
            let objectID = query.uuid("objectId")
            try query.finish()
            let events = try await database.unitOfWork { work in
                let root = try await Self.root(work, context, .eventsRead)
                return try await work.events.feed(groupID: root.groupID, after: cursor, types: types, objectID: objectID, limit: limit)
            }
            return Page(items: try events.map(EventDocument.envelope), nextCursor: (events.last?.cursor ?? cursor)?.description)
        }
    }

    /// Webhooks and events are the group's: the caller needs `permission` at the group's root.
    static func root(_ work: UnitOfWork, _ context: EstateRequestContext, _ permission: Permission) async throws -> OrgUnit {
        let caller = try context.requireCaller()
        guard let root = try await work.orgUnits.root(groupID: caller.groupID) else { throw Problem.notFound() }
        try context.authorize(permission, groupID: root.groupID, unitPath: root.path)
        return root
    }

    /// A webhook of the caller's group that the caller may manage; 404 otherwise (another group's included).
    static func webhook(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID, lock: Bool = false) async throws -> StoredWebhook {
        let root = try await root(work, context, .adminWebhooks)
        guard let stored = try await work.webhooks.find(groupID: root.groupID, id: id, lock: lock) else { throw Problem.notFound() }
        return stored
    }

    static func trimmed(_ text: String?) -> String? {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed?.isEmpty == true ? nil : trimmed
    }

    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ stored: StoredWebhook,
                       before: [String: String?], root: UUID) async throws {
        try await context.recordChange(work, action: action, objectType: "webhook", objectID: stored.id, orgUnitID: root,
                                       changes: AuditChange.diff(before: before, after: stored.auditFields), groupID: stored.groupID)
    }
}

extension StoredWebhook {
    /// What the audit trail records of a webhook (never its secret).
    var auditFields: [String: String?] {
        let w = webhook
        return ["url": w.url, "eventTypes": w.eventTypes.map(\.rawValue).joined(separator: ","), "format": w.format.rawValue,
                "description": w.description, "active": String(w.active)]
    }
}
