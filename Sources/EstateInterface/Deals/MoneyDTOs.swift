import EstateData
import EstateLogic
import Foundation
import Hummingbird

// MARK: Requests

/// Part of a collection or refund set against one receivable line of the deal.
struct AllocationInput: Decodable, Sendable {
    let receivableId: UUID
    let amount: Money

    var allocation: Allocation { Allocation(lineID: receivableId, amount: amount) }
}

/// `POST /v1/deals/{id}/collections`: money received, in the group's currency (`amount`) or in a
/// foreign one (`currency` and `foreignAmount`, converted at the rate of the day).
struct CollectionInput: Decodable, Sendable, NullableFields {
    let method: CollectionMethod
    let amount: Money?
    let currency: String?
    /// Decimal text with at most the currency's minor-unit digits.
    let foreignAmount: String?
    /// The day the money came in; today in the group's time zone when left out.
    let receivedOn: LocalDate?
    let payer: String?
    let reference: String?
    /// Where the money goes; oldest due buyer lines first when left out.
    let allocations: [AllocationInput]?

    static let fieldNames: Set<String> = ["method", "amount", "currency", "foreignAmount", "receivedOn", "payer", "reference", "allocations"]
    static let nullableFields: Set<String> = []
}

/// `POST /v1/deals/{id}/refunds`: money paid back, from the credit first, then from the lines named.
struct RefundInput: Decodable, Sendable, NullableFields {
    let method: CollectionMethod
    let amount: Money
    let reason: String
    /// The day the money went out; today in the group's time zone when left out.
    let refundedOn: LocalDate?
    let allocations: [AllocationInput]?

    static let fieldNames: Set<String> = ["method", "amount", "reason", "refundedOn", "allocations"]
    static let nullableFields: Set<String> = []
}

/// `POST /v1/receipts/{id}/void`, `POST /v1/invoices/{id}/void`.
struct VoidInput: Decodable, Sendable {
    let reason: String
}

/// `POST /v1/deals/{id}/invoices`: an invoice the tax system issued, entered in the register.
struct InvoiceInput: Decodable, Sendable, NullableFields {
    let number: String
    let amount: Money
    let issuedOn: LocalDate

    static let fieldNames: Set<String> = ["number", "amount", "issuedOn"]
    static let nullableFields: Set<String> = []
}

/// `PUT /v1/exchange-rates/{currency}/{date}`.
struct ExchangeRateInput: Decodable, Sendable {
    let rate: Coefficient
}

/// Free text of a money record: trimmed; required or blank-means-none; at most `limit` characters.
enum MoneyText {
    static func check(_ text: String?, field: String, required: Bool, limit: Int = 500,
                      into violations: inout [FieldViolation]) -> String? {
        let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        if trimmed.isEmpty {
            if required { violations.append(FieldViolation(field: field, message: "must not be blank")) }
            return nil
        }
        if trimmed.count > limit { violations.append(FieldViolation(field: field, message: "must be at most \(limit) characters")) }
        return trimmed
    }
}

// MARK: Responses

struct AllocationBody: Encodable {
    let receivableId: UUID
    let receivableKind: ReceivableKind
    let kind: AllocationKind
    /// Signed: + onto the line, − off it.
    let amount: Money

    init(_ allocation: StoredAllocation) {
        receivableId = allocation.receivableID
        receivableKind = allocation.receivableKind
        kind = allocation.kind
        amount = allocation.amount
    }
}

/// A payment in a foreign currency: what was paid and the rate of the day it converted at.
struct ForeignPaymentBody: Encodable {
    let currency: String
    let amount: String
    let rate: Coefficient
    let rateDate: LocalDate?

    init?(_ collection: StoredCollection) {
        guard let foreign = collection.foreign, let rate = collection.rate else { return nil }
        currency = foreign.currency.code
        amount = FixedPoint.format(foreign.minorUnits, scale: foreign.currency.minorUnitDigits)
        self.rate = rate
        rateDate = collection.rateDate
    }
}

/// A receipt: its gap-free number, what it acknowledges, and its void.
struct ReceiptBody: ResponseEncodable {
    let id: UUID
    let number: ReceiptNumber
    let projectId: UUID
    let dealId: UUID
    let collectionId: UUID
    let amount: Money
    let method: CollectionMethod
    let receivedOn: LocalDate
    let foreign: ForeignPaymentBody?
    let payer: String?
    let reference: String?
    let issuedAt: Date
    let issuedBy: String
    let voided: Bool
    let voidedAt: Date?
    let voidedBy: String?
    let voidReason: String?

