import EstateLogic
import Foundation
import Testing

private let today = RFC3339.date(from: "2026-03-15T12:00:00Z")!

private func messages(_ type: IDDocumentType, _ number: String, today: Date = today) -> [String] {
    IDDocument.violations(type: type, number: number, today: today).map(\.message)
}

private func birth(_ number: String) -> [Int]? {
    IDDocument.residentIDBirthDate(number).map { [$0.year, $0.month, $0.day] }
}

@Suite("ID documents")
struct IDDocumentTests {
    @Test func typesHaveStableCodes() {
        #expect(IDDocumentType.allCases.map(\.rawValue)
            == ["resident_id", "passport", "hk_macao_permit", "taiwan_permit", "business_license", "other"])
    }

    @Test func normalizeRemovesSpacesAndUpperCases() {
        #expect(IDDocument.normalize("11010519491231002x") == "11010519491231002X")
        #expect(IDDocument.normalize(" 110105 19491231\t002X\n") == "11010519491231002X")
        #expect(IDDocument.normalize("１１０１０５１９４９１２３１００２ｘ") == "11010519491231002X")
        #expect(IDDocument.normalize("１１０１０５　１９４９") == "1101051949")
        #expect(IDDocument.normalize("e 1234 5678") == "E12345678")
        #expect(IDDocument.normalize("") == "")
    }

    @Test(arguments: ["11010519491231002X", "11010519491231002x", "110105 19491231 002X", "１１０１０５１９４９１２３１００２Ｘ"])
    func validResidentID(number: String) {
        #expect(IDDocument.violations(type: .residentID, number: number, today: today) == [])
    }

    @Test func residentIDSamplesHaveTheirCheckCharacter() {
        #expect(IDDocument.residentIDCheckCharacter("11010519491231002") == "X")
        #expect(IDDocument.residentIDCheckCharacter("44052418800101001") == "4")
        #expect(IDDocument.residentIDCheckCharacter("1101051949123100") == nil)    // 16 digits
        #expect(IDDocument.residentIDCheckCharacter("110105194912310021") == nil)  // 18
        #expect(IDDocument.residentIDCheckCharacter("1101051949123100X") == nil)
        #expect(IDDocument.residentIDCheckCharacter("１１０１０５１９４９１２３１００２") == nil)  // not normalised
        #expect(IDDocument.residentIDCheckCharacter("") == nil)
    }

    @Test(arguments: ["11010519491231003X", "11010519491231002", "110105194912310021", "21010519491231002X", "11010519491231002Y"])
    func aChangedCharacterIsRefused(number: String) {
        #expect(!messages(.residentID, number).isEmpty)
    }

    @Test func wrongCheckDigitSaysSo() {
        #expect(messages(.residentID, "11010519491231003X") == ["the check digit does not match"])
        #expect(messages(.residentID, "110105194912310021") == ["the check digit does not match"])
        #expect(messages(.residentID, "21010519491231002X") == ["the check digit does not match"])
    }

    @Test(arguments: ["", "1101051949123100", "11010519491231002XX", "1101051949123100XX", "11010519491231002Y",
                      "1101O519491231002X", "11010519491231002-", "１１０１０５１９４９１２３１００２Ａ"])
    func malformedResidentID(number: String) {
        #expect(messages(.residentID, number) == ["a resident ID must be 17 digits followed by a digit or X"])
    }

    @Test func birthDateIsRead() {
        #expect(birth("11010519491231002X") == [1949, 12, 31])
        #expect(birth("440524188001010014") == [1880, 1, 1])
        #expect(birth("110105200002290000") == [2000, 2, 29])  // the check character is not looked at
        #expect(birth("110105190002290000") == nil)            // 1900 is not a leap year
        #expect(birth("110105202302290000") == nil)
        #expect(birth("110105194913010000") == nil)
        #expect(birth("110105194900010000") == nil)
        #expect(birth("110105194904310000") == nil)
        #expect(birth("110105194912320000") == nil)
        #expect(birth("110105000001010000") == nil)            // there is no year 0
        #expect(birth("1101051949123100") == nil)
        #expect(birth("11010519A91231002X") == nil)
    }

    @Test func birthDateMustBeRealAndInRange() {
        let outOfRange = "the birth date must be between 1900-01-01 and today"
        #expect(messages(.residentID, "440524188001010014") == [outOfRange], "a valid check digit, born 1880")
        #expect(messages(.residentID, "440524188001010015") == ["the check digit does not match", outOfRange])
        #expect(messages(.residentID, "110105194902300000").contains("the birth date is not a real date"))
    }

    @Test func birthDateMustNotBeInTheFuture() throws {
        let number = "11010519491231002X"
        #expect(messages(.residentID, number, today: try #require(RFC3339.date(from: "1949-12-31T00:00:00Z"))) == [])
        #expect(messages(.residentID, number, today: try #require(RFC3339.date(from: "1949-12-30T23:59:59Z")))
            == ["the birth date must be between 1900-01-01 and today"])
        // Today is taken in UTC: 07:00 in Beijing on the 31st is still the 30th.
        #expect(messages(.residentID, number, today: try #require(RFC3339.date(from: "1949-12-31T07:00:00+08:00")))
            == ["the birth date must be between 1900-01-01 and today"])
        #expect(messages(.residentID, number, today: try #require(RFC3339.date(from: "1949-12-31T08:00:00+08:00"))) == [])
        #expect(IDDocument.violations(type: .residentID, number: number) == [], "today by default is now")
    }

    @Test func businessLicense() {
        #expect(messages(.businessLicense, "91350100M000100Y43") == [])
        #expect(messages(.businessLicense, "91110000600037341L") == [])
        #expect(messages(.businessLicense, "91350100m000100y43") == [])
        #expect(messages(.businessLicense, " 9135 0100 M000 100Y 43 ") == [])
        #expect(messages(.businessLicense, "91350100M000100Y44") == ["the check character does not match"])
        #expect(messages(.businessLicense, "91350100M000101Y43") == ["the check character does not match"])
        let malformed = ["a unified social credit code must be 18 digits or upper-case letters other than I, O, Z, S and V"]
        for number in ["", "91350100M000100Y4", "91350100M000100Y433", "91350100M0001O0Y43", "91350100I000100Y43",
                       "9135010ZM000100Y43", "91350100M000100S43", "V1350100M000100Y43", "91350100M000100Y4-"] {
            #expect(messages(.businessLicense, number) == malformed, "\(number)")
        }
    }

    @Test(arguments: [IDDocumentType.passport, .hkMacaoPermit, .taiwanPermit])
    func passportsAndPermits(type: IDDocumentType) {
        for number in ["E12345678", "g1234567", "C 1234 5678", "12345", "ABCDEFGHIJ0123456789", "Ｈ０１２３４５６７"] {
            #expect(messages(type, number) == [], "\(number)")
        }
        for number in ["", "1234", "ABCDEFGHIJ01234567890", "E1234-5678", "护照123456", "É12345678", "E1234567\u{0}"] {
            #expect(messages(type, number) == ["must be 5 to 20 letters or digits"], "\(number)")
        }
    }

    @Test func otherDocuments() {
        #expect(messages(.other, "A") == [])
        #expect(messages(.other, "军官证 第 12345 号") == [])
        #expect(messages(.other, String(repeating: "9", count: 64)) == [])
        #expect(messages(.other, " 1 2 \n") == [], "white space and line breaks are removed first")
        #expect(messages(.other, "") == ["must be 1 to 64 characters"])
        #expect(messages(.other, "   ") == ["must be 1 to 64 characters"])
        #expect(messages(.other, String(repeating: "9", count: 65)) == ["must be 1 to 64 characters"])
        #expect(messages(.other, "AB\u{1}C") == ["must not contain control characters"])
        #expect(messages(.other, "\u{0}") == ["must not contain control characters"])
    }

    @Test func violationsNameTheField() {
        #expect(IDDocument.violations(type: .passport, number: "1", today: today)
            == [FieldViolation(field: "idNumber", message: "must be 5 to 20 letters or digits")])
        #expect(IDDocument.violations(type: .residentID, number: "11010519491231003X", field: "documents[1].number", today: today)
            == [FieldViolation(field: "documents[1].number", message: "the check digit does not match")])
    }

    @Test func masking() {
        #expect(IDDocument.mask("11010519491231002X") == "110***********002X")
        #expect(IDDocument.mask("91350100M000100Y43") == "913***********0Y43")
        #expect(IDDocument.mask("E12345678") == "E12**5678")
        #expect(IDDocument.mask("E1234567") == "******67")
        #expect(IDDocument.mask("12345") == "***45")
        #expect(IDDocument.mask("AB") == "AB")
        #expect(IDDocument.mask("A") == "A")
        #expect(IDDocument.mask("") == "")
        #expect(IDDocument.mask("军官证第12345号") == "军官证***345号")
    }
}
