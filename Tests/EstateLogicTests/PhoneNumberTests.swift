import EstateLogic
import Testing

@Suite("Phone numbers")
struct PhoneNumberTests {
    @Test func oneNumberWrittenFiveWaysIsOneNumber() {
        let ways = ["+86 138 0013 8000", "0086-13800138000", "8613800138000", "138-0013-8000", "（138）0013 8000"]
        #expect(Set(ways.map(PhoneNumber.normalize)) == ["13800138000"])
    }

    @Test(arguments: [
        ("13800138000", "13800138000"),
        ("138 0013 8000", "13800138000"),
        ("138.0013.8000", "13800138000"),
        ("138/0013/8000", "13800138000"),
        ("(138) 0013-8000", "13800138000"),
        ("１３８ ００１３ ８０００", "13800138000"),
        ("＋８６　１３８－００１３－８０００", "13800138000"),
        ("138\u{2013}0013\u{2014}8000", "13800138000"),
        ("138\u{00A0}0013\t8000", "13800138000"),
        ("  13800138000  ", "13800138000"),
    ])
    func separatorsAndFullWidthFormsAreIgnored(raw: String, normalized: String) {
        #expect(PhoneNumber.normalize(raw) == normalized)
    }

    @Test func chinaCountryCodeIsDropped() {
        #expect(PhoneNumber.normalize("+8613800138000") == "13800138000")
        #expect(PhoneNumber.normalize("+86-138-0013-8000") == "13800138000")
        #expect(PhoneNumber.normalize("008613800138000") == "13800138000")
        #expect(PhoneNumber.normalize("0086 138 0013 8000") == "13800138000")
        #expect(PhoneNumber.normalize("86 138 0013 8000") == "13800138000")
        #expect(PhoneNumber.normalize("+86 (0)10 6552 8888") == "01065528888")
        #expect(PhoneNumber.normalize("+86 10 6552 8888") == "01065528888", "a landline gets its trunk 0 back")
        #expect(PhoneNumber.normalize("0086 755 8888 6666") == "075588886666")
    }

    @Test func withoutAPrefixOnlyAMobileLosesItsEightySix() {
        #expect(PhoneNumber.normalize("861380013800") == "861380013800")      // 12 digits: not 86 + a mobile
        #expect(PhoneNumber.normalize("86138001380001") == "86138001380001")  // 14 digits
        #expect(PhoneNumber.normalize("8623800138000") == "8623800138000")    // the 11 digits do not start with 1
        #expect(PhoneNumber.normalize("86123") == "86123")
    }

    @Test func otherCountriesKeepTheirCode() {
        #expect(PhoneNumber.normalize("+852 9123 4567") == "85291234567")
        #expect(PhoneNumber.normalize("00852 9123 4567") == "85291234567")
        #expect(PhoneNumber.normalize("+1 (415) 555-0100") == "14155550100")
        #expect(PhoneNumber.normalize("+44 20 7946 0958") == "442079460958")
        #expect(PhoneNumber.normalize("+886 912 345 678") == "886912345678")
    }

    @Test func landlinesKeepTheirAreaCode() {
        #expect(PhoneNumber.normalize("010-6552 8888") == "01065528888")
        #expect(PhoneNumber.normalize("(0755) 8888-6666") == "075588886666")
        #expect(PhoneNumber.normalize("6552 8888") == "65528888")
        #expect(PhoneNumber.normalize("95588") == "95588")
    }

    @Test(arguments: [
        "", "   ", "+", "00", "1234", "+86", "0086", "12345678901234567", "1380013800a", "138 0013 8000 ext 12",
        "+86+13800138000", "138+00138000", "tel:13800138000", "138_0013_8000", "١٣٨٠٠١٣٨٠٠٠", "+-", "--", "1234\u{0}5",
    ])
    func refusesAnythingElse(raw: String) {
        #expect(PhoneNumber.normalize(raw) == nil)
    }

    @Test func digitCountBounds() {
        #expect(PhoneNumber.normalize("12345") == "12345")
        #expect(PhoneNumber.normalize("123456789012345") == "123456789012345")
        #expect(PhoneNumber.normalize("1234567890123456") == nil)
        #expect(PhoneNumber.normalize("+123456789012345") == "123456789012345")
        #expect(PhoneNumber.normalize("00123456789012345") == "123456789012345")
        #expect(PhoneNumber.normalize("+1234") == nil)
    }

    @Test func masking() {
        #expect(PhoneNumber.mask("13800138000") == "138****8000")
        #expect(PhoneNumber.mask("85291234567") == "852****4567")
        #expect(PhoneNumber.mask("075588886666") == "075*****6666")
        #expect(PhoneNumber.mask("65528888") == "655*8888")
        #expect(PhoneNumber.mask("6552888") == "*****88")
        #expect(PhoneNumber.mask("95588") == "***88")
        #expect(PhoneNumber.mask("12") == "12")
        #expect(PhoneNumber.mask("") == "")
        #expect(PhoneNumber.mask("123456789012345") == "123********2345")
    }
}
