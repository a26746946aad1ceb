import EstateData
import EstateLogic
import Foundation

// MARK: Requests

/// The body of `POST /v1/deals/{id}/<step>`: the day the step was done and the step's own figures.
/// A step takes its required fields (``DealStep/requiredFields``) and its optional ones
/// (``optionalFields(of:)``); a field of another step is a 400 naming it, as is a field no step has.
struct DealStepInput: Decodable, Sendable, NullableFields {
    let date: LocalDate
    let note: String?
    let contractNumber: String?
    let filingNumber: String?
    let filedOn: LocalDate?
    let bank: String?
    let loanAmount: Money?
    let termMonths: Int?
    let approvedAmount: Money?
    let amount: Money?
    let actualArea: Area?
    let certificateNumber: String?

    enum CodingKeys: String, CodingKey, CaseIterable {
        case date, note, contractNumber, filingNumber, filedOn, bank, loanAmount, termMonths, approvedAmount, amount, actualArea,
             certificateNumber
    }

    static let fieldNames = Set(CodingKeys.allCases.map(\.rawValue))
    static let nullableFields: Set<String> = []

    init(from decoder: any Decoder) throws {
        try decoder.refuseUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        date = try container.decode(LocalDate.self, forKey: .date)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        contractNumber = try container.decodeIfPresent(String.self, forKey: .contractNumber)
        filingNumber = try container.decodeIfPresent(String.self, forKey: .filingNumber)
        filedOn = try container.decodeIfPresent(LocalDate.self, forKey: .filedOn)
        bank = try container.decodeIfPresent(String.self, forKey: .bank)
        loanAmount = try container.decodeIfPresent(Money.self, forKey: .loanAmount)
        termMonths = try container.decodeIfPresent(Int.self, forKey: .termMonths)
        approvedAmount = try container.decodeIfPresent(Money.self, forKey: .approvedAmount)
        amount = try container.decodeIfPresent(Money.self, forKey: .amount)
        actualArea = try container.decodeIfPresent(Area.self, forKey: .actualArea)
        certificateNumber = try container.decodeIfPresent(String.self, forKey: .certificateNumber)
    }

    /// The fields a step takes beside its required ones: a note, and for the contract the filing's date.
    static func optionalFields(of step: DealStep) -> [String] {
        step == .contract ? ["filedOn", "note"] : ["note"]
    }

    /// The members given (not null).
    var given: [String: Bool] {
        ["date": true, "note": note != nil, "contractNumber": contractNumber != nil, "filingNumber": filingNumber != nil,
         "filedOn": filedOn != nil, "bank": bank != nil, "loanAmount": loanAmount != nil, "termMonths": termMonths != nil,
         "approvedAmount": approvedAmount != nil, "amount": amount != nil, "actualArea": actualArea != nil,
         "certificateNumber": certificateNumber != nil]
    }

    /// What the OpenAPI schema of `step`'s body says (and nothing more, so that a body the schema
    /// accepts is never refused here): its required fields, no field of another step, numbers and
    /// names of at most 64 characters, a bank of at most 100, a note of at most 500, a term of 1 to
    /// 360 months, an actual area of more than 0 and at most 100000.00 m².
    func shapeViolations(for step: DealStep) -> [FieldViolation] {
        var violations: [FieldViolation] = []
        let allowed = Set(step.requiredFields + Self.optionalFields(of: step))
        for field in step.requiredFields where given[field] != true {
            violations.append(FieldViolation(field: field, message: "is required for \(step.rawValue)"))
        }
        for (field, present) in given.sorted(by: { $0.key < $1.key }) where present && !allowed.contains(field) {
            violations.append(FieldViolation(field: field, message: "is not a field of \(step.rawValue)"))
        }
        let references: [(String, String?, Int)] = [("contractNumber", contractNumber, DealStepText.maximumReference),
                                                    ("filingNumber", filingNumber, DealStepText.maximumReference),
                                                    ("certificateNumber", certificateNumber, DealStepText.maximumReference),
                                                    ("bank", bank, DealStepText.maximumBank)]
        for (field, text, maximum) in references where allowed.contains(field) {
            if let text, !DealStepText.isReference(text, maximum: maximum) {
                violations.append(FieldViolation(field: field, message: "must be 1 to \(maximum) characters without control characters, "
                                                                         + "not starting or ending with a space"))
            }
        }
        if let note, !DealStepText.isNote(note) {
            violations.append(FieldViolation(field: "note", message: "must be 1 to \(DealStepText.maximumNote) characters, "
                                                                     + "without control characters but tabs and line breaks"))
        }
        if let termMonths, allowed.contains("termMonths"), !(1...DealStepRules.maximumTermMonths).contains(termMonths) {
            violations.append(FieldViolation(field: "termMonths", message: "must be between 1 and \(DealStepRules.maximumTermMonths)"))
        }
        if let actualArea, allowed.contains("actualArea"), actualArea <= .zero || actualArea > RoomAttributes.maximumArea {
            violations.append(FieldViolation(field: "actualArea", message: "must be more than 0 and at most \(RoomAttributes.maximumArea)"))
        }
        return violations
    }

