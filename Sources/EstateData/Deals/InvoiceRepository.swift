import EstateLogic
import Foundation
import PQ

/// An invoice of the register: issued by the tax system, recorded against a deal.
public struct StoredInvoice: Sendable, Hashable {
    public var groupID: UUID
    public var id: UUID
    public var projectID: UUID
    public var dealID: UUID
    /// The tax system's number, unique in the project.
    public var number: String
    public var amount: Money
    public var issuedOn: LocalDate
    public var recordedBy: String
    public var recordedAt: Date
    public var voidedAt: Date?
    public var voidedBy: String?
    public var voidReason: String?

    public init(groupID: UUID, id: UUID, projectID: UUID, dealID: UUID, number: String, amount: Money, issuedOn: LocalDate,
                recordedBy: String, recordedAt: Date, voidedAt: Date? = nil, voidedBy: String? = nil, voidReason: String? = nil) {
        self.groupID = groupID
        self.id = id
        self.projectID = projectID
        self.dealID = dealID
        self.number = number
        self.amount = amount
        self.issuedOn = issuedOn
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
        self.voidedAt = voidedAt
        self.voidedBy = voidedBy
        self.voidReason = voidReason
    }
}

/// Why an invoice write is refused by the database's own rules.
public enum InvoiceDataError: Error, Sendable, Hashable {
    /// Another invoice of the project has the number.
    case numberTaken(String)
}

/// The invoice register: invoices are recorded, voided once with a reason, never deleted.
public struct InvoiceRepository: Sendable {
    let transaction: PQTransaction

    static let columns: SQL = """
        group_id, id, project_id, deal_id, number, amount, issued_on, recorded_by, recorded_at, voided_at, voided_by, void_reason
        """

    static func decode(_ row: PQRow) throws -> StoredInvoice {
        StoredInvoice(groupID: try row.decode("group_id"), id: try row.decode("id"), projectID: try row.decode("project_id"),
                      dealID: try row.decode("deal_id"), number: try row.decode("number"), amount: try row.decode("amount"),
                      issuedOn: try row.decode("issued_on"), recordedBy: try row.decode("recorded_by"), recordedAt: try row.decode("recorded_at"),
                      voidedAt: try row.decode("voided_at"), voidedBy: try row.decode("voided_by"), voidReason: try row.decode("void_reason"))
    }

    /// Records an invoice; a number the project already has is ``InvoiceDataError/numberTaken(_:)``.
    public func insert(_ invoice: StoredInvoice) async throws {
        do {
            try await transaction.execute("""
                INSERT INTO invoices (group_id, id, project_id, deal_id, number, amount, issued_on, recorded_by, recorded_at)
                VALUES (\(invoice.groupID), \(invoice.id), \(invoice.projectID), \(invoice.dealID), \(invoice.number), \(invoice.amount),
                        \(invoice.issuedOn), \(invoice.recordedBy), \(invoice.recordedAt))
                """)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "invoices_number_key" {
            throw InvoiceDataError.numberTaken(invoice.number)
        }
    }

    public func find(groupID: UUID, id: UUID, lock: Bool = false) async throws -> StoredInvoice? {
        let locking: SQL = lock ? "FOR UPDATE" : ""
        return try await transaction.query("SELECT \(Self.columns) FROM invoices WHERE group_id = \(groupID) AND id = \(id) \(locking)")
            .firstRow.map(Self.decode)
    }

    /// A deal's invoices, oldest recorded first.
    public func invoices(groupID: UUID, dealID: UUID) async throws -> [StoredInvoice] {
        try await transaction.query("SELECT \(Self.columns) FROM invoices WHERE group_id = \(groupID) AND deal_id = \(dealID) ORDER BY id")
            .map(Self.decode)
    }

    /// Voids an invoice that is not voided yet; false when it already was.
    public func void(groupID: UUID, id: UUID, by actor: String, reason: String) async throws -> Bool {
        try await transaction.execute("""
            UPDATE invoices SET voided_at = clock_timestamp(), voided_by = \(actor), void_reason = \(reason)
            WHERE group_id = \(groupID) AND id = \(id) AND voided_at IS NULL
            """) == 1
    }
}

extension UnitOfWork {
    public var invoices: InvoiceRepository { InvoiceRepository(transaction: transaction) }
}
