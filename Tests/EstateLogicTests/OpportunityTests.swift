import EstateLogic
import Foundation
import Testing

@Suite("Opportunity stages")
struct OpportunityTests {
    /// Every allowed move, written out independently of the implementation.
    static let allowed: Set<String> = [
        "first_visit>revisit", "first_visit>intent", "first_visit>reserved", "first_visit>subscribed", "first_visit>contracted",
        "first_visit>lost",
        "revisit>intent", "revisit>reserved", "revisit>subscribed", "revisit>contracted", "revisit>lost",
        "intent>reserved", "intent>subscribed", "intent>contracted", "intent>lost",
        "reserved>subscribed", "reserved>contracted", "reserved>lost",
        "subscribed>contracted", "subscribed>lost",
        "contracted>lost",
        "lost>first_visit", "lost>revisit", "lost>intent",
    ]

    @Test(arguments: OpportunityStage.allCases)
    func everyPairIsAllowedExactlyAsSpecified(from: OpportunityStage) {
        for to in OpportunityStage.allCases {
            let key = "\(from.rawValue)>\(to.rawValue)"
            #expect(OpportunityStages.allows(from: from, to: to) == Self.allowed.contains(key), "\(key)")
            let result = Result { () throws(OpportunityError) -> OpportunityStage in try OpportunityStages.next(from: from, to: to) }
            switch result {
            case .success(let next):
                #expect(next == to)
                #expect(Self.allowed.contains(key), "\(key) allowed")
            case .failure(let error):
                #expect(error == .illegalStageChange(from: from, to: to))
                #expect(!Self.allowed.contains(key), "\(key) refused")
            }
        }
    }

    @Test func orderFollowsTheFunnel() {
        #expect(OpportunityStage.funnel == [.firstVisit, .revisit, .intent, .reserved, .subscribed, .contracted])
        #expect(OpportunityStage.funnel.map(\.order) == [0, 1, 2, 3, 4, 5])
        #expect(OpportunityStage.lost.order == nil)
        #expect(!OpportunityStage.lost.isOpen)
        #expect(OpportunityStage.allCases.filter(\.isOpen) == OpportunityStage.funnel)
        #expect(OpportunityStage.allCases.filter(\.isDealStage) == [.reserved, .subscribed, .contracted])
        #expect(OpportunityStage.allCases.map(\.rawValue) == ["first_visit", "revisit", "intent", "reserved", "subscribed", "contracted", "lost"])
    }

