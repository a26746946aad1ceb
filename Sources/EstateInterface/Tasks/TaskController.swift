import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// Tasks: a user's own list (overdue, today, upcoming in the group's time zone), tasks made by hand
/// or by a manager for the team, completing, rescheduling, reassigning and cancelling them, their
/// history, and a manager's view of the team's open and overdue tasks.
struct TaskController {
    let database: Database
    /// The clock "today" is read from (the wall clock; tests set their own).
    var now: @Sendable () -> Date = { Date() }

    /// The path templates of these routes (tests swap the controller for one with their own clock).
    static let paths: Set<String> = [
        "/v1/me/tasks", "/v1/tasks", "/v1/tasks/{id}", "/v1/tasks/{id}/complete", "/v1/tasks/{id}/reschedule",
        "/v1/tasks/{id}/reassign", "/v1/tasks/{id}/cancel", "/v1/tasks/{id}/history", "/v1/team/tasks",
    ]

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/me/tasks", access: .permission(.tasksRead)) { request, context in
            let caller = try context.requireCaller()
            guard let user = caller.user else {
                throw Problem(status: .forbidden, code: "not-a-user", detail: "API keys have no tasks; this route is for signed-in users.")
            }
            let query = try ListQuery(request)
            return try await database.unitOfWork { work in
                let (agenda, timeZone) = try await agendaNow(work, groupID: caller.groupID, days: query.days)
                let range = agenda.dueRange(query.due)
                let items = try await work.tasks.open(groupID: caller.groupID, assigneeID: user.id, from: range.from, through: range.through,
                                                      after: query.after, limit: query.limit)
                return TaskPage(today: agenda.today, timeZone: timeZone.identifier, items: items.map { TaskBody($0, agenda: agenda) },
                                nextCursor: query.nextCursor(items))
            }
        }
        routes.add(.post, "/v1/tasks", access: .permission(.tasksRead)) { request, context in
            let body = try await request.decode(as: CreateTask.self, context: context)
            let caller = try context.requireCaller()
            let title = body.title.trimmingCharacters(in: .whitespacesAndNewlines)
            let notes = body.notes.nonBlankTrimmed
            let kind = body.kind ?? .manual
            var violations = WorkTask.violations(title: body.title, notes: notes, kind: kind)
            let dueOn: LocalDate?
            do { dueOn = try body.dueOn.date(field: "dueOn") } catch let problem as Problem {
                violations += (problem.errors ?? []).map { FieldViolation(field: $0.field, message: $0.message) }
                dueOn = nil
            }
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let task = try await database.unitOfWork { work in
                guard let assigneeID = body.assigneeId ?? caller.user?.id else {
                    throw Problem(status: .unprocessableContent, code: "user-required",
                                  detail: "An API key has no tasks of its own; name the assignee.",
                                  errors: [.init(field: "assigneeId", message: "is required for API keys")])
                }
                let (agenda, _) = try await agendaNow(work, groupID: caller.groupID, days: nil)
                guard let dueOn else { throw Self.outOfRange(agenda) }
                try agenda.acceptsDue(dueOn)
                let assignee = try await Self.assignee(work, context, assigneeID)
                var orgUnitID = assignee.user.orgUnitID
                if let customerID = body.customerId {
                    orgUnitID = try await Self.customerProject(work, context, customerID)
                }
                let task = WorkTask(groupID: caller.groupID, id: UUIDv7.make(), kind: kind, title: title, notes: notes, customerID: body.customerId,
                                    orgUnitID: orgUnitID, assigneeID: assigneeID, assigneeUnitPath: assignee.unitPath, createdBy: caller.user?.id,
                                    dueOn: dueOn, dueTime: body.dueTime)
                try await work.tasks.insert(task, actor: caller.actor.historyText)
                guard let stored = try await work.tasks.find(groupID: task.groupID, id: task.id) else { throw Problem.notFound() }
                try await Self.record(work, context, "task.create", stored, before: [:])
                return (stored, agenda)
            }
            return try Versioning.response(TaskBody(task.0, agenda: task.1), status: .created, version: task.0.version, request: request, context: context)
        }
        routes.add(.get, "/v1/tasks/{id}", access: .permission(.tasksRead)) { request, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let (task, agenda) = try await database.unitOfWork { work in
                let task = try await context.tasks.task(work, id, .read)
                return (task, try await agendaNow(work, groupID: task.groupID, days: nil).agenda)
            }
            return try Versioning.response(TaskBody(task, agenda: agenda), version: task.version, request: request, context: context)
        }
        routes.add(.get, "/v1/tasks/{id}/history", access: .permission(.tasksRead)) { _, context in
            let id = try context.parameters.require("id", as: UUID.self)
            let entries = try await database.unitOfWork { work in
                let task = try await context.tasks.task(work, id, .read)
                return try await work.tasks.history(groupID: task.groupID, taskID: task.id)
            }
            return TaskHistoryList(items: entries.map(TaskHistoryBody.init))
        }
        routes.add(.post, "/v1/tasks/{id}/complete", access: .permission(.tasksRead)) { request, context in
            try await change(request, context, .complete, event: .completed, action: "task.complete") { task, _, _ in
                try task.complete(at: now(), by: try context.requireCaller().actor.historyText)
            }
        }
        routes.add(.post, "/v1/tasks/{id}/cancel", access: .permission(.tasksRead)) { request, context in
            try await change(request, context, .steer, event: .cancelled, action: "task.cancel") { task, _, _ in
                try task.cancel(at: now(), by: try context.requireCaller().actor.historyText)
            }
        }
        routes.add(.post, "/v1/tasks/{id}/reschedule", access: .permission(.tasksRead)) { request, context in
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: RescheduleTask.self, context: context)
            let dueOn = try body.dueOn.date(field: "dueOn")
            let note = try Self.note(body.note)
            return try await change(request, context, .steer, event: .rescheduled, action: "task.reschedule", version: version, note: note) { task, agenda, _ in
                guard let dueOn else { throw Self.outOfRange(agenda) }
                try agenda.acceptsDue(dueOn)
                try task.reschedule(to: dueOn, at: body.dueTime)
            }
        }
        routes.add(.post, "/v1/tasks/{id}/reassign", access: .permission(.tasksAssign)) { request, context in
            let body = try await request.decode(as: ReassignTask.self, context: context)
            let note = try Self.note(body.note)
            return try await change(request, context, .reassign, event: .reassigned, action: "task.reassign", note: note) { task, _, work in
                let assignee = try await Self.assignee(work, context, body.assigneeId)
                try task.reassign(to: assignee.user.id, unitPath: assignee.unitPath)
            }
        }
        routes.add(.get, "/v1/team/tasks", access: .permission(.tasksAssign)) { request, context in
            let caller = try context.requireCaller()
            let query = try ListQuery(request)
            var reader = QueryReader(request)
            let orgUnitID = reader.uuid("orgUnitId")
            let assigneeID = reader.uuid("assigneeId")
            try reader.finish()
            return try await database.unitOfWork { work in
                var units = Array(caller.scope.units(with: .tasksAssign))
                if let orgUnitID {
                    guard let unit = try await work.orgUnits.find(groupID: caller.groupID, id: orgUnitID) else { throw Problem.notFound() }
                    try context.authorize(.tasksAssign, groupID: unit.groupID, unitPath: unit.path)
                    units = [unit.id]
                }
                let (agenda, timeZone) = try await agendaNow(work, groupID: caller.groupID, days: query.days)
                let range = agenda.dueRange(query.due)
                let workload = try await work.tasks.workload(groupID: caller.groupID, units: units, today: agenda.today)
                let items = try await work.tasks.open(groupID: caller.groupID, assigneeID: assigneeID, units: units, from: range.from,
                                                      through: range.through, after: query.after, limit: query.limit)
                return TeamTasksBody(today: agenda.today, timeZone: timeZone.identifier, assignees: workload.map(WorkloadBody.init),
                                     items: items.map { TaskBody($0, agenda: agenda) }, nextCursor: query.nextCursor(items))
            }
        }
    }

    /// One change of one task: found with the right asked for (404/403), changed by `apply` (which
    /// refuses bad input first), checked against `If-Match` when `version` is given (412), stored
    /// with its history line and audited. A change that changes nothing keeps the version.
    private func change(_ request: Request, _ context: EstateRequestContext, _ right: TaskRight, event: TaskEvent, action: String,
                        version: Int? = nil, note: String? = nil,
                        _ apply: (inout WorkTask, TaskAgenda, UnitOfWork) async throws -> Void) async throws -> Response {
        let id = try context.parameters.require("id", as: UUID.self)
        let (task, agenda) = try await database.unitOfWork { work in
            let current = try await context.tasks.task(work, id, right, lock: true)
            let (agenda, _) = try await agendaNow(work, groupID: current.groupID, days: nil)
            var changed = current
            try await apply(&changed, agenda, work)
            if let version, version != current.version { throw VersionConflict(object: "task", current: current.version) }
            if changed == current { return (current, agenda) }
            let stored = try await work.tasks.update(changed, previous: current, event: event,
                                                     actor: try context.requireCaller().actor.historyText, note: note)
            try await Self.record(work, context, action, stored, before: current.auditFields)
            return (stored, agenda)
        }
        return try Versioning.response(TaskBody(task, agenda: agenda), version: task.version, request: request, context: context)
    }

    /// The agenda of now in the group's time zone.
    private func agendaNow(_ work: UnitOfWork, groupID: UUID, days: Int?) async throws -> (agenda: TaskAgenda, timeZone: TimeZone) {
        let timeZone = try await work.groups.timeZone(groupID: groupID)
        return (TaskAgenda(now: now(), timeZone: timeZone, upcomingDays: days ?? TaskAgenda.defaultUpcomingDays), timeZone)
    }

    static func outOfRange(_ agenda: TaskAgenda) -> TaskError {
        .dueOutOfRange(earliest: agenda.acceptedDue.lowerBound, latest: agenda.acceptedDue.upperBound)
    }

    /// The note on a change (kept in the task's history): at most 500 characters.
    static func note(_ value: String?) throws -> String? {
        let note = value.nonBlankTrimmed
        if let violation = WorkTask.textViolation(note, field: "note", limit: 500) { throw Problem.validation([violation]) }
        return note
    }

    /// A user a task may be given to: the caller themselves, or an active user of the caller's group
    /// whose unit the caller holds tasks.assign over (403 when the caller sees the user but may not
    /// assign them; 422 `unknown-assignee` for anyone else).
    static func assignee(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID) async throws -> (user: User, unitPath: [UUID]) {
        let caller = try context.requireCaller()
        let found = try await work.users.find(groupID: caller.groupID, id: id)
        if let found, found.user.id == caller.user?.id { return found }
        guard let found, found.user.active, caller.scope.canSee(groupID: caller.groupID, unitPath: found.unitPath) else {
            throw Problem(status: .unprocessableContent, code: "unknown-assignee",
                          detail: "Tasks go to active users of your team.",
                          errors: [.init(field: "assigneeId", message: "is not an active user within your reach")])
        }
        try context.authorize(.tasksAssign, groupID: caller.groupID, unitPath: found.unitPath)
        return found
    }

    /// The project of a customer the caller sees (a task about it belongs there); 422 `unknown-reference` otherwise.
    static func customerProject(_ work: UnitOfWork, _ context: EstateRequestContext, _ id: UUID) async throws -> UUID {
        do {
            return try await context.customers.customer(work, id, .read).customer.projectID
        } catch let problem as Problem where problem.status == .notFound {
            throw Problem(status: .unprocessableContent, code: "unknown-reference", detail: "The task names a customer you cannot see.",
                          errors: [.init(field: "customerId", message: "is not a customer within your reach")])
        }
    }

    static func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String, _ task: WorkTask,
                       before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "task", objectID: task.id, orgUnitID: task.orgUnitID,
                                       changes: AuditChange.diff(before: before, after: task.auditFields), groupID: task.groupID)
    }
}

