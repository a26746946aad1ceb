import Foundation

/// How far a customer's interest in a project (or one of its rooms) has come (DOMAIN.md, "Opportunities").
public enum OpportunityStage: String, Sendable, Hashable, Codable, CaseIterable {
    case firstVisit = "first_visit"
    case revisit
    case intent
    case reserved
    case subscribed
    case contracted
    /// Given up, with a reason (a code of the group's `lost_reasons` dictionary).
    case lost

    /// The position along the funnel, from 0 (first visit) to 5 (contracted); nil for `lost`, which is off it.
    public var order: Int? {
        switch self {
        case .firstVisit: 0
        case .revisit: 1
        case .intent: 2
        case .reserved: 3
        case .subscribed: 4
        case .contracted: 5
        case .lost: nil
        }
    }

    /// Every stage but `lost`: the opportunity is still being worked on, or it was won (contracted).
    public var isOpen: Bool { self != .lost }

    /// The stages a deal step reaches (reservation, subscription, contract).
    public var isDealStage: Bool {
        switch self {
        case .reserved, .subscribed, .contracted: true
        case .firstVisit, .revisit, .intent, .lost: false
        }
    }

    /// The open stages along the funnel, first visit first.
    public static let funnel: [OpportunityStage] = allCases.filter(\.isOpen)
}

/// Why an opportunity is refused.
public enum OpportunityError: Error, Sendable, Hashable {
    /// The stage change is not one of ``OpportunityStages/allows(from:to:)``.
    case illegalStageChange(from: OpportunityStage, to: OpportunityStage)
    /// The customer already has a live opportunity (not lost, not contracted) for the same project
    /// and room; `existing` names it when known.
    case alreadyLive(existing: UUID?)
}

/// The opportunity state machine: the one place that says which stage may follow which, and what a
/// customer's overall stage is.
///
/// - Forward along the funnel, skipping stages if need be (first visit → intent).
/// - Never backward (intent → revisit): a stage once reached stays reached.
/// - Lost from every open stage, contracted included (a contract that falls through loses the customer).
/// - A lost opportunity reopens at first visit, revisit or intent, never straight at a deal stage.
/// - Nothing moves to the stage it is in.
public enum OpportunityStages {
    /// The stages users may set by hand. Reservation, subscription and contract will be reached through
    /// deal steps once deals exist; until then users set them too. When deals drive them, take
    /// `reserved`, `subscribed` and `contracted` out of this set: every check below follows.
    public static let setByHand: Set<OpportunityStage> = Set(OpportunityStage.allCases)

    /// The stages reopening a lost opportunity may go to.
    public static let reopening: Set<OpportunityStage> = [.firstVisit, .revisit, .intent]

    /// The stages a new opportunity may start at: any open stage users may set.
    public static var initial: [OpportunityStage] { OpportunityStage.funnel.filter(setByHand.contains) }

    /// Whether an opportunity in `from` may be moved to `to` by a user.
    public static func allows(from: OpportunityStage, to: OpportunityStage) -> Bool {
        guard setByHand.contains(to), from != to else { return false }
        switch (from.order, to.order) {
        case (let current?, let next?): return next > current
        case (_?, nil): return true
        case (nil, _): return reopening.contains(to)
        }
    }

    /// `to`, when the move is allowed; why not otherwise.
    public static func next(from: OpportunityStage, to: OpportunityStage) throws(OpportunityError) -> OpportunityStage {
        guard allows(from: from, to: to) else { throw .illegalStageChange(from: from, to: to) }
        return to
    }

    /// Every stage an opportunity in `stage` may move to, in the order of ``OpportunityStage/allCases``
    /// (for screens that offer only what is possible).
    public static func targets(from stage: OpportunityStage) -> [OpportunityStage] {
        OpportunityStage.allCases.filter { allows(from: stage, to: $0) }
    }