    /// The amounts of `step` that must be more than 0 (the schema's Money allows any amount; the
    /// step checks them once the deal is found).
    func amountViolations(for step: DealStep) -> [FieldViolation] {
        let amounts: [(String, Money?)] = [("loanAmount", loanAmount), ("approvedAmount", approvedAmount), ("amount", amount)]
        return amounts.compactMap { field, value in
            guard step.requiredFields.contains(field), let value, value <= .zero else { return nil }
            return FieldViolation(field: field, message: "must be more than 0")
        }
    }
}

// MARK: Responses

/// A deal's purchase contract and its filing with the housing authority; before the contract, the
/// day it is to be signed by.
struct DealContractBody: Encodable {
    let number: String?
    let signedOn: LocalDate?
    let filingNumber: String?
    let filedOn: LocalDate?
    let deadline: LocalDate?
}

/// A deal's mortgage: the lender, the loan and the dates of its steps.
struct DealMortgageBody: Encodable {
    let bank: String
    let amount: Money?
    let termMonths: Int?
    let appliedOn: LocalDate?
    let approvedOn: LocalDate?
    let approvedAmount: Money?
    let fundsArrivedOn: LocalDate?
    let fundsAmount: Money?
}

/// A deal's area settlement: the contracted area, and once surveyed, the actual area and what it came to.
struct DealAreaSettlementBody: Encodable {
    let contractedArea: Area?
    let actualArea: Area?
    /// Positive: the buyers pay (a receivable of kind `area_settlement`); negative: they are refunded
    /// (held as the deal's credit until refunded).
    let amount: Money?
    let buyerMayCancel: Bool?
    let settledOn: LocalDate?
}

/// One dated step of a deal.
struct DealStepBody: Encodable {
    let step: DealStep
    let doneOn: LocalDate
    let details: DealStepDetails
    let recordedBy: String
    let recordedAt: Date
}

extension DealBody {
    /// The parts of a deal body its milestones make: the contract, the mortgage, the area settlement
    /// and the dated steps (each nil while there is nothing to show).
    static func parts(_ m: DealMilestones?) -> (DealContractBody?, DealMortgageBody?, DealAreaSettlementBody?, [DealStepBody]?) {
        guard let m else { return (nil, nil, nil, nil) }
        let contract = m.contractNumber == nil && m.contractDeadline == nil ? nil
            : DealContractBody(number: m.contractNumber, signedOn: m.contractSignedOn, filingNumber: m.filingNumber, filedOn: m.filedOn,
                               deadline: m.contractDeadline)
        let mortgage = m.mortgageBank.map { bank in
            DealMortgageBody(bank: bank, amount: m.mortgageAmount, termMonths: m.mortgageTermMonths,
                             appliedOn: m.record(of: .applyForMortgage)?.doneOn, approvedOn: m.record(of: .approveMortgage)?.doneOn,
                             approvedAmount: m.record(of: .approveMortgage)?.details.approvedAmount,
                             fundsArrivedOn: m.record(of: .receiveMortgageFunds)?.doneOn,
                             fundsAmount: m.record(of: .receiveMortgageFunds)?.details.amount)
        }
        let settlement = m.contractedArea == nil && m.actualArea == nil ? nil
            : DealAreaSettlementBody(contractedArea: m.contractedArea, actualArea: m.actualArea, amount: m.settlementAmount,
                                     buyerMayCancel: m.buyerMayCancel, settledOn: m.record(of: .settleArea)?.doneOn)
        let steps = m.steps.map { DealStepBody(step: $0.step, doneOn: $0.doneOn, details: $0.details, recordedBy: $0.recordedBy,
                                               recordedAt: $0.recordedAt) }
        return (contract, mortgage, settlement, steps)
    }
}
