import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Bulk import/upsert of a project's customers by external id (JSON or XML), all or nothing, with
/// `dryRun=true`: the rules of `POST /v1/projects/{id}/customers` and `PATCH /v1/customers/{id}`
/// for every record (``CustomerImport`` plans them), every bad record reported by position.
struct CustomerImportController {
    let database: Database

    func register(in routes: inout RouteTable) {
        routes.add(.post, "/v1/projects/{id}/customer-imports", access: .permission(.customersWrite),
                   maxBodyBytes: BulkInventoryController.largestImport) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let dryRun = try request.flag("dryRun")
            let body = try await request.decode(as: CustomerImportRequest.self, context: context)
            guard (1...CustomerImport.maximumRecords).contains(body.customers.count) else {
                throw Problem.validation([FieldViolation(field: "customers", message: "must hold 1 to \(CustomerImport.maximumRecords) records")])
            }
            var errors: [(position: Int, error: Problem.FieldError)] = []
            var records: [(position: Int, record: CustomerImportRecord)] = []
            for (position, slot) in body.customers.enumerated() {
                switch slot.record {
                case .success(let record):
                    if let message = CustomerImport.externalIDViolation(record.externalId) {
                        errors.append((position, .init(field: "customers[\(position)].externalId", message: message)))
                    } else {
                        records.append((position, record))
                    }
                case .failure(let error):
                    errors += (Problem.decoding(error, body: Data()).errors ?? []).map { (position, $0) }
                }
            }
            let result = try await database.unitOfWork { work -> CustomerImportBody in
                let project = try await context.inventory.project(work, id, .customersWrite)
                let (entries, scope) = try await Self.entries(work, context, project: project, records)
                let (planned, violations) = CustomerImport.plan(entries, scope: scope, newID: { UUIDv7.make() })
                errors += violations.map { ($0.position, .init(field: "customers[\($0.position)].\($0.field)", message: $0.message)) }
                guard errors.isEmpty else {
                    // By position, and in the order found within a record.
                    let ordered = errors.enumerated().sorted { ($0.element.position, $0.offset) < ($1.element.position, $1.offset) }
                    throw Problem.validation([]).with(errors: ordered.map(\.element.error))
                }
                if !dryRun {
                    try await Self.store(work, context, project: project, planned, existing: entries)
                }
                return CustomerImportBody(dryRun: dryRun, planned: planned)
            }
            return result
        }
    }

    /// Reads what the records need in a few set-based statements (the customers their external ids
    /// name, the owners they name, the caller's shares, the dictionaries, the duplicate rules and
    /// candidates) and applies each record's fields to the profile it changes.
    static func entries(_ work: UnitOfWork, _ context: EstateRequestContext, project: OrgUnit,
                        _ records: [(position: Int, record: CustomerImportRecord)]) async throws -> ([CustomerImportEntry], CustomerImportScope) {
        let caller = try context.requireCaller()
        let groupID = project.groupID
        let imports = work.customerImports
        let existing = try await imports.lock(groupID: groupID, externalIDs: Array(Set(records.map(\.record.externalId))))
        // Owners by id or username; those who may own customers here: active, holding customers.write at the project.
        let references = Set(records.compactMap(\.record.owner))
        let found = try await imports.owners(groupID: groupID, ids: references.compactMap { UUID(uuidString: $0) },
                                             usernames: references.filter { UUID(uuidString: $0) == nil })
        var eligible: [String: UUID] = [:]
        for owner in found where owner.active {
            let scope = try await work.roles.scope(groupID: groupID, userID: owner.id)
            guard scope.permissions(groupID: groupID, unitPath: project.path).contains(.customersWrite) else { continue }
            eligible[owner.username] = owner.id
            eligible[owner.id.uuidString.lowercased()] = owner.id
        }
        let shares = try await imports.shares(groupID: groupID, customerIDs: existing.values.map(\.id), userID: caller.user?.id)
        var entries: [CustomerImportEntry] = []
        for (position, record) in records {
            var problems: [FieldViolation] = []
            let current = existing[record.externalId]
            var profile = current?.profile ?? CustomerProfile(name: "", source: "")
            if current == nil {
                if record.fields.name == nil { problems.append(FieldViolation(field: "name", message: "is required for a new customer")) }
                if record.fields.source == nil { problems.append(FieldViolation(field: "source", message: "is required for a new customer")) }
            }
            record.fields.apply(to: &profile, violations: &problems)
            var owner: UUID?
            if let reference = record.owner {
                owner = eligible[UUID(uuidString: reference).map { $0.uuidString.lowercased() } ?? reference]
                if owner == nil {
                    problems.append(FieldViolation(field: "owner", message: "is not an active user who can own customers of the project"))
                }
            }
            let mayWrite = current.map {
                caller.scope.customerRights(groupID: $0.groupID, projectPath: $0.projectPath, userID: caller.user?.id, ownerID: $0.ownerID,
                                            share: shares[$0.id]).contains(.write)
            } ?? false
            entries.append(CustomerImportEntry(position: position, externalID: record.externalId, profile: profile, existing: current,
                                               mayWrite: mayWrite, owner: owner, problems: problems))
        }
        let valid = entries.filter(\.problems.isEmpty)
        var wanted: [(dictionary: DictionaryName, code: String)] = []
        for entry in valid {
            wanted.append((.customerSources, entry.profile.source))
            if let media = entry.profile.media { wanted.append((.mediaChannels, media)) }
            if let grade = entry.profile.intentGrade { wanted.append((.intentGrades, grade)) }
        }
        let codes = try await imports.activeCodes(groupID: groupID, wanted)
        let rules = try await work.duplicateRules.list(groupID: groupID, projectID: project.id, activeOnly: true).map(\.rule)
        let byName = rules.contains { $0.fieldSets.contains([.name]) }
        let candidates = rules.isEmpty ? [] : try await imports.candidates(groupID: groupID, identities: valid.map(\.profile.identity), byName: byName)
        let scope = CustomerImportScope(
            projectID: project.id, callerUserID: caller.user?.id,
            mayAssign: caller.scope.permissions(groupID: groupID, unitPath: project.path).contains(.customersAssign),
            sources: codes[.customerSources] ?? [], media: codes[.mediaChannels] ?? [], intentGrades: codes[.intentGrades] ?? [],
            rules: rules, candidates: candidates)
        return (entries, scope)
    }

    /// Writes the planned creates and updates, their ownership history with the `customer.created`
    /// events, and an audit entry per customer: a dozen statements for the whole batch.
    static func store(_ work: UnitOfWork, _ context: EstateRequestContext, project: OrgUnit, _ planned: [PlannedCustomerImport],
                      existing entries: [CustomerImportEntry]) async throws {
        let caller = try context.requireCaller()
        let now = Date()
        let creates = planned.filter { $0.action == .create }
        let days = try await work.customerImports.protectionDays(groupID: project.groupID, sources: Array(Set(creates.map(\.profile.source))))
        let created = creates.compactMap { plan -> Customer? in
            guard let owner = plan.ownerID else { return nil }   // the plan gives every create an owner
            return Customer(groupID: project.groupID, id: plan.customerID, projectID: project.id, projectPath: project.path,
                            profile: plan.profile, ownerID: owner,
                            protectedUntil: ProtectionPeriod.afterOwnerChange(now: now, days: days[plan.profile.source] ?? 30),
                            approval: plan.approval, createdBy: caller.user?.id ?? owner, externalID: plan.externalID,
                            createdAt: now, updatedAt: now)
        }
        let byPosition = Dictionary(uniqueKeysWithValues: entries.map { ($0.position, $0) })
        let changes = planned.filter { $0.action == .update }.compactMap { plan -> (before: Customer, after: Customer)? in
            guard let current = byPosition[plan.position]?.existing else { return nil }
            var changed = current
            changed.profile = plan.profile
            return (current, changed)
        }
        try await work.customerImports.insert(created)
        try await work.customerImports.update(changes.map(\.after))
        try await work.customerHistory.recordOwnership(created.map {
            OwnershipRecord(groupID: $0.groupID, customerID: $0.id, event: .created, from: (nil, nil),
                            to: CustomerPlacement(ownerID: $0.ownerID, projectID: $0.projectID), actor: caller.actor.historyText,
                            reason: nil, at: now)
        })
        func change(_ action: String, _ customer: Customer, before: [String: String?], after: [String: String?]) -> ObjectChange {
            ObjectChange(action: action, objectType: "customer", objectID: customer.id, orgUnitID: customer.projectID,
                         changes: AuditChange.diff(before: before, after: after))
        }
        try await context.recordChanges(work, created.map {
            change("customer.create", $0, before: [:], after: $0.auditFields.merging(["externalId": $0.externalID]) { $1 })
        } + changes.map {
            change("customer.update", $0.after, before: $0.before.auditFields, after: $0.after.auditFields)
        }, groupID: project.groupID)
    }
}
