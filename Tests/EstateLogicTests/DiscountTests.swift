import EstateLogic
import Foundation
import Testing

private func money(_ text: String) -> Money { Money(text)! }

@Suite("Discount schemes")
struct DiscountSchemeTests {
    let now = RFC3339.date(from: "2026-05-01T10:00:00+08:00")!

    @Test func acceptsAGoodScheme() {
        #expect(DiscountScheme.violations(code: "full-payment-2", name: "Full payment 2 %", kind: .percentage(basisPoints: 200),
                                          paymentMethods: ["full_payment"], validFrom: now, validUntil: now.addingTimeInterval(1)).isEmpty)
        #expect(DiscountScheme.violations(code: "0a", name: "x", kind: .fixedAmount(money("0.01"))).isEmpty)
        #expect(DiscountScheme.violations(code: "all", name: "All of it", kind: .percentage(basisPoints: 10_000)).isEmpty)
    }

    @Test(arguments: ["", "a", "-ab", "Ab", "a_b", "a b", "ab.", "ä1", String(repeating: "a", count: 64)])
    func refusesBadCodes(code: String) {
        #expect(DiscountScheme.violations(code: code, name: "n", kind: .percentage(basisPoints: 1)).map(\.field) == ["code"])
    }

    @Test func acceptsCodesAtTheLimits() {
        for code in ["ab", "a-", "12", String(repeating: "z", count: 63), "spring-2026"] {
            #expect(DiscountScheme.violations(code: code, name: "n", kind: .percentage(basisPoints: 1)).isEmpty, "\(code)")
        }
    }

    @Test func refusesBadNamesAmountsAndWindows() {
        func fields(name: String = "Name", kind: DiscountKind = .percentage(basisPoints: 100), methods: Set<String> = [],
                    from: Date? = nil, until: Date? = nil) -> [String] {
            DiscountScheme.violations(code: "ok", name: name, kind: kind, paymentMethods: methods, validFrom: from, validUntil: until).map(\.field)
        }
        #expect(fields(name: "") == ["name"])
        #expect(fields(name: " \n ") == ["name"])
        #expect(fields(name: String(repeating: "n", count: 200)) == [])
        #expect(fields(name: String(repeating: "n", count: 201)) == ["name"])
        #expect(fields(kind: .percentage(basisPoints: 0)) == ["basisPoints"])
        #expect(fields(kind: .percentage(basisPoints: -5)) == ["basisPoints"])
        #expect(fields(kind: .percentage(basisPoints: 10_001)) == ["basisPoints"])
        #expect(fields(kind: .fixedAmount(.zero)) == ["amount"])
        #expect(fields(kind: .fixedAmount(money("-1.00"))) == ["amount"])
        #expect(fields(methods: ["mortgage", ""]) == ["paymentMethods"])
        #expect(fields(methods: [" mortgage"]) == ["paymentMethods"])
        #expect(fields(from: now, until: now) == ["validUntil"])
        #expect(fields(from: now, until: now.addingTimeInterval(-60)) == ["validUntil"])
        #expect(fields(from: now) == [])
        #expect(fields(until: now) == [])
        #expect(DiscountScheme.violations(code: "X", name: "", kind: .fixedAmount(.zero), validFrom: now, validUntil: now).map(\.field)
                == ["code", "name", "amount", "validUntil"])
    }

    @Test func windowIsHalfOpen() {
        let scheme = DiscountScheme(id: UUID(), code: "may", name: "May", kind: .percentage(basisPoints: 100),
                                    validFrom: now, validUntil: now.addingTimeInterval(3600))
        #expect(!scheme.isValid(at: now.addingTimeInterval(-0.001)))
        #expect(scheme.isValid(at: now))
        #expect(scheme.isValid(at: now.addingTimeInterval(3599.999)))
        #expect(!scheme.isValid(at: now.addingTimeInterval(3600)))
        let open = DiscountScheme(id: UUID(), code: "open", name: "Open", kind: .percentage(basisPoints: 100))
        #expect(open.isValid(at: .distantPast) && open.isValid(at: .distantFuture))
    }

    @Test func roomSetsAndPaymentMethods() {
        let room = UUID(), building = UUID(), other = UUID()
        let everywhere = DiscountScheme(id: UUID(), code: "all", name: "All", kind: .percentage(basisPoints: 100))
        #expect(everywhere.covers(roomID: room, buildingID: building))
        let byBuilding = DiscountScheme(id: UUID(), code: "b", name: "B", kind: .percentage(basisPoints: 100), buildingIDs: [building])
        #expect(byBuilding.covers(roomID: room, buildingID: building))
        #expect(!byBuilding.covers(roomID: room, buildingID: other))
        let byRoom = DiscountScheme(id: UUID(), code: "r", name: "R", kind: .percentage(basisPoints: 100), buildingIDs: [other], roomIDs: [room])
        #expect(byRoom.covers(roomID: room, buildingID: building))
        #expect(byRoom.covers(roomID: UUID(), buildingID: other))
        #expect(!byRoom.covers(roomID: UUID(), buildingID: building))
        #expect(everywhere.allows(paymentMethod: "anything"))
        let mortgage = DiscountScheme(id: UUID(), code: "m", name: "M", kind: .percentage(basisPoints: 100), paymentMethods: ["mortgage", "provident_fund"])
        #expect(mortgage.allows(paymentMethod: "provident_fund"))
        #expect(!mortgage.allows(paymentMethod: "full_payment"))
    }
}

