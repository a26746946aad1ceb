import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Customers: create (through the duplicate rules), read (masked without customers.pii), change,
/// search, follow-ups and the timeline; a manager's decision on a duplicate waiting for approval.
struct CustomerController {
    let database: Database

    func register(in routes: inout RouteTable) {
        registerMerge(in: &routes)
        routes.add(.post, "/v1/projects/{id}/customers", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: CustomerFields.self, context: context)
            let caller = try context.requireCaller()
            guard let userID = caller.user?.id else {
                throw Problem(status: .unprocessableContent, code: "user-required", detail: "Customers are owned by consultants; sign in as a user.")
            }
            var violations: [FieldViolation] = []
            if body.name == nil { violations.append(FieldViolation(field: "name", message: "is required")) }
            if body.source == nil { violations.append(FieldViolation(field: "source", message: "is required")) }
            var profile = CustomerProfile(name: "", source: "")
            body.apply(to: &profile, violations: &violations)
            if body.name != nil { violations += profile.violations() }
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let (customer, matches) = try await database.unitOfWork { work in
                let project = try await context.inventory.project(work, id, .customersWrite)
                try await Self.checkDictionaries(work, groupID: project.groupID, profile)
                let ownerID = body.ownerId ?? userID
                if ownerID != userID {
                    try context.authorize(.customersAssign, groupID: project.groupID, unitPath: project.path)
                    try await Self.checkOwner(work, context, ownerID, project: project, field: "ownerId")
                }
                let matches = try await Self.duplicates(work, groupID: project.groupID, projectID: project.id, identity: profile.identity)
                let action = matches.map(\.match.rule.action).max()
                if action == .block { throw Self.blocked(matches) }
                let days = try await work.customerHistory.protectionDays(groupID: project.groupID, source: profile.source)
                let now = Date()
                let customer = Customer(groupID: project.groupID, id: UUIDv7.make(), projectID: project.id, projectPath: project.path,
                                        profile: profile, ownerID: ownerID, protectedUntil: ProtectionPeriod.afterOwnerChange(now: now, days: days),
                                        approval: action == .approve ? .pending : .none, createdBy: userID, createdAt: now, updatedAt: now)
                try await work.customers.insert(customer)
                try await work.customerHistory.recordOwnership(groupID: customer.groupID, customerID: customer.id, event: .created,
                                                               from: (nil, nil), to: (ownerID, project.id),
                                                               actor: caller.actor.historyText, reason: nil)
                try await Self.record(work, context, "customer.create", customer, before: [:])
                guard let stored = try await work.customers.find(groupID: customer.groupID, id: customer.id) else { throw Problem.notFound() }
                return (stored, matches)
            }
            let pii = try context.customers.seesPII(customer)
            return try Versioning.response(CustomerCreatedBody(customer: CustomerBody(customer, pii: pii), duplicates: matches.map(\.body)),
                                           status: .created, version: customer.version, request: request, context: context)
        }
        routes.add(.get, "/v1/customers", access: .permission(.customersRead)) { request, context in
            let caller = try context.requireCaller()
            let page = try PageRequest(request)
            let (query, pii) = try Self.customerQuery(request, caller: caller)
            let reach = caller.scope.customerReachUnits
            let visibility = CustomerVisibility(all: Array(reach.all), own: Array(reach.own), userID: caller.user?.id)
            let customers = try await database.unitOfWork { work in
                try await work.customers.search(groupID: caller.groupID, visibility: visibility, query, after: page.after, limit: page.limit)
            }
            return Page(items: customers.map { CustomerBody($0, pii: pii($0)) }, nextCursor: page.nextCursor(after: customers, lastID: customers.last?.id))
        }
        routes.add(.get, "/v1/customers/{id}", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let customer = try await database.unitOfWork { work in try await context.customers.customer(work, id, .read).customer }
            return try Versioning.response(CustomerBody(customer, pii: try context.customers.seesPII(customer)), version: customer.version,
                                           request: request, context: context)
        }
        routes.add(.patch, "/v1/customers/{id}", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: CustomerFields.self, context: context)
            if body.ownerId != nil {
                throw Problem.validation([FieldViolation(field: "ownerId", message: "is changed by a reassignment, not here")])
            }
            let (customer, matches) = try await database.unitOfWork { work in
                let current = try await context.customers.customer(work, id, .write, lock: true).customer
                var changed = current
                var violations: [FieldViolation] = []
                body.apply(to: &changed.profile, violations: &violations)
                violations += changed.profile.violations()
                guard violations.isEmpty else { throw Problem.validation(violations) }
                guard current.version == version else { throw VersionConflict(object: "customer", current: current.version) }
                if changed.profile == current.profile { return (current, [DuplicateFinding]()) }
                try await Self.checkDictionaries(work, groupID: current.groupID, changed.profile, onlyChangedFrom: current.profile)
                var matches: [DuplicateFinding] = []
                if changed.profile.identity != current.profile.identity {
                    matches = try await Self.duplicates(work, groupID: current.groupID, projectID: current.projectID,
                                                        identity: changed.profile.identity, excluding: current.id)
                    if matches.contains(where: { $0.match.rule.action == .block }) { throw Self.blocked(matches) }
                }
                let stored = try await work.customers.updateProfile(changed)
                try await Self.record(work, context, "customer.update", stored, before: current.auditFields)
                return (stored, matches)
            }
            let pii = try context.customers.seesPII(customer)
            return try Versioning.response(CustomerCreatedBody(customer: CustomerBody(customer, pii: pii), duplicates: matches.map(\.body)),
                                           version: customer.version, request: request, context: context)
        }
        routes.add(.post, "/v1/customers/duplicate-check", access: .permission(.customersRead)) { request, context in
            let body = try await request.decode(as: DuplicateCheckRequest.self, context: context)
            // A check answers about what it can read: a text that is no phone number matches nothing.
            var phones: [String] = []
            var ignored: [Int] = []
            for (index, raw) in (body.phones ?? []).enumerated() {
                if let number = PhoneNumber.normalize(raw) { phones.append(number) } else { ignored.append(index) }
            }
            let identity = CustomerIdentity(name: CustomerText.normalizedName(body.name ?? ""), phones: Set(phones),
                                            idNumber: body.idNumber.map(IDDocument.normalize).flatMap { $0.isEmpty ? nil : $0 })
            // Read-only, on the hot path of every customer a consultant types in: no transaction round trips.
            let matches = try await database.read { work in
                let found = try await work.duplicateRules.unitWithActiveRules(groupID: try context.requireCaller().groupID, unitID: body.projectId)
                let project = try context.inventory.authorizedProject(found?.unit, .customersRead)
                return try await Self.duplicates(work, groupID: project.groupID, projectID: project.id, identity: identity,
                                                 rules: found?.rules ?? [])
            }
            return DuplicateCheckBody(action: matches.map(\.match.rule.action).max(), matches: matches.map(\.body), ignoredPhones: ignored)
        }
        routes.add(.post, "/v1/customers/{id}/approval", access: .permission(.customersAssign)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: ApprovalDecision.self, context: context)
            let reason = try SalesControlController.reason(body.reason, required: body.decision == .reject)
            let customer = try await database.unitOfWork { work in
                let current = try await context.customers.customer(work, id, .manage, lock: true).customer
                guard current.approval == .pending else {
                    throw Problem(status: .conflict, code: "not-pending", detail: "The customer is not waiting for a duplicate approval.")
                }
                let approval: CustomerApproval = body.decision == .approve ? .none : .rejected
                let stored = try await work.customers.setApproval(current, approval)
                try await context.recordChange(work, action: "customer.\(body.decision.rawValue)", objectType: "customer", objectID: current.id,
                                               orgUnitID: current.projectID,
                                               changes: AuditChange.diff(before: ["approval": current.approval.rawValue],
                                                                         after: ["approval": approval.rawValue, "reason": reason]),
                                               groupID: current.groupID)
                return stored
            }
            return try Versioning.response(CustomerBody(customer, pii: try context.customers.seesPII(customer)), version: customer.version,
                                           request: request, context: context)
        }
        routes.add(.post, "/v1/customers/{id}/follow-ups", access: .permission(.customersWrite)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: FollowUpInput.self, context: context)
            let caller = try context.requireCaller()
            guard let userID = caller.user?.id else {
                throw Problem(status: .unprocessableContent, code: "user-required", detail: "Follow-ups are recorded by users; sign in as one.")
            }
            let followUp = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .write, lock: true).customer
                let timeZone = try await work.groups.timeZone(groupID: customer.groupID)
                let followUp = FollowUp(id: UUIDv7.make(), customerID: customer.id, kind: body.kind, at: body.at ?? Date(), userID: userID,
                                        content: body.content.trimmingCharacters(in: .whitespacesAndNewlines),
                                        outcome: body.outcome?.trimmingCharacters(in: .whitespacesAndNewlines), nextFollowUpOn: body.nextFollowUpOn)
                let violations = followUp.violations(timeZone: timeZone)
                guard violations.isEmpty else { throw Problem.validation(violations) }
                try await Self.checkCodes(work, groupID: customer.groupID, [("kind", .followUpKinds, followUp.kind)])
                let days = try await work.customerHistory.protectionDays(groupID: customer.groupID, source: customer.profile.source)
                try await work.customerHistory.addFollowUp(groupID: customer.groupID, followUp,
                                                           protectedUntil: ProtectionPeriod.end(from: followUp.at, days: days))
                // The follow-up done closes the customer's earlier follow-up tasks; its next date, if any, is a task
                // of the customer's owner (of whoever followed up, for a customer in the pool).
                let actor = caller.actor.historyText
                _ = try await work.tasks.completeFollowUpTasks(groupID: customer.groupID, customerID: customer.id, except: followUp.id, actor: actor)
                if let next = followUp.nextFollowUpOn {
                    try await work.tasks.createForFollowUp(groupID: customer.groupID, customerID: customer.id, projectID: customer.projectID,
                                                           assigneeID: customer.ownerID ?? userID, followUpID: followUp.id, dueOn: next,
                                                           title: "Follow up with \(customer.profile.name)", actor: actor)
                }
                try await context.recordChange(work, action: "customer.follow_up", objectType: "customer", objectID: customer.id,
                                               orgUnitID: customer.projectID,
                                               changes: AuditChange.diff(before: [:], after: ["kind": followUp.kind, "followUpId": followUp.id.uuidString.lowercased()]),
                                               groupID: customer.groupID)
                return followUp
            }
            var response = try FollowUpBody(followUp).response(from: request, context: context)
            response.status = .created
            return response
        }
        routes.add(.get, "/v1/customers/{id}/follow-ups", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try TimeKeyset(request)
            let items = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                return try await work.customerHistory.followUps(groupID: customer.groupID, customerID: customer.id, before: page.before, limit: page.limit)
            }
            return Page(items: items.map(FollowUpBody.init), nextCursor: page.nextCursor(items.count, last: items.last.map { ($0.at, $0.id) }))
        }
        routes.add(.get, "/v1/customers/{id}/timeline", access: .permission(.customersRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let page = try TimeKeyset(request)
            let scope = try context.requireCaller().scope
            let items = try await database.unitOfWork { work in
                let customer = try await context.customers.customer(work, id, .read).customer
                // Deal and payment entries only of projects where the caller reads deals and payments.
                return try await work.customerHistory.timeline(groupID: customer.groupID, customerID: customer.id,
                                                               dealUnits: Array(scope.units(with: .dealsRead)),
                                                               paymentUnits: Array(scope.units(with: .paymentsRead)),
                                                               before: page.before, limit: page.limit)
            }
            return Page(items: try items.map(TimelineEntryBody.init), nextCursor: page.nextCursor(items.count, last: items.last.map { ($0.at, $0.id) }))
        }
    }

    /// The search's filters. Phone and ID-number fragments need customers.pii wherever the search
    /// reaches (else the masking could be undone by searching digit by digit); without it only a
    /// whole number is matched. The second value says, per customer, whether to show personal data.
    static func customerQuery(_ request: Request, caller: Caller) throws -> (CustomerQuery, (Customer) -> Bool) {
        var reader = QueryReader(request)
        var query = CustomerQuery()
        query.projectID = reader.uuid("projectId")
        if let name = reader.text("name") {
            let key = CustomerText.normalizedName(name)
            if key.isEmpty || name.count > 200 || CustomerText.hasControlCharacter(name) {
                reader.fail("name", "must be 1 to 200 characters, not blank, without control characters")
            } else {
                query.name = key
            }
        }
        let readers = caller.scope.grants.filter { $0.permissions.contains(.customersRead) }
        let piiEverywhere = !readers.isEmpty && readers.allSatisfy { $0.permissions.contains(.customersPII) }
        // In a search, numbers are plain ASCII digits (a leading + allowed) and ID numbers letters and digits.
        func ascii(_ text: String, _ allowed: (UInt8) -> Bool) -> Bool { text.utf8.allSatisfy(allowed) }
        let isDigit: (UInt8) -> Bool = { (0x30...0x39).contains($0) }
        if let raw = reader.text("phone") {
            let digits = raw.hasPrefix("+") ? String(raw.dropFirst()) : raw
            if !(4...15).contains(digits.utf8.count) || !ascii(digits, isDigit) {
                reader.fail("phone", "must be 4 to 15 digits, a leading + allowed")
            } else if let whole = PhoneNumber.normalize(raw), !piiEverywhere || digits.count >= 11 {
                query.phone = whole
            } else if piiEverywhere {
                query.phone = digits
                query.phoneFragment = true
            } else {
                reader.fail("phone", "must be a whole phone number (fragments need customers.pii)")
            }
        }
        if let raw = reader.text("idNumber") {
            if !(4...64).contains(raw.utf8.count) || !ascii(raw, { isDigit($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }) {
                reader.fail("idNumber", "must be 4 to 64 letters or digits")
            } else {
                query.idNumber = IDDocument.normalize(raw)
                query.idFragment = piiEverywhere
            }
        }
        query.intentGrades = reader.codes("intentGrade")
        query.sources = reader.codes("source")
        query.stages = reader.codes("stage")
        query.ownerID = reader.uuid("ownerId")
        query.inPool = reader.flag("inPool")
        query.lastFollowUpFrom = reader.date("lastFollowUpFrom")
        query.lastFollowUpBefore = reader.date("lastFollowUpBefore")
        try reader.finish()
        let scope = caller.scope
        return (query, { scope.permissions(groupID: $0.groupID, unitPath: $0.projectPath).contains(.customersPII) })
    }

    /// Merges the customer named in the body into the one in the path (the survivor), with all its history.
    func registerMerge(in routes: inout RouteTable) {
        routes.add(.post, "/v1/customers/{id}/merge", access: .permission(.customersMerge)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let body = try await request.decode(as: MergeRequest.self, context: context)
            guard body.duplicateId != id else {
                throw Problem.validation([FieldViolation(field: "duplicateId", message: "must be another customer than the survivor")])
            }
            let caller = try context.requireCaller()
            let survivor = try await database.unitOfWork { work in
                // Both locked in id order, so two merges of the same pair cannot deadlock.
                let locked = try await work.customers.lock(groupID: caller.groupID, ids: [id, body.duplicateId])
                guard let survivor = locked.first(where: { $0.id == id }), survivor.mergedInto == nil,
                      !(try await context.customers.rights(work, survivor)).isEmpty else { throw Problem.notFound() }
                try context.authorize(.customersMerge, groupID: survivor.groupID, unitPath: survivor.projectPath)
                guard let duplicate = locked.first(where: { $0.id == body.duplicateId }), duplicate.mergedInto == nil,
                      !(try await context.customers.rights(work, duplicate)).isEmpty,
                      caller.scope.permissions(groupID: duplicate.groupID, unitPath: duplicate.projectPath).contains(.customersMerge) else {
                    throw Problem.validation([FieldViolation(field: "duplicateId", message: "is not a customer you can merge")])
                }
                let profile = survivor.profile.merged(with: duplicate.profile)
                guard profile.phones.count <= CustomerProfile.maximumPhones else {
                    throw Problem(status: .unprocessableContent, code: "too-many-phones",
                                  detail: "Together the two customers have \(profile.phones.count) phones; at most \(CustomerProfile.maximumPhones) fit. Remove some first.")
                }
                let merged = try await work.customers.merge(duplicate, into: survivor, profile: profile)
                try await work.customerHistory.recordOwnership(groupID: duplicate.groupID, customerID: duplicate.id, event: .merged,
                                                               from: (duplicate.ownerID, duplicate.projectID), to: (survivor.ownerID, survivor.projectID),
                                                               actor: caller.actor.historyText, reason: "merged into \(survivor.id.uuidString.lowercased())")
                try await Self.record(work, context, "customer.merge", merged, before: survivor.auditFields)
                try await context.recordChange(work, action: "customer.merged_into", objectType: "customer", objectID: duplicate.id,
                                               orgUnitID: duplicate.projectID,
                                               changes: AuditChange.diff(before: [:], after: ["mergedInto": survivor.id.uuidString.lowercased()]),
                                               groupID: duplicate.groupID)
                return merged
            }
            return try Versioning.response(CustomerBody(survivor, pii: try context.customers.seesPII(survivor)), version: survivor.version,
                                           request: request, context: context)
        }
    }

    /// A duplicate match with what the API shows of it.
    struct DuplicateFinding {
        let match: DuplicateMatch
        let body: DuplicateMatchBody
    }

    /// The existing customers `identity` matches under the rules that apply in the project, strictest first.
    /// `rules`: the active rules of the project when the caller has read them already.
    static func duplicates(_ work: UnitOfWork, groupID: UUID, projectID: UUID, identity: CustomerIdentity,
                           excluding: UUID? = nil, rules known: [DuplicateRule]? = nil) async throws -> [DuplicateFinding] {
        let rules: [DuplicateRule]
        if let known { rules = known } else {
            rules = try await work.duplicateRules.list(groupID: groupID, projectID: projectID, activeOnly: true).map(\.rule)
        }
        guard !rules.isEmpty else { return [] }
        let byName = rules.contains { $0.fieldSets.contains([.name]) }
        let infos = try await work.duplicateRules.candidates(groupID: groupID, identity: identity, byName: byName, excluding: excluding)
        let byID = Dictionary(uniqueKeysWithValues: infos.map { ($0.candidate.customerID, $0) })
        return DuplicateCheck.matches(for: identity, projectID: projectID, candidates: infos.map(\.candidate), rules: rules).compactMap { match in
            byID[match.candidate.customerID].map { DuplicateFinding(match: match, body: DuplicateMatchBody(match, info: $0)) }
        }
    }

    static func blocked(_ matches: [DuplicateFinding]) -> Problem {
        var problem = Problem(status: .conflict, code: "duplicate-customer",
                              detail: "This customer is already known (a rule blocks duplicates); see who owns it.")
        problem.duplicates = matches.map(\.body)
        return problem
    }

    /// Codes must be active entries of the group's dictionaries; each one at fault is a field error.
    static func checkCodes(_ work: UnitOfWork, groupID: UUID, _ codes: [(field: String, dictionary: DictionaryName, code: String?)]) async throws {
        var violations: [FieldViolation] = []
        for (field, dictionary, code) in codes {
            guard let code else { continue }
            let entry = try await work.dictionaries.find(groupID: groupID, dictionary: dictionary, code: code)
            if entry?.active != true {
                violations.append(FieldViolation(field: field, message: "'\(code)' is not an active entry of the \(dictionary.rawValue) dictionary"))
            }
        }
        guard violations.isEmpty else { throw Problem.validation(violations) }
    }

    /// The profile's dictionary codes; in a change, only the codes that changed (an entry deactivated
    /// since does not block other edits).
    static func checkDictionaries(_ work: UnitOfWork, groupID: UUID, _ p: CustomerProfile, onlyChangedFrom old: CustomerProfile? = nil) async throws {
        func changed(_ value: String?, _ previous: String?) -> String? { old == nil || value != previous ? value : nil }
        try await checkCodes(work, groupID: groupID, [
            ("source", .customerSources, changed(p.source, old?.source)),
            ("media", .mediaChannels, changed(p.media, old?.media)),
            ("intentGrade", .intentGrades, changed(p.intentGrade, old?.intentGrade)),
        ])
    }

    /// A user who can own customers of the project: active, of the caller's group, holding customers.write there.
    static func checkOwner(_ work: UnitOfWork, _ context: EstateRequestContext, _ userID: UUID, project: OrgUnit, field: String) async throws {
        let caller = try context.requireCaller()
        guard let found = try await work.users.find(groupID: caller.groupID, id: userID), found.user.active,
              try await work.roles.scope(groupID: caller.groupID, userID: userID).permissions(groupID: project.groupID, unitPath: project.path).contains(.customersWrite) else {
            throw Problem.validation([FieldViolation(field: field, message: "is not an active user who can own customers of the project")])
        }
    }

    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ customer: Customer,
                       before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "customer", objectID: customer.id, orgUnitID: customer.projectID,
                                       changes: AuditChange.diff(before: before, after: customer.auditFields), groupID: customer.groupID)
    }
}

