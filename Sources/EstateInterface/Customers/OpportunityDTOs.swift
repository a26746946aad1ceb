import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// A new opportunity: the customer's own project unless `projectId` names another, optionally one
/// room of it, starting at `stage` (first visit when absent).
struct CreateOpportunity: Decodable {
    let projectId: UUID?
    let roomId: UUID?
    let stage: OpportunityStage?
    let note: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case projectId, roomId, stage, note
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        projectId = try c.decodeIfPresent(UUID.self, forKey: .projectId)
        roomId = try c.decodeIfPresent(UUID.self, forKey: .roomId)
        stage = try c.decodeIfPresent(OpportunityStage.self, forKey: .stage)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}

/// A move to another stage; `lostReason` exactly when the stage is `lost`.
struct StageChangeInput: Decodable {
    let stage: OpportunityStage
    let lostReason: String?
    let note: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case stage, lostReason, note
    }

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        stage = try c.decode(OpportunityStage.self, forKey: .stage)
        lostReason = try c.decodeIfPresent(String.self, forKey: .lostReason)
        note = try c.decodeIfPresent(String.self, forKey: .note)
    }
}

struct OpportunityBody: ResponseEncodable, Sendable {
    let id: UUID
    let customerId: UUID
    let projectId: UUID
    let roomId: UUID?
    let stage: OpportunityStage
    let lostReason: String?
    let lostNote: String?
    let consultantId: UUID?
    /// The stages the opportunity may move to now.
    let nextStages: [OpportunityStage]
    let version: Int
    let createdAt: Date
    let updatedAt: Date

    init(_ o: Opportunity) {
        id = o.id
        customerId = o.customerID
        projectId = o.projectID
        roomId = o.roomID
        stage = o.stage
        lostReason = o.lostReason
        lostNote = o.lostNote
        consultantId = o.consultantID
        nextStages = OpportunityStages.targets(from: o.stage)
        version = o.version
        createdAt = o.createdAt
        updatedAt = o.updatedAt
    }
}

struct StageChangeBody: ResponseEncodable, Sendable {
    let id: UUID
    let opportunityId: UUID
    /// Absent for the opportunity's creation.
    let from: OpportunityStage?
    let to: OpportunityStage
    let actor: String
    let lostReason: String?
    let note: String?
    let at: Date

    init(_ c: OpportunityStageChange) {
        id = c.id
        opportunityId = c.opportunityID
        from = c.from
        to = c.to
        actor = c.actor
        lostReason = c.lostReason
        note = c.note
        at = c.at
    }
}

struct StageCountBody: Encodable, Sendable {
    let stage: OpportunityStage
    let count: Int
}

struct ConsultantPipelineBody: Encodable, Sendable {
    /// Null for opportunities made while the customer was in the public pool.
    let consultantId: UUID?
    let displayName: String?
    let open: Int
    let byStage: [StageCountBody]
}

struct LostReasonCountBody: Encodable, Sendable {
    let reason: String
    /// The reason's label in the group's `lost_reasons` dictionary (absent if the entry is gone).
    let label: String?
    let count: Int
}

struct PipelineBody: ResponseEncodable, Sendable {
    let projectId: UUID
    let from: LocalDate?
    let to: LocalDate?
    /// `all`: every consultant's opportunities; `own`: only the caller's.
    let reach: String
    let open: Int
    let byStage: [StageCountBody]
    let byConsultant: [ConsultantPipelineBody]
    let lost: Int
    let lostByReason: [LostReasonCountBody]

    init(projectID: UUID, from: LocalDate?, to: LocalDate?, reach: CustomerReach, pipeline: Pipeline,
         names: [UUID: String], labels: [String: String]) {
        projectId = projectID
        self.from = from
        self.to = to
        self.reach = reach == .all ? "all" : "own"
        open = pipeline.open
        byStage = pipeline.byStage.map { StageCountBody(stage: $0.stage, count: $0.count) }
        byConsultant = pipeline.consultants.map { c in
            ConsultantPipelineBody(consultantId: c.consultantID, displayName: c.consultantID.flatMap { names[$0] }, open: c.open,
                                   byStage: c.byStage.map { StageCountBody(stage: $0.stage, count: $0.count) })
        }
        lost = pipeline.lost
        lostByReason = pipeline.lostByReason.map { LostReasonCountBody(reason: $0.reason, label: labels[$0.reason], count: $0.count) }
    }
}
