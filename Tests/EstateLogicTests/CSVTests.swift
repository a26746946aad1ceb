import EstateLogic
import Testing

private func rows(_ text: String) throws(CSVError) -> [[String]] { try CSV.parse(text).map(\.fields) }
private func lines(_ text: String) throws(CSVError) -> [Int] { try CSV.parse(text).map(\.line) }

private func error(_ text: String) -> CSVError? {
    do { _ = try CSV.parse(text); return nil } catch { return error }
}

@Suite("CSV")
struct CSVTests {
    @Test func plainRecords() throws {
        #expect(try rows("number,floor,area\n1203,12,89.57\n") == [["number", "floor", "area"], ["1203", "12", "89.57"]])
        #expect(try rows("a,b\nc,d") == [["a", "b"], ["c", "d"]])  // no final line break
        #expect(try rows("a") == [["a"]])
        #expect(try rows("") == [])
        #expect(try rows("a,,c,") == [["a", "", "c", ""]])
        #expect(try rows(",") == [["", ""]])
        #expect(try rows(" a , b ") == [[" a ", " b "]])  // spaces are data
        #expect(try rows("一号楼,东") == [["一号楼", "东"]])
    }

    @Test func lineEndings() throws {
        #expect(try rows("a,b\r\nc,d\r\n") == [["a", "b"], ["c", "d"]])
        #expect(try rows("a,b\nc,d\r\ne\rf") == [["a", "b"], ["c", "d"], ["e"], ["f"]])
        #expect(try lines("a\r\nb\r\nc") == [1, 2, 3])
    }

    @Test func onlyTheFinalLineBreakIsIgnored() throws {
        #expect(try rows("a\n") == [["a"]])
        #expect(try rows("a\r\n") == [["a"]])
        #expect(try rows("a\n\n") == [["a"], [""]])
        #expect(try rows("a\n\nb") == [["a"], [""], ["b"]])
        #expect(try lines("a\n\nb") == [1, 2, 3])
        #expect(try rows("\n") == [[""]])
    }

    @Test func byteOrderMarkIsIgnored() throws {
        #expect(try rows("\u{FEFF}number,floor\n1,2\n") == [["number", "floor"], ["1", "2"]])
        #expect(try rows("\u{FEFF}") == [])
        #expect(try rows("a,\u{FEFF}b") == [["a", "\u{FEFF}b"]])  // only a leading one
        #expect(error("\u{FEFF}\"ab\"c") == CSVError(kind: .textAfterClosingQuote, line: 1, column: 5))
    }

    @Test func quotedFields() throws {
        #expect(try rows(#""a","b,c""#) == [["a", "b,c"]])
        #expect(try rows(#""say ""hi""",x"#) == [[#"say "hi""#, "x"]])
        #expect(try rows(#""""#) == [[""]])
        #expect(try rows(#""""""#) == [[#"""#]])
        #expect(try rows(#"a,"",c"#) == [["a", "", "c"]])
        #expect(try rows("\"a\"\n\"b\"\r\n") == [["a"], ["b"]])
        #expect(try rows(#"ab"c,d"#) == [[#"ab"c"#, "d"]])  // a quote inside an unquoted field is data
        #expect(try rows(#" "a""#) == [[#" "a""#]])         // not at the field's start: data
    }

    @Test func quotedFieldsSpanLines() throws {
        let text = "number,note\n1203,\"corner unit,\nsea view\"\r\n1204,\"two\r\nlines\"\n1205,plain\n"
        let records = try CSV.parse(text)
        #expect(records.map(\.fields) == [["number", "note"], ["1203", "corner unit,\nsea view"], ["1204", "two\r\nlines"], ["1205", "plain"]])
        #expect(records.map(\.line) == [1, 2, 4, 6])
    }

    @Test func unterminatedQuoteNamesWhereItOpened() {
        #expect(error("a,\"bc") == CSVError(kind: .unterminatedQuote, line: 1, column: 3))
        #expect(error("x\ny,z,\"open\nmore\nstill") == CSVError(kind: .unterminatedQuote, line: 2, column: 5))
        #expect(error("\"") == CSVError(kind: .unterminatedQuote, line: 1, column: 1))
        #expect(error("\"ab\"\"") == CSVError(kind: .unterminatedQuote, line: 1, column: 1))  // the last quote is escaped
    }

    @Test func textAfterClosingQuoteNamesTheText() {
        #expect(error("\"ab\"c,d") == CSVError(kind: .textAfterClosingQuote, line: 1, column: 5))
        #expect(error("ok\n1,\"x\" ,2") == CSVError(kind: .textAfterClosingQuote, line: 2, column: 6))
        #expect(error("\"multi\nline\"x") == CSVError(kind: .textAfterClosingQuote, line: 2, column: 6))
        #expect(error("\"a\"\"b\"\"\"\"") == CSVError(kind: .unterminatedQuote, line: 1, column: 1))
    }

    @Test func theNulCharacterIsRefusedWhereItStands() {
        #expect(error("a,b\u{0}c") == CSVError(kind: .nulCharacter, line: 1, column: 4))
        #expect(error("ok\n\"x\ny\u{0}\"") == CSVError(kind: .nulCharacter, line: 3, column: 2))
    }

    @Test func errorsDescribeThemselves() {
        let error = CSVError(kind: .unterminatedQuote, line: 3, column: 7)
        #expect(error.description.contains("line 3, column 7"))
        #expect(CSVError.Kind.textAfterClosingQuote.rawValue == "text_after_closing_quote")
    }

    @Test func manyRecords() throws {
        let text = (1...1_000).map { "\($0),\"r\($0)\"" }.joined(separator: "\r\n")
        let records = try CSV.parse(text)
        #expect(records.count == 1_000)
        #expect(records.last == CSVRecord(line: 1_000, fields: ["1000", "r1000"]))
    }
}
