import EstateLogic
import Foundation
import Testing

/// An instant written as RFC 3339 in UTC (`2026-02-28T15:59:59Z`).
private func instant(_ text: String) -> Date {
    ISO8601DateFormatter().date(from: text)!
}

private func date(_ text: String) -> LocalDate {
    LocalDate(text)!
}

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!
private let newYork = TimeZone(identifier: "America/New_York")!
private let utc = TimeZone(identifier: "UTC")!

@Suite("Tasks: today, overdue and upcoming in the group's time zone")
struct TaskAgendaTests {
    /// (instant, zone, the local date it falls on), written out from the zones' rules, not computed.
    static let localDays: [(String, TimeZone, String)] = [
        // Shanghai is UTC+8 all year: local midnight is 16:00Z of the day before.
        ("2026-02-28T15:59:59Z", shanghai, "2026-02-28"),
        ("2026-02-28T16:00:00Z", shanghai, "2026-03-01"),
        ("2026-03-01T15:59:59Z", shanghai, "2026-03-01"),
        ("2026-03-01T16:00:00Z", shanghai, "2026-03-02"),
        ("2026-12-31T15:59:59Z", shanghai, "2026-12-31"),
        ("2026-12-31T16:00:00Z", shanghai, "2027-01-01"),
        // The same instants in UTC are still the earlier day: the zone decides, not the server.
        ("2026-02-28T16:00:00Z", utc, "2026-02-28"),
        ("2026-03-01T16:00:00Z", utc, "2026-03-01"),
        // New York: EST (UTC-5) until 8 March 2026 02:00, then EDT (UTC-4) until 1 November 2026 02:00.
        ("2026-03-08T04:59:59Z", newYork, "2026-03-07"),
        ("2026-03-08T05:00:00Z", newYork, "2026-03-08"),
        ("2026-03-09T03:59:59Z", newYork, "2026-03-08"),
        ("2026-03-09T04:00:00Z", newYork, "2026-03-09"),  // a fixed UTC-5 would still say 8 March 23:00
        ("2026-11-01T03:59:59Z", newYork, "2026-10-31"),
        ("2026-11-01T04:00:00Z", newYork, "2026-11-01"),
        ("2026-11-02T04:59:59Z", newYork, "2026-11-01"),  // a fixed UTC-4 would already say 2 November 00:59
        ("2026-11-02T05:00:00Z", newYork, "2026-11-02"),
    ]

    @Test func todayIsTheLocalDateOfNowInTheGroupsZone() {
        for (moment, zone, expected) in Self.localDays {
            #expect(TaskAgenda(now: instant(moment), timeZone: zone).today == date(expected), "\(moment) in \(zone.identifier)")
        }
    }

    @Test func aTaskDueTodayBecomesOverdueAtLocalMidnightInShanghai() {
        let beforeMidnight = TaskAgenda(now: instant("2026-02-28T15:59:59Z"), timeZone: shanghai)
        let atMidnight = TaskAgenda(now: instant("2026-02-28T16:00:00Z"), timeZone: shanghai)
        #expect(beforeMidnight.bucket(of: date("2026-02-28")) == .today)
        #expect(beforeMidnight.bucket(of: date("2026-03-01")) == .upcoming)
        #expect(beforeMidnight.bucket(of: date("2026-02-27")) == .overdue)
        #expect(atMidnight.bucket(of: date("2026-02-28")) == .overdue)
        #expect(atMidnight.bucket(of: date("2026-03-01")) == .today)
        #expect(atMidnight.bucket(of: date("2026-03-02")) == .upcoming)
        // The same instant read in UTC is still 28 February: the group's zone is what counts.
        #expect(TaskAgenda(now: instant("2026-02-28T16:00:00Z"), timeZone: utc).bucket(of: date("2026-02-28")) == .today)
    }

    @Test func aTaskDueTodayBecomesOverdueAtLocalMidnightAcrossDaylightSaving() {
        // Spring forward: the day of 8 March 2026 in New York is 23 hours long, ending at 04:00Z.
        let lastSecond = TaskAgenda(now: instant("2026-03-09T03:59:59Z"), timeZone: newYork)
        let nextDay = TaskAgenda(now: instant("2026-03-09T04:00:00Z"), timeZone: newYork)
        #expect(lastSecond.bucket(of: date("2026-03-08")) == .today)
        #expect(nextDay.bucket(of: date("2026-03-08")) == .overdue)
        #expect(nextDay.bucket(of: date("2026-03-09")) == .today)
        // Fall back: 1 November 2026 is 25 hours long, ending at 05:00Z.
        #expect(TaskAgenda(now: instant("2026-11-02T04:59:59Z"), timeZone: newYork).bucket(of: date("2026-11-01")) == .today)
        #expect(TaskAgenda(now: instant("2026-11-02T05:00:00Z"), timeZone: newYork).bucket(of: date("2026-11-01")) == .overdue)
    }

