import EstateLogic
import Foundation
import PQ

/// Where a task stands in a list: due date, then time of day (tasks without one after those with),
/// then id. Lists are keyset-paginated on it.
public struct TaskListKey: Sendable, Hashable {
    public var dueOn: LocalDate
    /// Minutes since midnight of the due time; 1440 (after every time of the day) when there is none.
    public var minute: Int
    public var id: UUID

    public init(dueOn: LocalDate, minute: Int, id: UUID) {
        self.dueOn = dueOn
        self.minute = minute
        self.id = id
    }

    public init(_ task: WorkTask) {
        self.init(dueOn: task.dueOn, minute: task.dueTime?.minuteOfDay ?? 1440, id: task.id)
    }
}

/// One line of a task's history: what happened, what it was and became, who did it and when.
public struct TaskHistoryEntry: Sendable, Hashable {
    public var id: UUID
    public var event: TaskEvent
    public var fromAssigneeID: UUID?
    public var toAssigneeID: UUID?
    public var fromDueOn: LocalDate?
    public var toDueOn: LocalDate?
    public var fromDueTime: TimeOfDay?
    public var toDueTime: TimeOfDay?
    public var actor: String
    public var note: String?
    public var at: Date
}

/// The open tasks of one assignee of a manager's team: how many, how many overdue, how many due today.
public struct AssigneeWorkload: Sendable, Hashable {
    public var user: User
    public var open: Int
    public var overdue: Int
    public var dueToday: Int
}