    /// A customer's overall stage from the stages of all its opportunities: the furthest open stage;
    /// `lost` when every one is lost; nil when it has none.
    public static func customerStage(_ stages: some Sequence<OpportunityStage>) -> OpportunityStage? {
        var furthest: OpportunityStage?
        var any = false
        for stage in stages {
            any = true
            guard let order = stage.order else { continue }
            if let current = furthest?.order, current >= order { continue }
            furthest = stage
        }
        return furthest ?? (any ? .lost : nil)
    }

    /// Whether an opportunity in `stage` counts against a second one for the same customer, project
    /// and room: a lost one does not, nor a won (contracted) one — a buyer may come back for more.
    public static func isLive(_ stage: OpportunityStage) -> Bool {
        stage != .lost && stage != .contracted
    }

    /// The longest note kept with a stage change, in characters.
    public static let maximumNote = 500

    /// The rules of a stage change as a client asks for it: a lost reason exactly when the stage is
    /// `lost` (a dictionary code: 1 to 63 lower-case letters, digits or underscores; whether the group's
    /// `lost_reasons` dictionary has it is checked elsewhere), a note of at most ``maximumNote`` characters.
    public static func violations(stage: OpportunityStage, lostReason: String?, note: String?) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if stage == .lost {
            if let lostReason {
                if !isWellFormedCode(lostReason) {
                    result.append(FieldViolation(field: "lostReason", message: "must be 1 to 63 lower-case letters, digits or underscores"))
                }
            } else {
                result.append(FieldViolation(field: "lostReason", message: "is required when the stage is lost"))
            }
        } else if lostReason != nil {
            result.append(FieldViolation(field: "lostReason", message: "is only given when the stage is lost"))
        }
        return result + noteViolations(note)
    }

    /// The rules of a new opportunity: it starts at one of the ``initial`` stages, with a note of at
    /// most ``maximumNote`` characters.
    public static func creationViolations(stage: OpportunityStage, note: String?) -> [FieldViolation] {
        var result: [FieldViolation] = []
        if !initial.contains(stage) {
            result.append(FieldViolation(field: "stage", message: "a new opportunity starts at an open stage"))
        }
        return result + noteViolations(note)
    }

    static func noteViolations(_ note: String?) -> [FieldViolation] {
        guard let note, note.count > maximumNote else { return [] }
        return [FieldViolation(field: "note", message: "must be at most \(maximumNote) characters")]
    }

    static func isWellFormedCode(_ code: String) -> Bool {
        (1...63).contains(code.count) && code.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}

/// A customer's interest in a project, or in one room of it.
public struct Opportunity: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var customerID: UUID
    public var projectID: UUID
    public var roomID: UUID?
    public var stage: OpportunityStage
    /// A code of the group's `lost_reasons` dictionary, while the stage is `lost`.
    public var lostReason: String?
    public var lostNote: String?
    /// The customer's owner when the opportunity was made (nil for a customer in the public pool):
    /// whose pipeline it counts in.
    public var consultantID: UUID?
    /// Bumped by every change; the ETag.
    public var version: Int
    public var createdAt: Date
    public var updatedAt: Date

    public init(groupID: UUID, id: UUID, customerID: UUID, projectID: UUID, roomID: UUID? = nil, stage: OpportunityStage = .firstVisit,
                lostReason: String? = nil, lostNote: String? = nil, consultantID: UUID?, version: Int = 1,
                createdAt: Date = Date(), updatedAt: Date = Date()) {
        self.groupID = groupID
        self.id = id
        self.customerID = customerID
        self.projectID = projectID
        self.roomID = roomID
        self.stage = stage
        self.lostReason = lostReason
        self.lostNote = lostNote
        self.consultantID = consultantID
        self.version = version
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    /// The opportunity after moving to `to` (a lost reason and note kept only while lost), or why not.
    public func moved(to stage: OpportunityStage, lostReason: String?, note: String?) throws(OpportunityError) -> Opportunity {
        var next = self
        next.stage = try OpportunityStages.next(from: self.stage, to: stage)
        next.lostReason = stage == .lost ? lostReason : nil
        next.lostNote = stage == .lost ? note : nil
        return next
    }
}

