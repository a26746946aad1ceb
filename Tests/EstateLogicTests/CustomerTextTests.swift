import EstateLogic
import Foundation
import Testing

@Suite("Customer text")
struct CustomerTextTests {
    @Test func halfWidthTurnsFullWidthFormsIntoASCII() {
        #expect(CustomerText.halfWidth("１３８００１３８０００") == "13800138000")
        #expect(CustomerText.halfWidth("（０１０）－６５５２") == "(010)-6552")
        #expect(CustomerText.halfWidth("ＡＢＣ　ｘｙｚ") == "ABC xyz")
        #expect(CustomerText.halfWidth("！～") == "!~")                 // both ends of the block
        #expect(CustomerText.halfWidth("\u{FF00}\u{FF5F}") == "\u{FF00}\u{FF5F}")  // just outside it
        #expect(CustomerText.halfWidth("张三，李四") == "张三,李四")
        #expect(CustomerText.halfWidth("") == "")
        #expect(CustomerText.halfWidth("plain 1-2") == "plain 1-2")
    }

    @Test func normalizedNameTrimsCollapsesAndLowerCases() {
        #expect(CustomerText.normalizedName("  张三 ") == "张三")
        #expect(CustomerText.normalizedName("张　三") == "张 三")
        #expect(CustomerText.normalizedName("ＪＯＨＮ　 Smith") == "john smith")
        #expect(CustomerText.normalizedName("John\t\n  SMITH  ") == "john smith")
        #expect(CustomerText.normalizedName("   ") == "")
        #expect(CustomerText.normalizedName("") == "")
        #expect(CustomerText.normalizedName("王小明") == CustomerText.normalizedName(" 王小明　"))
    }

    @Test func controlCharactersAreCategoryCc() {
        #expect(CustomerText.hasControlCharacter("a\u{0}b"))
        #expect(CustomerText.hasControlCharacter("line\nbreak"))
        #expect(CustomerText.hasControlCharacter("\t"))
        #expect(CustomerText.hasControlCharacter("\u{7F}"))
        #expect(CustomerText.hasControlCharacter("\u{85}"))
        #expect(!CustomerText.hasControlCharacter("张三 Smith-Jones 123"))
        #expect(!CustomerText.hasControlCharacter("\u{200B}"))  // format (Cf), not control
        #expect(!CustomerText.hasControlCharacter(""))
    }
}

@Suite("Customer needs")
struct CustomerNeedsTests {
    @Test func anEmptyObjectIsNothingKnownYet() throws {
        let decoded = try JSONDecoder().decode(CustomerNeeds.self, from: Data("{}".utf8))
        #expect(decoded == CustomerNeeds())
        let some = try JSONDecoder().decode(CustomerNeeds.self, from: Data(#"{"budget":"3000000","purpose":"upgrade"}"#.utf8))
        #expect(some.budget == Money("3000000") && some.layouts.isEmpty && some.purpose == .upgrade)
    }
}