    init(_ receipt: StoredReceipt) {
        id = receipt.id
        number = receipt.number
        projectId = receipt.projectID
        dealId = receipt.dealID
        collectionId = receipt.collection.id
        amount = receipt.amount
        method = receipt.collection.method
        receivedOn = receipt.collection.receivedOn
        foreign = ForeignPaymentBody(receipt.collection)
        payer = receipt.payer
        reference = receipt.collection.reference
        issuedAt = receipt.issuedAt
        issuedBy = receipt.issuedBy
        voided = receipt.isVoided
        voidedAt = receipt.voidedAt
        voidedBy = receipt.voidedBy
        voidReason = receipt.voidReason
    }
}

/// A collection with where its money went and its receipt. A voided receipt's collection is no
/// longer live: its `reversals` took the money back off the lines.
struct CollectionBody: ResponseEncodable {
    let id: UUID
    let dealId: UUID
    let projectId: UUID
    let method: CollectionMethod
    let amount: Money
    let foreign: ForeignPaymentBody?
    let receivedOn: LocalDate
    let payer: String?
    let reference: String?
    let allocations: [AllocationBody]
    let toCredit: Money
    let live: Bool
    let reversals: [AllocationBody]
    let receipt: ReceiptBody?
    let recordedBy: String
    let recordedAt: Date

    init(_ collection: StoredCollection, allocations: [StoredAllocation], receipt: StoredReceipt?) {
        id = collection.id
        dealId = collection.dealID
        projectId = collection.projectID
        method = collection.method
        amount = collection.amount
        foreign = ForeignPaymentBody(collection)
        receivedOn = collection.receivedOn
        payer = collection.payer
        reference = collection.reference
        let own = allocations.filter { $0.collectionID == collection.id }
        self.allocations = own.filter { $0.kind == .collection }.map(AllocationBody.init)
        reversals = own.filter { $0.kind == .void }.map(AllocationBody.init)
        toCredit = collection.toCredit
        live = receipt?.isVoided != true
        self.receipt = receipt.map(ReceiptBody.init)
        recordedBy = collection.recordedBy
        recordedAt = collection.recordedAt
    }
}

struct CollectionPage: ResponseEncodable {
    let items: [CollectionBody]
}

struct RefundBody: ResponseEncodable {
    let id: UUID
    let dealId: UUID
    let projectId: UUID
    let method: CollectionMethod
    let amount: Money
    let fromCredit: Money
    /// Taken back off paid lines (negative amounts).
    let allocations: [AllocationBody]
    let refundedOn: LocalDate
    let reason: String
    let recordedBy: String
    let recordedAt: Date

    init(_ refund: StoredRefund, allocations: [StoredAllocation]) {
        id = refund.id
        dealId = refund.dealID
        projectId = refund.projectID
        method = refund.method
        amount = refund.amount
        fromCredit = refund.fromCredit
        self.allocations = allocations.filter { $0.refundID == refund.id }.map(AllocationBody.init)
        refundedOn = refund.refundedOn
        reason = refund.reason
        recordedBy = refund.recordedBy
        recordedAt = refund.recordedAt
    }
}

struct RefundPage: ResponseEncodable {
    let items: [RefundBody]
}

struct ReceiptPage: ResponseEncodable {
    let items: [ReceiptBody]
}

struct RegisterYearBody: Encodable {
    let year: Int
    let count: Int
    let first: ReceiptNumber?
    let last: ReceiptNumber?
    let voided: Int
    let liveTotal: Money
    let voidedTotal: Money
    /// Whether every number from the first to the last is there.
    let contiguous: Bool
    let missingSequences: [Int]
}

/// A project's receipt register for a period: the receipts in number order (a page) and, for the
/// whole period, each year's count, totals and gap check.
struct ReceiptRegisterBody: ResponseEncodable {
    let projectId: UUID
    let from: LocalDate
    let to: LocalDate
    let years: [RegisterYearBody]
    let items: [ReceiptBody]
    let nextCursor: String?
}

struct InvoiceBody: ResponseEncodable {
    let id: UUID
    let projectId: UUID
    let dealId: UUID
    let number: String
    let amount: Money
    let issuedOn: LocalDate
    let recordedBy: String
    let recordedAt: Date
    let voided: Bool
    let voidedAt: Date?
    let voidedBy: String?
    let voidReason: String?