/// One entry of an opportunity's stage history (append-only): created (`from` nil) or moved.
public struct OpportunityStageChange: Sendable, Hashable {
    public var id: UUID
    public var opportunityID: UUID
    public var customerID: UUID
    public var from: OpportunityStage?
    public var to: OpportunityStage
    /// Who did it (``AuditActor``'s history text).
    public var actor: String
    public var lostReason: String?
    public var note: String?
    public var at: Date

    public init(id: UUID, opportunityID: UUID, customerID: UUID, from: OpportunityStage?, to: OpportunityStage, actor: String,
                lostReason: String? = nil, note: String? = nil, at: Date = Date()) {
        self.id = id
        self.opportunityID = opportunityID
        self.customerID = customerID
        self.from = from
        self.to = to
        self.actor = actor
        self.lostReason = lostReason
        self.note = note
        self.at = at
    }
}

/// The pipeline of a project: open opportunities by stage and by consultant, lost ones by reason.
public struct Pipeline: Sendable, Hashable {
    /// One group of opportunities as counted by the database.
    public struct Row: Sendable, Hashable {
        public var consultantID: UUID?
        public var stage: OpportunityStage
        public var lostReason: String?
        public var count: Int

        public init(consultantID: UUID?, stage: OpportunityStage, lostReason: String? = nil, count: Int) {
            self.consultantID = consultantID
            self.stage = stage
            self.lostReason = lostReason
            self.count = count
        }
    }

    public struct StageCount: Sendable, Hashable {
        public var stage: OpportunityStage
        public var count: Int

        public init(stage: OpportunityStage, count: Int) {
            self.stage = stage
            self.count = count
        }
    }

    public struct ReasonCount: Sendable, Hashable {
        public var reason: String
        public var count: Int

        public init(reason: String, count: Int) {
            self.reason = reason
            self.count = count
        }
    }

    /// One consultant's open opportunities (consultant nil: made while the customer was in the pool).
    public struct Consultant: Sendable, Hashable {
        public var consultantID: UUID?
        public var open: Int
        /// Every funnel stage, in order, zeros included.
        public var byStage: [StageCount]
    }

    /// Open opportunities in all.
    public var open: Int
    /// Every funnel stage, in order, zeros included.
    public var byStage: [StageCount]
    /// Consultants with at least one open opportunity, most open first, then by id (nil last).
    public var consultants: [Consultant]
    /// Lost opportunities in all.
    public var lost: Int
    /// Lost opportunities by reason code, most first, then by code.
    public var lostByReason: [ReasonCount]

    /// Adds up rows of (consultant, stage, lost reason, count).
    public init(rows: [Row]) {
        func funnel(_ counts: [OpportunityStage: Int]) -> [StageCount] {
            OpportunityStage.funnel.map { StageCount(stage: $0, count: counts[$0] ?? 0) }
        }
        var all: [OpportunityStage: Int] = [:]
        var perConsultant: [UUID?: [OpportunityStage: Int]] = [:]
        var reasons: [String: Int] = [:]
        var lost = 0
        for row in rows {
            if row.stage.isOpen {
                all[row.stage, default: 0] += row.count
                perConsultant[row.consultantID, default: [:]][row.stage, default: 0] += row.count
            } else {
                lost += row.count
                reasons[row.lostReason ?? "", default: 0] += row.count
            }
        }
        byStage = funnel(all)
        open = all.values.reduce(0, +)
        self.lost = lost
        consultants = perConsultant.map { id, counts in
            Consultant(consultantID: id, open: counts.values.reduce(0, +), byStage: funnel(counts))
        }.sorted { a, b in
            if a.open != b.open { return a.open > b.open }
            switch (a.consultantID, b.consultantID) {
            case (let x?, let y?): return x.uuidString < y.uuidString
            case (_?, nil): return true
            default: return false
            }
        }
        lostByReason = reasons.map { ReasonCount(reason: $0.key, count: $0.value) }
            .sorted { $0.count != $1.count ? $0.count > $1.count : $0.reason < $1.reason }
    }
}