/// `due`, `days`, `limit` and `cursor` of a task list.
struct ListQuery {
    let due: TaskDue?
    let days: Int?
    let limit: Int
    let after: TaskListKey?

    init(_ request: Request) throws {
        let parameters = request.uri.queryParameters
        if let text = parameters["due"] {
            guard let due = TaskDue(rawValue: String(text)) else {
                throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "due", message: "must be overdue, today or upcoming")])
            }
            self.due = due
        } else {
            due = nil
        }
        if let text = parameters["days"] {
            guard let days = Int(String(text)), TaskAgenda.upcomingDaysRange.contains(days) else {
                throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "days", message: "must be a whole number from 1 to 90")])
            }
            self.days = days
        } else {
            days = nil
        }
        limit = try PageRequest.limit(request)
        if let text = parameters["cursor"] {
            guard let key = TaskCursor.decode(String(text)) else {
                throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "cursor", message: "is not a cursor this API gave out")])
            }
            after = key
        } else {
            after = nil
        }
    }

    /// The cursor after the last task, when the page is full (there may be more).
    func nextCursor(_ items: [WorkTask]) -> String? {
        guard items.count == limit, let last = items.last else { return nil }
        return TaskCursor.encode(TaskListKey(last))
    }
}

/// Finding a task for a request by ``AccessScope/taskRights(_:userID:)``: another group's task, one
/// the caller may not see and a missing one are all 404; a visible one without the right asked for is 403.
struct TaskAccess {
    let context: EstateRequestContext

    func task(_ work: UnitOfWork, _ id: UUID, _ right: TaskRight, lock: Bool = false) async throws -> WorkTask {
        let caller = try context.requireCaller()
        guard let task = try await work.tasks.find(groupID: caller.groupID, id: id, lock: lock) else { throw Problem.notFound() }
        let rights = caller.scope.taskRights(task, userID: caller.user?.id)
        guard !rights.isEmpty else { throw Problem.notFound() }
        guard rights.contains(right) else { throw Problem.forbidden(.tasksAssign) }
        return task
    }
}

extension EstateRequestContext {
    var tasks: TaskAccess { TaskAccess(context: self) }
}

extension WorkTask {
    /// What the audit trail records of a task.
    var auditFields: [String: String?] {
        ["kind": kind.rawValue, "title": title, "assigneeId": assigneeID.uuidString.lowercased(), "dueOn": dueOn.description,
         "dueTime": dueTime?.description, "status": status.rawValue, "customerId": customerID?.uuidString.lowercased(),
         "orgUnitId": orgUnitID.uuidString.lowercased()]
    }
}