    @Test func targetsListWhatIsPossible() {
        #expect(OpportunityStages.targets(from: .firstVisit) == [.revisit, .intent, .reserved, .subscribed, .contracted, .lost])
        #expect(OpportunityStages.targets(from: .intent) == [.reserved, .subscribed, .contracted, .lost])
        #expect(OpportunityStages.targets(from: .contracted) == [.lost])
        #expect(OpportunityStages.targets(from: .lost) == [.firstVisit, .revisit, .intent])
        // Nothing is a dead end.
        for stage in OpportunityStage.allCases { #expect(!OpportunityStages.targets(from: stage).isEmpty, "\(stage)") }
    }

    /// Until deals exist, users set the deal stages by hand too; new opportunities start at any open stage.
    @Test func usersSetEveryStageForNow() {
        #expect(OpportunityStages.setByHand == Set(OpportunityStage.allCases))
        #expect(OpportunityStages.initial == OpportunityStage.funnel)
        #expect(!OpportunityStages.initial.contains(.lost))
        #expect(OpportunityStages.reopening == [.firstVisit, .revisit, .intent])
    }

    @Test func customerStageIsTheFurthestOpenOne() {
        #expect(OpportunityStages.customerStage([]) == nil)
        #expect(OpportunityStages.customerStage([.firstVisit]) == .firstVisit)
        #expect(OpportunityStages.customerStage([.lost]) == .lost)
        #expect(OpportunityStages.customerStage([.lost, .lost]) == .lost)
        #expect(OpportunityStages.customerStage([.lost, .firstVisit]) == .firstVisit)
        #expect(OpportunityStages.customerStage([.firstVisit, .lost]) == .firstVisit)
        #expect(OpportunityStages.customerStage([.intent, .revisit, .lost]) == .intent)
        #expect(OpportunityStages.customerStage([.revisit, .intent, .firstVisit]) == .intent)
        #expect(OpportunityStages.customerStage([.contracted, .reserved, .lost]) == .contracted)
        #expect(OpportunityStages.customerStage([.subscribed, .subscribed]) == .subscribed)
        // Every pair: the one further along wins; lost only loses.
        for a in OpportunityStage.allCases {
            for b in OpportunityStage.allCases {
                let expected: OpportunityStage = switch (a.order, b.order) {
                case (let x?, let y?): x >= y ? a : b
                case (_?, nil): a
                case (nil, _?): b
                case (nil, nil): .lost
                }
                #expect(OpportunityStages.customerStage([a, b]) == expected, "\(a), \(b)")
            }
        }
    }

    @Test func liveMeansNeitherLostNorContracted() {
        #expect(OpportunityStage.allCases.filter(OpportunityStages.isLive) == [.firstVisit, .revisit, .intent, .reserved, .subscribed])
    }

    @Test func lostNeedsAWellFormedReasonAndOnlyLost() {
        #expect(OpportunityStages.violations(stage: .lost, lostReason: "price", note: nil).isEmpty)
        #expect(OpportunityStages.violations(stage: .lost, lostReason: "bought_elsewhere_2", note: "went to the competitor").isEmpty)
        #expect(OpportunityStages.violations(stage: .intent, lostReason: nil, note: nil).isEmpty)
        #expect(OpportunityStages.violations(stage: .lost, lostReason: nil, note: nil).map(\.field) == ["lostReason"])
        #expect(OpportunityStages.violations(stage: .intent, lostReason: "price", note: nil).map(\.field) == ["lostReason"])
        for bad in ["", "Price", "price-list", "price ", "价格", String(repeating: "a", count: 64)] {
            #expect(OpportunityStages.violations(stage: .lost, lostReason: bad, note: nil).map(\.field) == ["lostReason"], "\(bad)")
        }
        #expect(OpportunityStages.violations(stage: .lost, lostReason: String(repeating: "a", count: 63), note: nil).isEmpty)
    }

    @Test func notesAreAtMost500Characters() {
        #expect(OpportunityStages.violations(stage: .revisit, lostReason: nil, note: String(repeating: "好", count: 500)).isEmpty)
        #expect(OpportunityStages.violations(stage: .revisit, lostReason: nil, note: String(repeating: "好", count: 501)).map(\.field) == ["note"])
        #expect(OpportunityStages.violations(stage: .lost, lostReason: nil, note: String(repeating: "x", count: 501)).map(\.field)
                == ["lostReason", "note"])
    }

    @Test func newOpportunitiesStartAtAnOpenStage() {
        for stage in OpportunityStage.funnel {
            #expect(OpportunityStages.creationViolations(stage: stage, note: nil).isEmpty, "\(stage)")
        }
        #expect(OpportunityStages.creationViolations(stage: .lost, note: nil).map(\.field) == ["stage"])
        #expect(OpportunityStages.creationViolations(stage: .intent, note: String(repeating: "x", count: 501)).map(\.field) == ["note"])
        #expect(OpportunityStages.creationViolations(stage: .lost, note: String(repeating: "x", count: 501)).map(\.field) == ["stage", "note"])
    }

    static func opportunity(_ stage: OpportunityStage, reason: String? = nil, note: String? = nil) -> Opportunity {
        Opportunity(groupID: UUID(), id: UUID(), customerID: UUID(), projectID: UUID(), stage: stage, lostReason: reason, lostNote: note,
                    consultantID: UUID(), version: 3)
    }