    @Test func upcomingIsTheNextDaysAfterTodayDefaultingToAWeek() {
        let agenda = TaskAgenda(today: date("2026-02-25"))
        #expect(agenda.upcomingDays == 7)
        #expect(agenda.upcomingUntil == date("2026-03-04"))
        #expect(agenda.bucket(of: date("2026-02-26")) == .upcoming)
        #expect(agenda.bucket(of: date("2026-03-04")) == .upcoming)
        #expect(agenda.bucket(of: date("2026-03-05")) == .later)
        let one = TaskAgenda(today: date("2026-02-28"), upcomingDays: 1)
        #expect(one.bucket(of: date("2026-03-01")) == .upcoming)
        #expect(one.bucket(of: date("2026-03-02")) == .later)
        let ninety = TaskAgenda(today: date("2026-01-01"), upcomingDays: 90)
        #expect(ninety.bucket(of: date("2026-04-01")) == .upcoming)
        #expect(ninety.bucket(of: date("2026-04-02")) == .later)
        // Out-of-range windows are clamped (the HTTP layer refuses them before).
        #expect(TaskAgenda(today: date("2026-01-01"), upcomingDays: 0).upcomingDays == 1)
        #expect(TaskAgenda(today: date("2026-01-01"), upcomingDays: 500).upcomingDays == 90)
    }

    @Test func dueRangesAreTheBuckets() {
        let agenda = TaskAgenda(today: date("2026-02-28"), upcomingDays: 3)
        #expect(agenda.dueRange(.overdue) == (nil, date("2026-02-27")))
        #expect(agenda.dueRange(.today) == (date("2026-02-28"), date("2026-02-28")))
        #expect(agenda.dueRange(.upcoming) == (date("2026-03-01"), date("2026-03-03")))
        #expect(agenda.dueRange(nil) == (nil, nil))
        // Every day from a month before to four months after: in a list's range exactly when in its bucket.
        for days in [1, 7, 30, 90] {
            let agenda = TaskAgenda(today: date("2024-02-27"), upcomingDays: days)  // across 29 February 2024
            for offset in -31...120 {
                let due = agenda.today.adding(days: offset)!
                for filter in TaskDue.allCases {
                    let range = agenda.dueRange(filter)
                    let inRange = (range.from.map { $0 <= due } ?? true) && (range.through.map { due <= $0 } ?? true)
                    #expect(inRange == (agenda.bucket(of: due).rawValue == filter.rawValue), "\(due) \(filter) days \(days)")
                }
            }
        }
    }

    @Test func dueDatesByHandAreFromTodayToAYearAhead() throws {
        let agenda = TaskAgenda(now: instant("2026-02-28T16:00:00Z"), timeZone: shanghai)  // 1 March in Shanghai
        try agenda.acceptsDue(date("2026-03-01"))
        try agenda.acceptsDue(date("2027-03-02"))  // 366 days later
        #expect(throws: TaskError.dueOutOfRange(earliest: date("2026-03-01"), latest: date("2027-03-02"))) {
            try agenda.acceptsDue(date("2026-02-28"))
        }
        #expect(throws: TaskError.dueOutOfRange(earliest: date("2026-03-01"), latest: date("2027-03-02"))) {
            try agenda.acceptsDue(date("2027-03-03"))
        }
        // One second earlier it is still 28 February there, and 28 February is accepted.
        try TaskAgenda(now: instant("2026-02-28T15:59:59Z"), timeZone: shanghai).acceptsDue(date("2026-02-28"))
    }
}

