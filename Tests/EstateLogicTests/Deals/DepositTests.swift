import EstateLogic
import Testing

private func money(_ text: String) -> Money { Money(text)! }

@Suite("Deposits")
struct DepositTests {
    func fields(_ kind: DepositKind, _ amount: String, price: String?) -> [String] {
        Deposit(kind: kind, amount: money(amount)).violations(price: price.map(money)).map(\.field)
    }

    @Test func onlyTheEarnestIsForfeitable() {
        #expect(DepositKind.earnest.isForfeitable)
        #expect(!DepositKind.intent.isForfeitable)
    }

    @Test func anEarnestIsAtMostTwentyPercent() {
        #expect(fields(.earnest, "200000", price: "1000000") == [])
        #expect(fields(.earnest, "200000.01", price: "1000000") == ["deposit.amount"])
        #expect(fields(.earnest, "0.01", price: "0.05") == [])
        #expect(fields(.earnest, "0.02", price: "0.05") == ["deposit.amount"])   // 20 % of 0.05 is 0.01
        #expect(Deposit.maximumEarnest(price: money("1000000")) == money("200000"))
        #expect(Deposit.maximumEarnest(price: money("1234567.89")) == money("246913.57"))  // 246,913.578 rounded down
        #expect(fields(.earnest, "246913.57", price: "1234567.89") == [])
        #expect(fields(.earnest, "246913.58", price: "1234567.89") == ["deposit.amount"])
    }

    @Test func intentMoneyMayBeAnyShareOfThePrice() {
        #expect(fields(.intent, "500000", price: "1000000") == [])
        #expect(fields(.intent, "1000000", price: "1000000") == [])
        #expect(fields(.intent, "1000000.01", price: "1000000") == ["deposit.amount"])
        #expect(fields(.intent, "20000", price: nil) == [])
    }

    @Test func refusesNothingAndEarnestWithoutPrice() {
        #expect(fields(.intent, "0", price: "1000") == ["deposit.amount"])
        #expect(fields(.earnest, "-1", price: nil) == ["deposit.amount"])
        #expect(fields(.earnest, "100", price: nil) == ["deposit.kind"])
    }
}
