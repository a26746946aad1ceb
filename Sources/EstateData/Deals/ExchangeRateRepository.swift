import EstateLogic
import Foundation
import PQ

/// An exchange rate recorded for a day: one unit of `currency` is `rate` units of the group's currency.
public struct StoredExchangeRate: Sendable, Hashable {
    public var currency: CurrencyCode
    public var date: LocalDate
    public var rate: Coefficient
    public var recordedBy: String
    public var recordedAt: Date

    public init(currency: CurrencyCode, date: LocalDate, rate: Coefficient, recordedBy: String, recordedAt: Date) {
        self.currency = currency
        self.date = date
        self.rate = rate
        self.recordedBy = recordedBy
        self.recordedAt = recordedAt
    }
}

/// The group's exchange rates by day (whether a rate is the rate of a day is EstateLogic's
/// ``ExchangeRate/applies(rateDate:to:)``).
public struct ExchangeRateRepository: Sendable {
    let transaction: PQTransaction

    static func decode(_ row: PQRow) throws -> StoredExchangeRate {
        guard let currency = CurrencyCode(try row.decode("currency")), let rate = Coefficient(try row.decode("rate", as: String.self)) else {
            throw DataError.internalFailure("unreadable exchange rate")
        }
        return StoredExchangeRate(currency: currency, date: try row.decode("on_date"), rate: rate, recordedBy: try row.decode("recorded_by"),
                                  recordedAt: try row.decode("recorded_at"))
    }

    static let columns: SQL = "currency, on_date, rate::text AS rate, recorded_by, recorded_at"

    /// Sets the rate of `currency` for `date`; returns the rate it replaced, if any.
    public func set(groupID: UUID, _ rate: StoredExchangeRate) async throws -> StoredExchangeRate? {
        let previous = try await transaction.query("""
            SELECT \(Self.columns) FROM exchange_rates WHERE group_id = \(groupID) AND currency = \(rate.currency.code) AND on_date = \(rate.date)
            FOR UPDATE
            """).firstRow.map(Self.decode)
        try await transaction.execute("""
            INSERT INTO exchange_rates (group_id, currency, on_date, rate, recorded_by, recorded_at)
            VALUES (\(groupID), \(rate.currency.code), \(rate.date), \(rate.rate.description)::numeric, \(rate.recordedBy), \(rate.recordedAt))
            ON CONFLICT (group_id, currency, on_date) DO UPDATE SET rate = EXCLUDED.rate, recorded_by = EXCLUDED.recorded_by,
                                                                     recorded_at = EXCLUDED.recorded_at
            """)
        return previous
    }

    /// The latest rate of `currency` recorded for `day` or before it.
    public func latest(groupID: UUID, currency: CurrencyCode, onOrBefore day: LocalDate) async throws -> StoredExchangeRate? {
        try await transaction.query("""
            SELECT \(Self.columns) FROM exchange_rates WHERE group_id = \(groupID) AND currency = \(currency.code) AND on_date <= \(day)
            ORDER BY on_date DESC LIMIT 1
            """).firstRow.map(Self.decode)
    }

    /// Rates recorded in `[from, to]` (days), of `currency` when given, newest day first, then by currency;
    /// after the (date, currency) `cursor`.
    public func list(groupID: UUID, currency: CurrencyCode?, from: LocalDate?, to: LocalDate?, after cursor: (LocalDate, String)?,
                     limit: Int) async throws -> [StoredExchangeRate] {
        var conditions: [SQL] = ["group_id = \(groupID)"]
        if let currency { conditions.append("currency = \(currency.code)") }
        if let from { conditions.append("on_date >= \(from)") }
        if let to { conditions.append("on_date <= \(to)") }
        if let cursor { conditions.append("(on_date < \(cursor.0) OR (on_date = \(cursor.0) AND currency > \(cursor.1)))") }
        return try await transaction.query("""
            SELECT \(Self.columns) FROM exchange_rates WHERE \(SQL.join(conditions, separator: " AND "))
            ORDER BY on_date DESC, currency LIMIT \(limit)
            """).map(Self.decode)
    }
}

extension UnitOfWork {
    public var exchangeRates: ExchangeRateRepository { ExchangeRateRepository(transaction: transaction) }
}