/// Tasks and their history. Every read joins the assignee's unit path (for scope checks).
public struct TaskRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        t.group_id, t.id, t.assignee_id, t.created_by, t.kind, t.title, t.notes, t.customer_id, t.org_unit_id, t.due_on,
        to_char(t.due_time, 'HH24:MI') AS due_time, t.status, t.completed_at, t.completed_by, t.source_type, t.source_id,
        t.version, t.created_at, t.updated_at, o.path AS assignee_path
        """
    static let from: SQL = """
        tasks t JOIN users u ON u.group_id = t.group_id AND u.id = t.assignee_id
        JOIN org_units o ON o.group_id = u.group_id AND o.id = u.org_unit_id
        """
    /// The list order's time-of-day key (see ``TaskListKey/minute``).
    static let minuteKey: SQL = "coalesce((extract(hour FROM t.due_time) * 60 + extract(minute FROM t.due_time))::integer, 1440)"

    static func decode(_ row: PQRow) throws -> WorkTask {
        let statusText: String = try row.decode("status")
        guard let status = TaskStatus(rawValue: statusText) else { throw DataError.internalFailure("task with unknown status \(statusText)") }
        let timeText: String? = try row.decode("due_time")
        let sourceType: String? = try row.decode("source_type")
        let sourceID: UUID? = try row.decode("source_id")
        return WorkTask(
            groupID: try row.decode("group_id"), id: try row.decode("id"), kind: TaskKind(rawValue: try row.decode("kind")),
            title: try row.decode("title"), notes: try row.decode("notes"), customerID: try row.decode("customer_id"),
            orgUnitID: try row.decode("org_unit_id"), assigneeID: try row.decode("assignee_id"),
            assigneeUnitPath: try row.decode("assignee_path"), createdBy: try row.decode("created_by"), dueOn: try row.decode("due_on"),
            dueTime: timeText.flatMap(TimeOfDay.init), status: status, completedAt: try row.decode("completed_at"),
            completedBy: try row.decode("completed_by"),
            source: sourceType.flatMap { type in sourceID.map { TaskSource(type: type, id: $0) } },
            version: try row.decode("version"), createdAt: try row.decode("created_at"), updatedAt: try row.decode("updated_at"))
    }

    /// A task, locked for a change when `lock` is set.
    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> WorkTask? {
        try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from) WHERE t.group_id = \(groupID) AND t.id = \(id) \(lock ? "FOR UPDATE OF t" : "" as SQL)
            """).firstRow.map(Self.decode)
    }

    /// Stores a new task and its `created` history line.
    public func insert(_ task: WorkTask, actor: String) async throws {
        try await transaction.execute("""
            INSERT INTO tasks (group_id, id, assignee_id, created_by, kind, title, notes, customer_id, org_unit_id, due_on, due_time,
                               status, completed_at, completed_by, source_type, source_id)
            VALUES (\(task.groupID), \(task.id), \(task.assigneeID), \(task.createdBy), \(task.kind.rawValue), \(task.title), \(task.notes),
                    \(task.customerID), \(task.orgUnitID), \(task.dueOn), \(task.dueTime?.description)::time, \(task.status.rawValue),
                    \(task.completedAt), \(task.completedBy), \(task.source?.type), \(task.source?.id))
            """)
        try await record(groupID: task.groupID, taskID: task.id, event: .created, from: nil, to: task, actor: actor, note: nil)
    }

    /// The follow-up task a follow-up's next date asks for: due that day, for `assigneeID`, about the
    /// customer, in the customer's project. Idempotent: a follow-up makes at most one task, so a second
    /// call with the same `followUpID` changes nothing. Call it in the unit of work that records the follow-up.
    public func createForFollowUp(groupID: UUID, customerID: UUID, projectID: UUID, assigneeID: UUID, followUpID: UUID,
                                  dueOn: LocalDate, title: String, actor: String) async throws {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        let source = TaskSource.followUp(followUpID)
        let task = WorkTask(groupID: groupID, id: UUIDv7.make(), kind: .followUp, title: trimmed.isEmpty ? "Follow up" : trimmed,
                            customerID: customerID, orgUnitID: projectID, assigneeID: assigneeID, createdBy: nil, dueOn: dueOn,
                            source: source)
        let inserted = try await transaction.execute("""
            INSERT INTO tasks (group_id, id, assignee_id, kind, title, customer_id, org_unit_id, due_on, source_type, source_id)
            VALUES (\(groupID), \(task.id), \(assigneeID), \(task.kind.rawValue), \(task.title), \(customerID), \(projectID), \(dueOn),
                    \(source.type), \(source.id))
            ON CONFLICT (group_id, source_type, source_id) WHERE source_id IS NOT NULL DO NOTHING
            """)
        if inserted == 1 {
            try await record(groupID: groupID, taskID: task.id, event: .created, from: nil, to: task, actor: actor, note: nil)
        }
    }

    /// Gives a customer's open follow-up tasks to the customer's new owner `userID` (and to the customer's
    /// current project); each one moved gets a `reassigned` history line. Call it after the customer's
    /// owner (and project) changed, in the same unit of work. Returns how many tasks moved.
    @discardableResult
    public func reassignOpenTasks(groupID: UUID, customerID: UUID, to userID: UUID, actor: String) async throws -> Int {
        let moving = try await transaction.query("""
            SELECT t.id, t.assignee_id FROM tasks t
            WHERE t.group_id = \(groupID) AND t.customer_id = \(customerID) AND t.status = 'open'
              AND t.kind = \(TaskKind.followUp.rawValue) AND t.assignee_id <> \(userID)
            ORDER BY t.id FOR UPDATE
            """).map { row -> (id: UUID, from: UUID) in (try row.decode("id"), try row.decode("assignee_id")) }
        guard !moving.isEmpty else { return 0 }
        try await transaction.execute("""
            UPDATE tasks SET assignee_id = \(userID),
                   org_unit_id = coalesce((SELECT project_id FROM customers WHERE group_id = \(groupID) AND id = \(customerID)), org_unit_id),
                   version = version + 1, updated_at = now()
            WHERE group_id = \(groupID) AND id = ANY(\(moving.map(\.id))::uuid[])
            """)
        try await transaction.execute("""
            INSERT INTO task_history (group_id, id, task_id, event, from_assignee_id, to_assignee_id, actor, note)
            SELECT \(groupID), h.id, h.task_id, 'reassigned', h.from_assignee, \(userID), \(actor), 'the customer was reassigned'
            FROM unnest(\(moving.map { _ in UUIDv7.make() })::uuid[], \(moving.map(\.id))::uuid[], \(moving.map(\.from))::uuid[])
                 AS h(id, task_id, from_assignee)
            """)
        return moving.count
    }

    /// Marks the customer's open generated follow-up tasks done (but the one of `followUpID`): a new
    /// follow-up with the customer is what they asked for. Returns how many were completed.
    @discardableResult
    public func completeFollowUpTasks(groupID: UUID, customerID: UUID, except followUpID: UUID?, actor: String) async throws -> Int {
        let done = try await transaction.query("""
            UPDATE tasks SET status = 'done', completed_at = now(), completed_by = \(actor), version = version + 1, updated_at = now()
            WHERE group_id = \(groupID) AND customer_id = \(customerID) AND status = 'open' AND source_type = 'follow_up'
              AND source_id IS DISTINCT FROM \(followUpID)
            RETURNING id
            """).map { row -> UUID in try row.decode("id") }
        guard !done.isEmpty else { return 0 }
        try await transaction.execute("""
            INSERT INTO task_history (group_id, id, task_id, event, actor, note)
            SELECT \(groupID), h.id, h.task_id, 'completed', \(actor), 'followed up'
            FROM unnest(\(done.map { _ in UUIDv7.make() })::uuid[], \(done)::uuid[]) AS h(id, task_id)
            """)
        return done.count
    }

    /// Stores a change of a task read (and locked) at `previous.version` and its history line; returns the stored task.
    public func update(_ task: WorkTask, previous: WorkTask, event: TaskEvent, actor: String, note: String? = nil) async throws -> WorkTask {
        guard try await transaction.execute("""
            UPDATE tasks SET assignee_id = \(task.assigneeID), due_on = \(task.dueOn), due_time = \(task.dueTime?.description)::time,
                   status = \(task.status.rawValue), completed_at = \(task.completedAt), completed_by = \(task.completedBy),
                   version = version + 1, updated_at = now()
            WHERE group_id = \(task.groupID) AND id = \(task.id) AND version = \(previous.version)
            """) == 1 else {
            throw VersionConflict(object: "task", current: previous.version)
        }
        try await record(groupID: task.groupID, taskID: task.id, event: event, from: previous, to: task, actor: actor, note: note)
        guard let stored = try await find(groupID: task.groupID, id: task.id) else { throw DataError.internalFailure("task vanished") }
        return stored
    }

    /// Appends a history line; what it was and became is kept for the fields the event changes.
    func record(groupID: UUID, taskID: UUID, event: TaskEvent, from: WorkTask?, to: WorkTask, actor: String, note: String?) async throws {
        let assignees = event == .created || event == .reassigned ? (from?.assigneeID, Optional(to.assigneeID)) : (nil, nil)
        let due = event == .created || event == .rescheduled ? (from?.dueOn, Optional(to.dueOn)) : (nil, nil)
        let times = event == .created || event == .rescheduled ? (from?.dueTime?.description, to.dueTime?.description) : (nil, nil)
        try await transaction.execute("""
            INSERT INTO task_history (group_id, id, task_id, event, from_assignee_id, to_assignee_id, from_due_on, to_due_on,
                                      from_due_time, to_due_time, actor, note)
            VALUES (\(groupID), \(UUIDv7.make()), \(taskID), \(event.rawValue), \(assignees.0), \(assignees.1), \(due.0), \(due.1),
                    \(times.0)::time, \(times.1)::time, \(actor), \(note))
            """)
    }

    /// A task's history, oldest first.
    public func history(groupID: UUID, taskID: UUID) async throws -> [TaskHistoryEntry] {
        try await transaction.query("""
            SELECT id, event, from_assignee_id, to_assignee_id, from_due_on, to_due_on, to_char(from_due_time, 'HH24:MI') AS from_due_time,
                   to_char(to_due_time, 'HH24:MI') AS to_due_time, actor, note, at
            FROM task_history WHERE group_id = \(groupID) AND task_id = \(taskID) ORDER BY at, id
            """).map { row in
                let eventText: String = try row.decode("event")
                guard let event = TaskEvent(rawValue: eventText) else { throw DataError.internalFailure("task history with unknown event \(eventText)") }
                return TaskHistoryEntry(
                    id: try row.decode("id"), event: event, fromAssigneeID: try row.decode("from_assignee_id"),
                    toAssigneeID: try row.decode("to_assignee_id"), fromDueOn: try row.decode("from_due_on"), toDueOn: try row.decode("to_due_on"),
                    fromDueTime: try row.decode("from_due_time", as: String?.self).flatMap(TimeOfDay.init),
                    toDueTime: try row.decode("to_due_time", as: String?.self).flatMap(TimeOfDay.init),
                    actor: try row.decode("actor"), note: try row.decode("note"), at: try row.decode("at"))
            }
    }

    /// Open tasks due `from` through `through` (either end open when nil), in list order after `after`:
    /// one assignee's (`assigneeID`), or those of every assignee whose unit lies at or below one of `units`.
    public func open(groupID: UUID, assigneeID: UUID?, units: [UUID]? = nil, from: LocalDate?, through: LocalDate?,
                     after: TaskListKey?, limit: Int) async throws -> [WorkTask] {
        var filter: SQL = ""
        if let assigneeID { filter.append("AND t.assignee_id = \(assigneeID) ") }
        if let units { filter.append("AND o.path && \(units)::uuid[] ") }
        if let from { filter.append("AND t.due_on >= \(from) ") }
        if let through { filter.append("AND t.due_on <= \(through) ") }
        if let after { filter.append("AND (t.due_on, \(Self.minuteKey), t.id) > (\(after.dueOn), \(after.minute), \(after.id)) ") }
        return try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from)
            WHERE t.group_id = \(groupID) AND t.status = 'open' \(filter)
            ORDER BY t.due_on, \(Self.minuteKey), t.id LIMIT \(limit)
            """).map(Self.decode)
    }

    /// Per assignee whose unit lies at or below one of `units`: open tasks, overdue ones (due before
    /// `today`) and those due `today`; most overdue first, then most open, then username.
    public func workload(groupID: UUID, units: [UUID], today: LocalDate) async throws -> [AssigneeWorkload] {
        try await transaction.query("""
            SELECT \(UserRepository.columns), count(*) AS open, count(*) FILTER (WHERE t.due_on < \(today)) AS overdue,
                   count(*) FILTER (WHERE t.due_on = \(today)) AS due_today
            FROM tasks t JOIN users u ON u.group_id = t.group_id AND u.id = t.assignee_id
            JOIN org_units o ON o.group_id = u.group_id AND o.id = u.org_unit_id
            WHERE t.group_id = \(groupID) AND t.status = 'open' AND o.path && \(units)::uuid[]
            GROUP BY u.group_id, u.id
            ORDER BY overdue DESC, open DESC, u.username
            """).map { row in
                AssigneeWorkload(user: try UserRepository.decode(row), open: try row.decode("open"), overdue: try row.decode("overdue"),
                                 dueToday: try row.decode("due_today"))
            }
    }
}

extension UnitOfWork {
    public var tasks: TaskRepository { TaskRepository(transaction: transaction) }
}
