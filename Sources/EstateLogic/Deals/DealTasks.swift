import Foundation

extension TaskSource {
    /// The payment-due task of a receivable line.
    public static func receivable(_ lineID: UUID) -> TaskSource { TaskSource(type: "receivable", id: lineID) }
    /// The contract-deadline task of a deal.
    public static func contractDeadline(dealID: UUID) -> TaskSource { TaskSource(type: "deal_contract", id: dealID) }
    /// The mortgage-documents task of a deal.
    public static func mortgageDocuments(dealID: UUID) -> TaskSource { TaskSource(type: "deal_mortgage_documents", id: dealID) }

    /// The source types of the tasks a deal itself generates (by the deal's id).
    public static let dealTypes = ["deal_contract", "deal_mortgage_documents"]
}

/// A task a deal step asks for, for the deal's owning consultant.
public struct DealTask: Sendable, Hashable {
    public var kind: TaskKind
    public var source: TaskSource
    public var title: String
    public var dueOn: LocalDate

    public init(kind: TaskKind, source: TaskSource, title: String, dueOn: LocalDate) {
        self.kind = kind
        self.source = source
        self.title = title
        self.dueOn = dueOn
    }
}

/// Which tasks a deal's steps create and finish (DOMAIN.md, "Work of the sales team": deal steps
/// create payment reminders, contract deadlines and mortgage documents automatically). Every task
/// goes to the deal's owner, about its first buyer, in its project; a source makes at most one task.
///
/// - Payment due: one task per open line the **buyers** pay (deposit, down payment, instalments, the
///   area settlement, fees collected for others), due on the line's due date: every line, however
///   far ahead (an instalment plan has at most a few dozen). Loan lines are the lenders' and are
///   followed by the mortgage steps instead. A paid line's task is completed, a superseded line's
///   (a regenerated schedule) cancelled.
/// - Contract deadline: at the subscription, due on the deal's contract deadline; completed by the contract.
/// - Mortgage documents: at the mortgage application, due ``DealStepRules/mortgageDocumentsDays``
///   later; completed by the approval.
public enum DealTaskPlan {
    /// What the payment tasks of a deal should be: the tasks of the open buyers' lines among
    /// `current` (created when missing), the sources of the paid ones (to complete) and of the
    /// `superseded` line ids (to cancel).
    public static func payments(current: [ReceivableLine], superseded: [UUID], roomNumber: String?)
        -> (open: [DealTask], paid: [TaskSource], superseded: [TaskSource]) {
        let buyers = current.filter { $0.kind.payer == .buyer && $0.amount > .zero }
        let open = buyers.filter { $0.open > .zero }.map { line in
            DealTask(kind: .paymentDue, source: .receivable(line.id),
                     title: prefix(roomNumber) + "\(name(of: line.kind)) of \(line.open) due", dueOn: line.dueDate)
        }
        return (open, buyers.filter { $0.open == .zero }.map { .receivable($0.id) }, superseded.map(TaskSource.receivable))
    }

    /// The contract-deadline task of a deal subscribed with `deadline`.
    public static func contractDeadline(dealID: UUID, deadline: LocalDate, roomNumber: String?) -> DealTask {
        DealTask(kind: .contractDeadline, source: .contractDeadline(dealID: dealID),
                 title: prefix(roomNumber) + "sign the purchase contract by \(deadline)", dueOn: deadline)
    }

    /// The mortgage-documents task of a deal whose mortgage was applied for at `bank` on `appliedOn`.
    public static func mortgageDocuments(dealID: UUID, bank: String, appliedOn: LocalDate, roomNumber: String?) -> DealTask {
        DealTask(kind: .mortgageDocuments, source: .mortgageDocuments(dealID: dealID),
                 title: prefix(roomNumber) + "mortgage documents for \(bank)",
                 dueOn: appliedOn.adding(days: DealStepRules.mortgageDocumentsDays) ?? appliedOn)
    }

    /// The tasks `step` finishes (completed when it is done).
    public static func finished(by step: DealStep, dealID: UUID) -> [TaskSource] {
        switch step {
        case .contract: [.contractDeadline(dealID: dealID)]
        case .approveMortgage: [.mortgageDocuments(dealID: dealID)]
        default: []
        }
    }

    static func prefix(_ roomNumber: String?) -> String {
        roomNumber.map { "Room \($0): " } ?? ""
    }

    static func name(of kind: ReceivableKind) -> String {
        switch kind {
        case .deposit: "deposit"
        case .downPayment: "down payment"
        case .instalment: "instalment"
        case .commercialLoan: "commercial loan"
        case .providentFundLoan: "provident-fund loan"
        case .areaSettlement: "area settlement"
        case .collectedForOthers: "fees collected for others"
        }
    }
}