enum ApprovalVerdict: String, Decodable {
    case approve
    case reject
}

struct MergeRequest: Decodable {
    /// The customer merged into the one in the path.
    let duplicateId: UUID
}

struct ApprovalDecision: Decodable {
    let decision: ApprovalVerdict
    let reason: String?
}

struct CustomerCreatedBody: ResponseEncodable, Sendable {
    let customer: CustomerBody
    /// Existing customers this one matches under `warn` or `approve` rules (empty when none).
    let duplicates: [DuplicateMatchBody]
}

struct TimelineEntryBody: ResponseEncodable, Sendable {
    let at: Date
    let id: UUID
    /// `follow_up`, `ownership`, ... (the shape of `detail` depends on it).
    let type: String
    let detail: JSONValue

    init(_ entry: TimelineEntry) throws {
        at = entry.at
        id = entry.id
        type = entry.type
        detail = try JSONDecoder().decode(JSONValue.self, from: Data(entry.detail.text.utf8))
    }
}

struct FollowUpInput: Decodable {
    let kind: String
    let at: Date?
    let content: String
    let outcome: String?
    let nextFollowUpOn: LocalDate?
}

struct FollowUpBody: ResponseEncodable, Sendable {
    let id: UUID
    let customerId: UUID
    let kind: String
    let at: Date
    let userId: UUID
    let content: String
    let outcome: String?
    let nextFollowUpOn: LocalDate?

    init(_ f: FollowUp) {
        id = f.id
        customerId = f.customerID
        kind = f.kind
        at = f.at
        userId = f.userID
        content = f.content
        outcome = f.outcome
        nextFollowUpOn = f.nextFollowUpOn
    }
}

extension Customer {
    /// What the audit trail records of a customer: never the full phone or ID number.
    var auditFields: [String: String?] {
        ["name": profile.name, "kind": profile.kind.rawValue, "source": profile.source, "intentGrade": profile.intentGrade,
         "phones": profile.phones.map { PhoneNumber.mask($0.number) }.joined(separator: ","),
         "idNumber": profile.idNumber.map(IDDocument.mask), "ownerId": ownerID?.uuidString.lowercased(),
         "projectId": projectID.uuidString.lowercased(), "approval": approval.rawValue]
    }
}
