import EstateLogic
import Foundation
import Testing

@Suite("Receipt numbers")
struct ReceiptNumberTests {
    @Test func formatsAndParsesTheCanonicalForm() throws {
        let number = try #require(ReceiptNumber(prefix: "SH01", year: 2026, sequence: 42))
        #expect(number.description == "SH01-2026-000042")
        #expect(ReceiptNumber("SH01-2026-000042") == number)
        #expect(ReceiptNumber(prefix: "A", year: 2026, sequence: 999_999)?.description == "A-2026-999999")
        #expect(ReceiptNumber(prefix: "A", year: 2026, sequence: 1_000_000)?.description == "A-2026-1000000")
        #expect(ReceiptNumber("A-2026-1000000")?.sequence == 1_000_000)
        #expect(ReceiptNumber("ABCDEFGHIJ-9999-999999999")?.sequence == ReceiptNumber.maximumSequence)
        for sequence in [1, 9, 10, 99_999, 123_456, 1_234_567, 999_999_999] {
            let made = ReceiptNumber(prefix: "P7", year: 2030, sequence: sequence)!
            #expect(ReceiptNumber(made.description) == made)
        }
    }

    @Test(arguments: ["", "SH01-2026-42", "SH01-2026-0000042", "SH01-2026-000000", "sh01-2026-000042", "1SH-2026-000042",
                      "SH01-26-000042", "SH01-0999-000042", "SH01-2026-000042 ", " SH01-2026-000042", "SH01--2026-000042",
                      "SH-01-2026-000042", "SH01-2026-00004A", "SH01-2026-+00042", "ABCDEFGHIJK-2026-000001",
                      "SH01-2026-1000000000", "SH01_2026_000042", "SH01-2026-０00042"])
    func refusesAnythingElse(text: String) {
        #expect(ReceiptNumber(text) == nil)
    }

    @Test func partsAreChecked() {
        #expect(ReceiptNumber(prefix: "SH01", year: 2026, sequence: 0) == nil)
        #expect(ReceiptNumber(prefix: "SH01", year: 999, sequence: 1) == nil)
        #expect(ReceiptNumber(prefix: "SH01", year: 10_000, sequence: 1) == nil)
        #expect(ReceiptNumber(prefix: "SH01", year: 2026, sequence: 1_000_000_000) == nil)
        #expect(ReceiptNumber(prefix: "SH-1", year: 2026, sequence: 1) == nil)
        #expect(ReceiptNumber.prefixViolations("SH01").isEmpty)
        #expect(ReceiptNumber.prefixViolations("sh").map(\.field) == ["receiptPrefix"])
        #expect(ReceiptNumber.prefixViolations("", field: "prefix").map(\.field) == ["prefix"])
    }

    @Test func ordersByPrefixYearAndSequence() {
        let numbers = ["B-2026-000001", "A-2027-000001", "A-2026-000010", "A-2026-000002"].compactMap(ReceiptNumber.init)
        #expect(numbers.sorted().map(\.description) == ["A-2026-000002", "A-2026-000010", "A-2027-000001", "B-2026-000001"])
    }

    @Test func codesAsItsText() throws {
        let number = ReceiptNumber(prefix: "SH01", year: 2026, sequence: 7)!
        let json = try JSONEncoder().encode([number])
        #expect(String(decoding: json, as: UTF8.self) == #"["SH01-2026-000007"]"#)
        #expect(try JSONDecoder().decode([ReceiptNumber].self, from: json) == [number])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ReceiptNumber].self, from: Data(#"["SH01-2026-7"]"#.utf8)) }
    }
}
