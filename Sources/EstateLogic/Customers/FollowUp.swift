import Foundation

/// A follow-up event with a customer: a visit, call, email, message, complaint, suggestion, ...
/// (`kind` is a code of the group's `follow_up_kinds` dictionary).
public struct FollowUp: Sendable, Hashable {
    public var id: UUID
    public var customerID: UUID
    public var kind: String
    public var at: Date
    public var userID: UUID
    public var content: String
    public var outcome: String?
    /// When the consultant means to follow up next (a task on that day).
    public var nextFollowUpOn: LocalDate?

    public init(id: UUID, customerID: UUID, kind: String, at: Date, userID: UUID, content: String, outcome: String? = nil,
                nextFollowUpOn: LocalDate? = nil) {
        self.id = id
        self.customerID = customerID
        self.kind = kind
        self.at = at
        self.userID = userID
        self.content = content
        self.outcome = outcome
        self.nextFollowUpOn = nextFollowUpOn
    }

    /// The event's own rules: some content, not in the future (a minute of clock skew allowed), the
    /// next follow-up not before the event's day and within a year of now.
    public func violations(now: Date = Date(), timeZone: TimeZone) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if content.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || content.count > CustomerProfile.maximumText {
            result.append(FieldViolation(field: "content", message: "must be 1 to \(CustomerProfile.maximumText) characters"))
        }
        if let outcome, outcome.count > 500 {
            result.append(FieldViolation(field: "outcome", message: "must be at most 500 characters"))
        }
        if at > now.addingTimeInterval(60) {
            result.append(FieldViolation(field: "at", message: "must not be in the future"))
        }
        if let next = nextFollowUpOn {
            let today = LocalDate(now, in: timeZone)
            if next < LocalDate(at, in: timeZone) || next < today || next > (today.adding(days: 366) ?? today) {
                result.append(FieldViolation(field: "nextFollowUpOn", message: "must be between today and a year from now"))
            }
        }
        return result
    }
}