@Suite("Quotes")
struct QuoteTests {
    let now = RFC3339.date(from: "2026-05-01T10:00:00+08:00")!
    let building = UUID()
    var room: QuoteRoom { QuoteRoom(id: UUID(uuidString: "0190A000-0000-7000-8000-000000000001")!, buildingID: building,
                                    listPrice: money("2000000.00"), floorPrice: money("1900000.00")) }

    func scheme(_ code: String, _ kind: DiscountKind, order: Int = 0, methods: Set<String> = [],
                from: Date? = nil, until: Date? = nil, rooms: Set<UUID> = [], buildings: Set<UUID> = [], active: Bool = true) -> DiscountScheme {
        DiscountScheme(id: UUID(), code: code, name: code.uppercased(), kind: kind, paymentMethods: methods, validFrom: from,
                       validUntil: until, buildingIDs: buildings, roomIDs: rooms, stackingOrder: order, active: active)
    }

    func quote(_ schemes: [DiscountScheme], room: QuoteRoom? = nil, method: String = "full_payment") throws(QuoteError) -> Quote {
        try Quote.compute(room: room ?? self.room, paymentMethod: method, schemes: schemes, at: now)
    }

    func refusal(_ schemes: [DiscountScheme], method: String = "full_payment", at moment: Date? = nil) -> [FieldViolation]? {
        do {
            _ = try Quote.compute(room: room, paymentMethod: method, schemes: schemes, at: moment ?? now)
            return nil
        } catch {
            guard case .notApplicable(let violations) = error else { return nil }
            return violations
        }
    }

    @Test func noDiscountsGiveTheListPrice() throws {
        let result = try quote([])
        #expect(result.finalPrice == money("2000000.00"))
        #expect(result.totalDiscount == .zero)
        #expect(result.steps.isEmpty)
        #expect(!result.breachesFloor)
        #expect(result.floorPrice == money("1900000.00"))
        #expect(result.roomID == room.id && result.paymentMethod == "full_payment")
    }

    @Test func appliesInStackingOrderWhateverTheClientsOrder() throws {
        let full = scheme("full-payment", .percentage(basisPoints: 200), order: 1, methods: ["full_payment"])
        let spring = scheme("spring", .fixedAmount(money("30000.00")), order: 2)
        let vip = scheme("a-vip", .percentage(basisPoints: 50), order: 2)
        let expected = ["full-payment", "a-vip", "spring"]
        for order in [[full, spring, vip], [vip, spring, full], [spring, full, vip], [vip, full, spring]] {
            let result = try quote(order)
            #expect(result.steps.map(\.code) == expected)
            // 2,000,000 − 2 % = 1,960,000; − 0.5 % = 1,950,200; − 30,000 = 1,920,200
            #expect(result.steps.map(\.amountOff) == [money("40000.00"), money("9800.00"), money("30000.00")])
            #expect(result.steps.map(\.priceAfter) == [money("1960000.00"), money("1950200.00"), money("1920200.00")])
            #expect(result.finalPrice == money("1920200.00"))
            #expect(result.totalDiscount == money("79800.00"))
            #expect(!result.breachesFloor)
            #expect(result.steps[0].schemeID == full.id && result.steps[0].name == "FULL-PAYMENT")
            #expect(result.steps[0].kind == .percentage(basisPoints: 200))
        }
    }

    @Test func orderMattersBetweenPercentageAndFixedAmount() throws {
        let percentFirst = try quote([scheme("p", .percentage(basisPoints: 1000), order: 1), scheme("f", .fixedAmount(money("100000.00")), order: 2)])
        let fixedFirst = try quote([scheme("p", .percentage(basisPoints: 1000), order: 2), scheme("f", .fixedAmount(money("100000.00")), order: 1)])
        #expect(percentFirst.finalPrice == money("1700000.00"))  // 2,000,000 × 0.9 − 100,000
        #expect(fixedFirst.finalPrice == money("1710000.00"))    // (2,000,000 − 100,000) × 0.9
    }

    @Test func percentagesRoundHalfAwayFromZeroToTheCent() throws {
        func off(_ list: String, _ basisPoints: Int) throws -> Money {
            let room = QuoteRoom(id: UUID(), buildingID: building, listPrice: money(list))
            return try quote([scheme("p", .percentage(basisPoints: basisPoints))], room: room).steps[0].amountOff
        }
        #expect(try off("0.50", 100) == money("0.01"))      // 0.005 → 0.01
        #expect(try off("0.49", 100) == money("0.00"))      // 0.0049 → 0.00
        #expect(try off("1234567.89", 150) == money("18518.52"))  // 18518.51835 → 18518.52
        #expect(try off("1000.10", 5) == money("0.50"))      // 0.50005 → 0.50
        #expect(try off("1000.00", 5) == money("0.50"))
        #expect(try off("33.33", 5000) == money("16.67"))   // 16.665 → 16.67
        #expect(try off("100.00", 10_000) == money("100.00"))
    }