    init(_ invoice: StoredInvoice) {
        id = invoice.id
        projectId = invoice.projectID
        dealId = invoice.dealID
        number = invoice.number
        amount = invoice.amount
        issuedOn = invoice.issuedOn
        recordedBy = invoice.recordedBy
        recordedAt = invoice.recordedAt
        voided = invoice.voidedAt != nil
        voidedAt = invoice.voidedAt
        voidedBy = invoice.voidedBy
        voidReason = invoice.voidReason
    }
}

struct InvoicePage: ResponseEncodable {
    let items: [InvoiceBody]
}

struct ExchangeRateBody: ResponseEncodable {
    let currency: String
    let date: LocalDate
    let rate: Coefficient
    let recordedBy: String
    let recordedAt: Date

    init(_ rate: StoredExchangeRate) {
        currency = rate.currency.code
        date = rate.date
        self.rate = rate.rate
        recordedBy = rate.recordedBy
        recordedAt = rate.recordedAt
    }
}

/// The rate a payment on `on` converts at: the rate recorded for `rateDate` (that day or the latest
/// within the week before).
struct RateOfDayBody: ResponseEncodable {
    let currency: String
    let on: LocalDate
    let rateDate: LocalDate
    let rate: Coefficient
}

struct ExchangeRatePage: ResponseEncodable {
    let items: [ExchangeRateBody]
    let nextCursor: String?
}

struct ArrearsLineBody: Encodable {
    let receivableId: UUID
    let kind: ReceivableKind
    let payer: ReceivablePayer
    let label: String?
    let dueOn: LocalDate
    let amount: Money
    let paid: Money
    let open: Money
    let daysOverdue: Int
}

struct ArrearsBuyerBody: Encodable {
    let customerId: UUID
    let name: String
    let shareBasisPoints: Int
}

struct ArrearsDealBody: Encodable {
    let dealId: UUID
    let roomId: UUID
    let roomNumber: String
    let stage: DealStage
    let ownerId: UUID
    let buyers: [ArrearsBuyerBody]
    let overdue: Money
    let oldestDueOn: LocalDate
    let daysOverdue: Int
    let lines: [ArrearsLineBody]

    init(_ deal: ArrearsDeal, asOf: LocalDate) {
        dealId = deal.dealID
        roomId = deal.roomID
        roomNumber = deal.roomNumber
        stage = deal.stage
        ownerId = deal.ownerID
        buyers = deal.buyers.map { ArrearsBuyerBody(customerId: $0.customerID, name: $0.name, shareBasisPoints: $0.shareBasisPoints) }
        lines = deal.lines.map { stored in
            ArrearsLineBody(receivableId: stored.line.id, kind: stored.line.kind, payer: stored.line.kind.payer, label: stored.label,
                            dueOn: stored.line.dueDate, amount: stored.line.amount, paid: stored.line.paid, open: stored.line.open,
                            daysOverdue: stored.line.daysOverdue(asOf: asOf) ?? 0)
        }
        overdue = deal.lines.reduce(.zero) { $0 + $1.line.open }
        oldestDueOn = deal.lines.map(\.line.dueDate).min() ?? asOf
        daysOverdue = lines.map(\.daysOverdue).max() ?? 0
    }
}

struct ArrearsBody: ResponseEncodable {
    let projectId: UUID
    let asOf: LocalDate
    let deals: Int
    let lines: Int
    let overdue: Money
    let items: [ArrearsDealBody]
    let nextCursor: String?
}

struct ForecastAmountsBody: Encodable {
    let buyers: Money
    let commercialLenders: Money
    let providentFund: Money
    let mortgageArrivals: Money
    let total: Money

    init(_ amounts: ForecastAmounts) {
        buyers = amounts.buyers
        commercialLenders = amounts.commercialLenders
        providentFund = amounts.providentFund
        mortgageArrivals = amounts.mortgageArrivals
        total = amounts.total
    }
}

struct ForecastMonthBody: Encodable {
    let month: YearMonth
    let expected: ForecastAmountsBody
}

struct CollectionForecastBody: ResponseEncodable {
    let projectId: UUID
    let from: YearMonth
    let overdue: ForecastAmountsBody
    let months: [ForecastMonthBody]
    let later: ForecastAmountsBody

    init(projectID: UUID, _ forecast: CollectionForecast) {
        projectId = projectID
        from = forecast.from
        overdue = ForecastAmountsBody(forecast.overdue)
        months = forecast.months.map { ForecastMonthBody(month: $0.month, expected: ForecastAmountsBody($0.amounts)) }
        later = ForecastAmountsBody(forecast.later)
    }
}
