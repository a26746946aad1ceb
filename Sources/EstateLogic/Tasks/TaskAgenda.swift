import Foundation

/// Which open tasks a list shows, by due date: `overdue`, due `today`, or `upcoming`.
public enum TaskDue: String, Sendable, Hashable, Codable, CaseIterable {
    case overdue
    case today
    case upcoming
}

/// Where an open task's due date falls for a user looking at their list.
public enum TaskBucket: String, Sendable, Hashable, Codable, CaseIterable {
    /// Due before today.
    case overdue
    /// Due today.
    case today
    /// Due within the next `upcomingDays` days after today.
    case upcoming
    /// Due later than that.
    case later
}

/// A user's agenda at one moment: the one rule for what "today", "overdue" and "upcoming" mean.
///
/// Today is the date of `now` in the group's time zone (not the server's, not UTC): a task due on
/// 1 March is due today from 00:00 to 23:59:59 of 1 March on the group's clocks, overdue from the
/// next local midnight on. Upcoming is the `upcomingDays` days after today.
public struct TaskAgenda: Sendable, Hashable {
    /// The local date of `now` in the group's time zone.
    public let today: LocalDate
    /// How many days after today count as upcoming (``upcomingDaysRange``).
    public let upcomingDays: Int

    /// The accepted values of the `days` of an upcoming list.
    public static let upcomingDaysRange = 1...90
    /// Upcoming when nothing else is asked: the next week.
    public static let defaultUpcomingDays = 7
    /// How far ahead a due date may be set by hand, in days after today.
    public static let furthestDueDays = 366

    /// The agenda of `now` in `timeZone`; `upcomingDays` is clamped to ``upcomingDaysRange``.
    public init(now: Date, timeZone: TimeZone, upcomingDays: Int = defaultUpcomingDays) {
        self.init(today: LocalDate(now, in: timeZone), upcomingDays: upcomingDays)
    }

    /// The agenda of a known local date.
    public init(today: LocalDate, upcomingDays: Int = defaultUpcomingDays) {
        self.today = today
        self.upcomingDays = min(max(upcomingDays, Self.upcomingDaysRange.lowerBound), Self.upcomingDaysRange.upperBound)
    }

    /// The last upcoming day.
    public var upcomingUntil: LocalDate { today.adding(days: upcomingDays) ?? today }

    /// Where a due date falls.
    public func bucket(of dueOn: LocalDate) -> TaskBucket {
        if dueOn < today { return .overdue }
        if dueOn == today { return .today }
        return dueOn <= upcomingUntil ? .upcoming : .later
    }

    /// The due dates a list shows, both ends inclusive (nil: open-ended); `nil` for `due` is every open task.
    public func dueRange(_ due: TaskDue?) -> (from: LocalDate?, through: LocalDate?) {
        switch due {
        case nil: (nil, nil)
        case .overdue: (nil, today.adding(days: -1))
        case .today: (today, today)
        case .upcoming: (today.adding(days: 1), upcomingUntil)
        }
    }

    /// The earliest and latest due dates a user may set by hand: today to ``furthestDueDays`` ahead.
    public var acceptedDue: ClosedRange<LocalDate> { today...(today.adding(days: Self.furthestDueDays) ?? today) }

    /// Refuses a due date outside ``acceptedDue``.
    public func acceptsDue(_ dueOn: LocalDate) throws(TaskError) {
        guard acceptedDue.contains(dueOn) else { throw .dueOutOfRange(earliest: acceptedDue.lowerBound, latest: acceptedDue.upperBound) }
    }
}