@Suite("Tasks: values, rules and transitions")
struct TaskRuleTests {
    @Test func timesOfDayAreHHMM() throws {
        #expect(TimeOfDay("00:00")?.minuteOfDay == 0)
        #expect(TimeOfDay("23:59")?.minuteOfDay == 1439)
        #expect(TimeOfDay("09:05")?.description == "09:05")
        #expect(TimeOfDay(hour: 7, minute: 3)?.description == "07:03")
        for bad in ["24:00", "9:30", "12:60", "ab:cd", "12:3", "12-30", " 12:30", "12:30 ", "", "1230", "+1:30", "１２:30"] {
            #expect(TimeOfDay(bad) == nil, "\(bad)")
        }
        #expect(TimeOfDay("08:00")! < TimeOfDay("08:01")!)
        let encoded = try JSONEncoder().encode(["t": TimeOfDay("14:30")!])
        #expect(String(decoding: encoded, as: UTF8.self) == #"{"t":"14:30"}"#)
        #expect(try JSONDecoder().decode([String: TimeOfDay].self, from: Data(#"{"t":"06:45"}"#.utf8))["t"] == TimeOfDay("06:45"))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([String: TimeOfDay].self, from: Data(#"{"t":"6:45"}"#.utf8)) }
    }

    @Test func kindsAreAnOpenSetOfCodes() throws {
        #expect(TaskKind.all.map(\.rawValue) == ["manual", "follow_up", "payment_due", "contract_deadline", "mortgage_documents", "lease_expiry"])
        #expect(TaskKind.all.allSatisfy { $0.isKnown })
        #expect(!TaskKind(rawValue: "handover_keys").isKnown)
        #expect(try JSONDecoder().decode([TaskKind].self, from: Data(#"["follow_up","later_kind"]"#.utf8))
                == [.followUp, TaskKind(rawValue: "later_kind")])
    }

    @Test func titlesNotesAndKindsAreChecked() {
        #expect(WorkTask.violations(title: "Call Mrs Wang about the deposit", notes: "line 1\nline 2\twith tab", kind: .manual).isEmpty)
        #expect(WorkTask.violations(title: String(repeating: "房", count: 200), notes: String(repeating: "x", count: 2000), kind: .followUp).isEmpty)
        #expect(WorkTask.violations(title: "   ", notes: nil, kind: .manual).map(\.field) == ["title"])
        #expect(WorkTask.violations(title: "\u{3000}\n", notes: nil, kind: .manual).map(\.field) == ["title"])
        #expect(WorkTask.violations(title: String(repeating: "x", count: 201), notes: nil, kind: .manual).map(\.field) == ["title"])
        #expect(WorkTask.violations(title: "bell\u{7}", notes: nil, kind: .manual).map(\.field) == ["title"])
        #expect(WorkTask.violations(title: "tab\there", notes: nil, kind: .manual).map(\.field) == ["title"])
        #expect(WorkTask.violations(title: "ok", notes: String(repeating: "x", count: 2001), kind: .manual).map(\.field) == ["notes"])
        #expect(WorkTask.violations(title: "ok", notes: "nul\u{0}", kind: .manual).map(\.field) == ["notes"])
        #expect(WorkTask.violations(title: "ok", notes: nil, kind: TaskKind(rawValue: "bogus")).map(\.field) == ["kind"])
        #expect(WorkTask.violations(title: "", notes: "\u{1b}", kind: TaskKind(rawValue: "")).map(\.field) == ["title", "notes", "kind"])
        #expect(WorkTask.textViolation("a note", field: "note", limit: 5)?.field == "note")
        #expect(WorkTask.textViolation("short", field: "note", limit: 5) == nil)
        #expect(WorkTask.textViolation(nil, field: "note", limit: 5) == nil)
    }

    static func task(status: TaskStatus = .open, createdBy: UUID? = nil, assignee: UUID = UUID(), path: [UUID] = [UUID()],
                     group: UUID = UUID()) -> WorkTask {
        WorkTask(groupID: group, id: UUID(), title: "Call back", orgUnitID: path.last!, assigneeID: assignee, assigneeUnitPath: path,
                 createdBy: createdBy, dueOn: date("2026-03-01"), status: status)
    }

    @Test func onlyOpenTasksChange() throws {
        var task = Self.task()
        let at = instant("2026-03-01T02:00:00Z")
        try task.reschedule(to: date("2026-03-05"), at: TimeOfDay("10:30"))
        #expect(task.dueOn == date("2026-03-05"))
        #expect(task.dueTime == TimeOfDay("10:30"))
        try task.reschedule(to: date("2026-03-06"), at: nil)
        #expect(task.dueTime == nil)
        let other = UUID(), otherPath = [UUID(), UUID()]
        try task.reassign(to: other, unitPath: otherPath)
        #expect(task.assigneeID == other && task.assigneeUnitPath == otherPath)
        try task.complete(at: at, by: "user:x")
        #expect(task.status == .done && task.completedAt == at && task.completedBy == "user:x")
        #expect(throws: TaskError.notOpen(current: .done)) { try task.complete(at: at, by: "user:x") }
        #expect(throws: TaskError.notOpen(current: .done)) { try task.cancel(at: at, by: "user:x") }
        #expect(throws: TaskError.notOpen(current: .done)) { try task.reschedule(to: date("2026-03-07"), at: nil) }
        #expect(throws: TaskError.notOpen(current: .done)) { try task.reassign(to: UUID(), unitPath: []) }
        var cancelled = Self.task()
        try cancelled.cancel(at: at, by: "system")
        #expect(cancelled.status == .cancelled && cancelled.completedBy == "system")
        #expect(throws: TaskError.notOpen(current: .cancelled)) { try cancelled.complete(at: at, by: "user:x") }
    }
}