    @Test func movingKeepsTheLostReasonOnlyWhileLost() throws {
        let lost = try Self.opportunity(.revisit).moved(to: .lost, lostReason: "price", note: "too dear")
        #expect(lost.stage == .lost)
        #expect(lost.lostReason == "price")
        #expect(lost.lostNote == "too dear")
        #expect(lost.version == 3, "the store bumps the version, not the rule")
        let reopened = try lost.moved(to: .intent, lostReason: nil, note: "came back")
        #expect(reopened.stage == .intent)
        #expect(reopened.lostReason == nil)
        #expect(reopened.lostNote == nil)
        let forward = try Self.opportunity(.firstVisit).moved(to: .contracted, lostReason: nil, note: "a note")
        #expect(forward.lostNote == nil)
        #expect(throws: OpportunityError.illegalStageChange(from: .intent, to: .revisit)) {
            try Self.opportunity(.intent).moved(to: .revisit, lostReason: nil, note: nil)
        }
        #expect(throws: OpportunityError.illegalStageChange(from: .lost, to: .reserved)) {
            try Self.opportunity(.lost, reason: "price").moved(to: .reserved, lostReason: nil, note: nil)
        }
        #expect(throws: OpportunityError.illegalStageChange(from: .lost, to: .lost)) {
            try Self.opportunity(.lost, reason: "price").moved(to: .lost, lostReason: "location", note: nil)
        }
    }

    @Test func pipelineAddsUpRowsByStageConsultantAndReason() {
        let anna = UUID(uuidString: "00000000-0000-0000-0000-00000000000a")!
        let bert = UUID(uuidString: "00000000-0000-0000-0000-00000000000b")!
        let pipeline = Pipeline(rows: [
            .init(consultantID: anna, stage: .firstVisit, count: 3),
            .init(consultantID: anna, stage: .intent, count: 1),
            .init(consultantID: bert, stage: .firstVisit, count: 2),
            .init(consultantID: bert, stage: .contracted, count: 2),
            .init(consultantID: nil, stage: .revisit, count: 1),
            .init(consultantID: anna, stage: .lost, lostReason: "price", count: 2),
            .init(consultantID: bert, stage: .lost, lostReason: "price", count: 1),
            .init(consultantID: bert, stage: .lost, lostReason: "location", count: 3),
            .init(consultantID: nil, stage: .lost, lostReason: "competitor", count: 1),
        ])
        #expect(pipeline.open == 9)
        #expect(pipeline.byStage.map(\.stage) == OpportunityStage.funnel)
        #expect(pipeline.byStage.map(\.count) == [5, 1, 1, 0, 0, 2])
        #expect(pipeline.consultants.map(\.consultantID) == [anna, bert, nil])
        #expect(pipeline.consultants.map(\.open) == [4, 4, 1])
        #expect(pipeline.consultants[0].byStage.map(\.count) == [3, 0, 1, 0, 0, 0])
        #expect(pipeline.consultants[1].byStage.map(\.count) == [2, 0, 0, 0, 0, 2])
        #expect(pipeline.consultants[2].byStage.map(\.count) == [0, 1, 0, 0, 0, 0])
        #expect(pipeline.lost == 7)
        #expect(pipeline.lostByReason.map(\.reason) == ["location", "price", "competitor"])
        #expect(pipeline.lostByReason.map(\.count) == [3, 3, 1])
        // A consultant with only lost opportunities has no open line.
        let onlyLost = Pipeline(rows: [.init(consultantID: anna, stage: .lost, lostReason: "price", count: 4)])
        #expect(onlyLost.consultants.isEmpty)
        #expect(onlyLost.open == 0)
        #expect(onlyLost.byStage.map(\.count) == [0, 0, 0, 0, 0, 0])
        #expect(onlyLost.lostByReason == [Pipeline.ReasonCount(reason: "price", count: 4)])
        #expect(Pipeline(rows: []).open == 0)
        #expect(Pipeline(rows: []).lostByReason.isEmpty)
    }
}
