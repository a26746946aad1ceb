import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct TaskSourceBody: Encodable, Sendable {
    let type: String
    let id: UUID
}

struct TaskBody: ResponseEncodable, Sendable {
    let id: UUID
    let kind: String
    let title: String
    let notes: String?
    let customerId: UUID?
    let orgUnitId: UUID
    let assigneeId: UUID
    let createdBy: UUID?
    let dueOn: LocalDate
    let dueTime: TimeOfDay?
    let status: TaskStatus
    /// For open tasks: overdue, today, upcoming or later, as of the request in the group's time zone.
    let bucket: TaskBucket?
    let completedAt: Date?
    let completedBy: String?
    let source: TaskSourceBody?
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ task: WorkTask, agenda: TaskAgenda) {
        id = task.id
        kind = task.kind.rawValue
        title = task.title
        notes = task.notes
        customerId = task.customerID
        orgUnitId = task.orgUnitID
        assigneeId = task.assigneeID
        createdBy = task.createdBy
        dueOn = task.dueOn
        dueTime = task.dueTime
        status = task.status
        bucket = task.status == .open ? agenda.bucket(of: task.dueOn) : nil
        completedAt = task.completedAt
        completedBy = task.completedBy
        source = task.source.map { TaskSourceBody(type: $0.type, id: $0.id) }
        version = task.version
        createdAt = task.createdAt
        updatedAt = task.updatedAt
    }
}

/// A page of open tasks with the day the buckets were computed for.
struct TaskPage: ResponseEncodable, Sendable {
    /// Today in the group's time zone.
    let today: LocalDate
    let timeZone: String
    let items: [TaskBody]
    let nextCursor: String?
}

struct WorkloadBody: Encodable, Sendable {
    let userId: UUID
    let username: String
    let displayName: String
    let active: Bool
    let open: Int
    let overdue: Int
    let dueToday: Int

    init(_ workload: AssigneeWorkload) {
        userId = workload.user.id
        username = workload.user.username
        displayName = workload.user.displayName
        active = workload.user.active
        open = workload.open
        overdue = workload.overdue
        dueToday = workload.dueToday
    }
}

/// A manager's view: every assignee of the team with open tasks, and a page of the team's open tasks.
struct TeamTasksBody: ResponseEncodable, Sendable {
    let today: LocalDate
    let timeZone: String
    let assignees: [WorkloadBody]
    let items: [TaskBody]
    let nextCursor: String?
}

struct TaskHistoryBody: Encodable, Sendable {
    let id: UUID
    let event: TaskEvent
    let fromAssigneeId: UUID?
    let toAssigneeId: UUID?
    let fromDueOn: LocalDate?
    let toDueOn: LocalDate?
    let fromDueTime: TimeOfDay?
    let toDueTime: TimeOfDay?
    let actor: String
    let note: String?
    let at: Date

    init(_ entry: TaskHistoryEntry) {
        id = entry.id
        event = entry.event
        fromAssigneeId = entry.fromAssigneeID
        toAssigneeId = entry.toAssigneeID
        fromDueOn = entry.fromDueOn
        toDueOn = entry.toDueOn
        fromDueTime = entry.fromDueTime
        toDueTime = entry.toDueTime
        actor = entry.actor
        note = entry.note
        at = entry.at
    }
}

struct TaskHistoryList: ResponseEncodable, Sendable {
    let items: [TaskHistoryBody]
}

/// A due date as sent: `YYYY-MM-DD`. Kept as text so that a well-formed date the server cannot
/// accept (year 0000) is refused as out of range, like any other date outside the accepted window.
struct DueDateText: Decodable {
    let text: String

    init(from decoder: any Decoder) throws {
        text = try decoder.singleValueContainer().decode(String.self)
    }

    /// The date; nil for a date of year 0000 (well-formed, never acceptable); a 400 on `field` when malformed.
    func date(field: String) throws -> LocalDate? {
        if let date = LocalDate(text) { return date }
        if text.hasPrefix("0000-"), LocalDate("2000" + text.dropFirst(4)) != nil { return nil }
        throw Problem.validation([FieldViolation(field: field, message: "must be a date YYYY-MM-DD")])
    }
}

struct CreateTask: Decodable {
    let title: String
    let dueOn: DueDateText
    let dueTime: TimeOfDay?
    let notes: String?
    let kind: TaskKind?
    let customerId: UUID?
    /// Who does it; the caller when absent (another user needs tasks.assign over their unit).
    let assigneeId: UUID?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case title, dueOn, dueTime, notes, kind, customerId, assigneeId
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decode(String.self, forKey: .title)
        dueOn = try c.decode(DueDateText.self, forKey: .dueOn)
        dueTime = try c.decodeIfPresent(TimeOfDay.self, forKey: .dueTime)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        kind = try c.decodeIfPresent(TaskKind.self, forKey: .kind)
        customerId = try c.decodeIfPresent(UUID.self, forKey: .customerId)
        assigneeId = try c.decodeIfPresent(UUID.self, forKey: .assigneeId)
    }
}

struct RescheduleTask: Decodable {
    let dueOn: DueDateText
    /// The new time of day; absent or null: none.
    let dueTime: TimeOfDay?
    let note: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case dueOn, dueTime, note
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        dueOn = try c.decode(DueDateText.self, forKey: .dueOn)
        dueTime = try c.decodeIfPresent(TimeOfDay.self, forKey: .dueTime)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}

struct ReassignTask: Decodable {
    let assigneeId: UUID
    let note: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case assigneeId, note
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        assigneeId = try c.decode(UUID.self, forKey: .assigneeId)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}

/// The cursor of a task list: `<due date as days since 1970-01-01>.<minute key>.<id as 32 hex digits>`
/// of the last task shown (see ``TaskListKey``). Every string of that shape is a valid cursor.
enum TaskCursor {
    static func encode(_ key: TaskListKey) -> String {
        "\(key.dueOn.daysSinceEpoch).\(key.minute).\(key.id.compactHex)"
    }

    static func decode(_ text: String) -> TaskListKey? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, (1...6).contains(parts[0].count), (1...4).contains(parts[1].count),
              parts[0].allSatisfy(\.isASCII), parts[0].allSatisfy(\.isNumber), parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber),
              let days = Int(parts[0]), let minute = Int(parts[1]), let id = PageRequest.decodeCursor(String(parts[2])),
              let epoch = LocalDate(year: 1970, month: 1, day: 1), let dueOn = epoch.adding(days: days) else {
            return nil
        }
        return TaskListKey(dueOn: dueOn, minute: minute, id: id)
    }
}

extension RescheduleTask: NullableFields {
    static let fieldNames = Set(CodingKeys.allCases.map(\.stringValue))
    static let nullableFields: Set<String> = ["dueTime"]
}