@Suite("Tasks: who sees and changes a task")
struct TaskRightsTests {
    let group = UUID(), root = UUID(), city = UUID(), riverside = UUID(), lakeside = UUID()
    let consultant = UUID(), colleague = UUID(), manager = UUID()

    func scope(_ permissions: Set<Permission>, at unit: UUID, group: UUID? = nil) -> AccessScope {
        AccessScope(groupID: group ?? self.group, grants: [RoleGrant(role: "r", orgUnitID: unit, permissions: permissions)])
    }

    var consultantScope: AccessScope { scope([.tasksRead], at: riverside) }
    var managerScope: AccessScope { scope([.tasksRead, .tasksAssign], at: riverside) }

    func task(createdBy: UUID?) -> WorkTask {
        WorkTask(groupID: group, id: UUID(), title: "Call back", orgUnitID: riverside, assigneeID: consultant,
                 assigneeUnitPath: [root, city, riverside], createdBy: createdBy, dueOn: date("2026-03-01"))
    }

    @Test func theAssigneeSeesAndCompletesButSteersOnlyTheirOwnAndGeneratedTasks() {
        #expect(consultantScope.taskRights(task(createdBy: consultant), userID: consultant) == [.read, .complete, .steer])
        #expect(consultantScope.taskRights(task(createdBy: nil), userID: consultant) == [.read, .complete, .steer])
        // Given by a manager: the consultant may not move or cancel it.
        #expect(consultantScope.taskRights(task(createdBy: manager), userID: consultant) == [.read, .complete])
    }

    @Test func theManagerOfTheAssigneesUnitMayDoEverything() {
        #expect(managerScope.taskRights(task(createdBy: consultant), userID: manager) == Set(TaskRight.allCases))
        #expect(scope([.tasksAssign], at: city).taskRights(task(createdBy: nil), userID: manager) == Set(TaskRight.allCases))
        // An API key with tasks.assign over the unit manages it too.
        #expect(managerScope.taskRights(task(createdBy: nil), userID: nil) == Set(TaskRight.allCases))
    }

    @Test func theCreatorKeepsSeeingAndSteeringWhatTheyGave() {
        // The creator no longer manages the assignee (e.g. moved to lakeside): still sees and steers, cannot reassign.
        #expect(scope([.tasksRead, .tasksAssign], at: lakeside).taskRights(task(createdBy: manager), userID: manager)
                == [.read, .complete, .steer])
    }

    @Test func nobodyElseSeesIt() {
        // A colleague in the same project without tasks.assign.
        #expect(consultantScope.taskRights(task(createdBy: consultant), userID: colleague).isEmpty)
        // A manager of a sibling project.
        #expect(scope([.tasksRead, .tasksAssign], at: lakeside).taskRights(task(createdBy: nil), userID: manager).isEmpty)
        // tasks.read alone over the unit (group management) is not management of the team.
        #expect(scope([.tasksRead], at: root).taskRights(task(createdBy: nil), userID: manager).isEmpty)
        // Another group, whatever its grants, even with the assignee's id.
        #expect(scope([.tasksRead, .tasksAssign], at: riverside, group: UUID()).taskRights(task(createdBy: nil), userID: consultant).isEmpty)
        // An API key without tasks.assign there.
        #expect(consultantScope.taskRights(task(createdBy: nil), userID: nil).isEmpty)
    }
}