    @Test func thePriceNeverGoesBelowZero() throws {
        let small = QuoteRoom(id: UUID(), buildingID: building, listPrice: money("50000.00"), floorPrice: money("45000.00"))
        let result = try quote([scheme("big", .fixedAmount(money("60000.00")), order: 1),
                                scheme("more", .fixedAmount(money("10.00")), order: 2),
                                scheme("pct", .percentage(basisPoints: 500), order: 3)], room: small)
        #expect(result.steps.map(\.amountOff) == [money("50000.00"), .zero, .zero])
        #expect(result.finalPrice == .zero)
        #expect(result.totalDiscount == money("50000.00"))
        #expect(result.breachesFloor)
    }

    @Test func floorBreachIsFlaggedNotRefused() throws {
        let atFloor = try quote([scheme("five", .percentage(basisPoints: 500))])
        #expect(atFloor.finalPrice == money("1900000.00"))
        #expect(!atFloor.breachesFloor)  // exactly at the floor is allowed
        let below = try quote([scheme("five", .percentage(basisPoints: 500)), scheme("one-cent", .fixedAmount(money("0.01")), order: 1)])
        #expect(below.finalPrice == money("1899999.99"))
        #expect(below.breachesFloor)
        let noFloor = QuoteRoom(id: UUID(), buildingID: building, listPrice: money("100.00"))
        let free = try quote([scheme("all", .percentage(basisPoints: 10_000))], room: noFloor)
        #expect(free.finalPrice == .zero && !free.breachesFloor && free.floorPrice == nil)
    }

    @Test func refusesAnInactiveScheme() {
        let violations = refusal([scheme("ok", .percentage(basisPoints: 100)), scheme("old", .percentage(basisPoints: 100), active: false)])
        #expect(violations?.map(\.field) == ["discountIds[1]"])
        #expect(violations?.first?.message.contains("not active") == true)
    }

    @Test func refusesAnotherPaymentMethod() {
        let mortgage = scheme("mortgage-1", .percentage(basisPoints: 100), methods: ["mortgage"])
        #expect(refusal([mortgage])?.map(\.field) == ["discountIds[0]"])
        #expect(refusal([mortgage])?.first?.message.contains("mortgage") == true)
        #expect(refusal([mortgage], method: "mortgage") == nil)
    }

    @Test func refusesOutsideTheWindow() {
        let may = scheme("may", .percentage(basisPoints: 100), from: now, until: now.addingTimeInterval(86_400))
        #expect(refusal([may], at: now) == nil)
        #expect(refusal([may], at: now.addingTimeInterval(-1))?.map(\.field) == ["discountIds[0]"])
        #expect(refusal([may], at: now.addingTimeInterval(86_400))?.map(\.field) == ["discountIds[0]"])
        #expect(refusal([may], at: now.addingTimeInterval(86_399)) == nil)
    }

    @Test func refusesARoomOutsideTheSet() {
        let otherBuilding = scheme("tower-b", .percentage(basisPoints: 100), buildings: [UUID()])
        let otherRoom = scheme("corner", .percentage(basisPoints: 100), rooms: [UUID()])
        let thisBuilding = scheme("tower-a", .percentage(basisPoints: 100), buildings: [building])
        let thisRoom = scheme("this", .percentage(basisPoints: 100), rooms: [room.id], buildings: [UUID()])
        #expect(refusal([thisBuilding, otherBuilding, thisRoom, otherRoom])?.map(\.field) == ["discountIds[1]", "discountIds[3]"])
    }

    @Test func refusesTheSameSchemeTwice() {
        let once = scheme("once", .percentage(basisPoints: 100))
        let violations = refusal([once, scheme("other", .fixedAmount(money("1.00"))), once, once])
        #expect(violations?.map(\.field) == ["discountIds[2]", "discountIds[3]"])
        #expect(violations?.first?.message.contains("discountIds[0]") == true)
    }

    @Test func reportsEveryReasonOfEveryScheme() {
        let bad = scheme("bad", .percentage(basisPoints: 100), methods: ["mortgage"], until: now, rooms: [UUID()], active: false)
        let violations = refusal([scheme("fine", .percentage(basisPoints: 1)), bad])
        #expect(violations?.map(\.field) == Array(repeating: "discountIds[1]", count: 4))
    }

    @Test func refusesANegativeListPrice() {
        let room = QuoteRoom(id: UUID(), buildingID: building, listPrice: money("-1.00"))
        #expect(throws: QuoteError.invalidInput([FieldViolation(field: "listPrice", message: "must not be negative")])) {
            try Quote.compute(room: room, paymentMethod: "x", schemes: [], at: now)
        }
    }
}
