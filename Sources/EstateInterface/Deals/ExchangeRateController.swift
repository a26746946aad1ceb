import EstateData
import EstateLogic
import Foundation
import HTTPTypes
import Hummingbird

/// The group's exchange rates by day. A payment in a foreign currency converts at the rate of its
/// day: the rate recorded for that day, or the latest recorded within the week before
/// (``ExchangeRate/applies(rateDate:to:)``). Rates are set with `exchange_rates.write` at the group's root
/// (group finance); anyone holding `payments.read` reads them.
struct ExchangeRateController {
    let database: Database
    /// The clock (tests set their own).
    var now: @Sendable () -> Date = { Date() }

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/exchange-rates", access: .permission(.paymentsRead)) { request, context in
            let caller = try context.requireCaller()
            let limit = try PageRequest.limit(request)
            var reader = QueryReader(request)
            let currency = reader.parsed("currency", "must be an ISO 4217 code of three upper-case letters") { CurrencyCode($0) }
            let from = reader.day("from"), to = reader.day("to")
            let cursor = reader.parsed("cursor", "is not a cursor this API gave out") { Self.decodeCursor($0) }
            try reader.finish()
            let rates = try await database.unitOfWork { work in
                try await work.exchangeRates.list(groupID: caller.groupID, currency: currency, from: from, to: to, after: cursor, limit: limit)
            }
            let next = rates.count == limit ? rates.last.map { DayCursor.encode($0.date, key: $0.currency.code) } : nil
            return ExchangeRatePage(items: rates.map(ExchangeRateBody.init), nextCursor: next)
        }

        routes.add(.get, "/v1/exchange-rates/{currency}/{date}", access: .permission(.paymentsRead)) { _, context in
            let (currency, day) = try Self.key(context)
            let caller = try context.requireCaller()
            let found = try await database.unitOfWork { work in
                try await work.exchangeRates.latest(groupID: caller.groupID, currency: currency, onOrBefore: day)
            }
            guard let found, ExchangeRate.applies(rateDate: found.date, to: day) else {
                throw Problem.notFound("No \(currency) rate is recorded for \(day) or the \(ExchangeRate.maximumAgeDays) days before it.")
            }
            return RateOfDayBody(currency: currency.code, on: day, rateDate: found.date, rate: found.rate)
        }

        routes.add(.put, "/v1/exchange-rates/{currency}/{date}", access: .permission(.exchangeRatesWrite)) { request, context in
            let (currency, day) = try Self.key(context)
            let body = try await request.decode(as: ExchangeRateInput.self, context: context)
            var violations: [FieldViolation] = []
            if body.rate <= .zero || body.rate > MoneyLimits.maximumRate {
                violations.append(FieldViolation(field: "rate", message: "must be more than 0 and at most \(MoneyLimits.maximumRate)"))
            }
            guard violations.isEmpty else { throw Problem.validation(violations) }
            guard currency != .cny else {
                throw Problem(status: .unprocessableContent, code: "home-currency", detail: "CNY is the group's own currency; it has no exchange rate.",
                              errors: [.init(field: "currency", message: "is the home currency")])
            }
            let caller = try context.requireCaller()
            let moment = now()
            let (stored, previous) = try await database.unitOfWork { work in
                guard let root = try await work.orgUnits.root(groupID: caller.groupID) else { throw Problem.notFound() }
                // Group-wide: only a holder at the group's root sets rates (a grant lower down is not enough).
                guard caller.scope.decide(.exchangeRatesWrite, groupID: root.groupID, unitPath: root.path) == .allowed else {
                    throw Problem.forbidden(.exchangeRatesWrite)
                }
                let rate = StoredExchangeRate(currency: currency, date: day, rate: body.rate, recordedBy: caller.actor.historyText, recordedAt: moment)
                let previous = try await work.exchangeRates.set(groupID: root.groupID, rate)
                try await context.recordChange(work, action: "exchange_rate.set", objectType: "exchange_rates", objectID: root.id, orgUnitID: root.id,
                                               changes: AuditChange.diff(before: ["currency": currency.code, "date": day.description,
                                                                                 "rate": previous?.rate.description],
                                                                         after: ["currency": currency.code, "date": day.description,
                                                                                 "rate": body.rate.description]),
                                               groupID: root.groupID)
                return (rate, previous)
            }
            var response = try ExchangeRateBody(stored).response(from: request, context: context)
            response.status = previous == nil ? .created : .ok
            return response
        }
    }

    /// The `{currency}` and `{date}` of the path (400 naming the bad one).
    static func key(_ context: EstateRequestContext) throws -> (CurrencyCode, LocalDate) {
        let currency = CurrencyCode(try context.parameters.require("currency"))
        let day = LocalDate(try context.parameters.require("date"))
        var violations: [FieldViolation] = []
        if currency == nil { violations.append(FieldViolation(field: "currency", message: "must be an ISO 4217 code of three upper-case letters")) }
        if day == nil { violations.append(FieldViolation(field: "date", message: "must be a date YYYY-MM-DD")) }
        guard let currency, let day, violations.isEmpty else { throw Problem.validation(violations) }
        return (currency, day)
    }

    /// A ``DayCursor`` whose key is a currency: the day and currency of the last rate of a page.
    static func decodeCursor(_ text: String) -> (LocalDate, String)? {
        guard let cursor = DayCursor.decode(text), let currency = CurrencyCode(cursor.1) else { return nil }
        return (cursor.0, currency.code)
    }
}
