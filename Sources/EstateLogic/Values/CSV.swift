import Foundation

/// One record (row) of a CSV text.
public struct CSVRecord: Sendable, Hashable {
    /// The 1-based line on which the record starts (a quoted field may continue it on later lines).
    public var line: Int
    /// The fields, unquoted.
    public var fields: [String]

    /// A record starting on `line`.
    public init(line: Int, fields: [String]) {
        self.line = line
        self.fields = fields
    }
}

/// Why a CSV text cannot be read, and where.
public struct CSVError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong.
    public enum Kind: String, Sendable, Hashable {
        /// A quoted field never ends; the position is that of its opening quote.
        case unterminatedQuote = "unterminated_quote"
        /// Something other than a comma or a line break follows a closing quote; the position is that of the text.
        case textAfterClosingQuote = "text_after_closing_quote"
        /// The text holds the NUL character (U+0000), which no field may contain; the position is that of the character.
        case nulCharacter = "nul_character"
    }

    /// What is wrong.
    public var kind: Kind
    /// 1-based line.
    public var line: Int
    /// 1-based column, counted in Unicode scalars from the start of the line.
    public var column: Int

    /// An error of `kind` at `line`, `column`.
    public init(kind: Kind, line: Int, column: Int) {
        self.kind = kind
        self.line = line
        self.column = column
    }

    public var description: String {
        switch kind {
        case .unterminatedQuote: "line \(line), column \(column): the quoted field starting here has no closing quote"
        case .textAfterClosingQuote: "line \(line), column \(column): only a comma or a line break may follow a closing quote"
        case .nulCharacter: "line \(line), column \(column): the NUL character (U+0000) may not appear in a field"
        }
    }
}

/// A reader of comma-separated values (RFC 4180), for imports.
public enum CSV {
    /// The records of `text`:
    /// - fields are separated by commas, records by CRLF or LF (a lone CR counts as a line break too);
    /// - a field starting with `"` is quoted: it may contain commas and line breaks (kept as written),
    ///   and `""` stands for one `"`; a quote inside an unquoted field is an ordinary character;
    /// - a leading UTF-8 byte order mark is ignored, and so is the line break that ends the last record;
    ///   any other empty line is a record with one empty field;
    /// - an empty text has no records.
    public static func parse(_ text: String) throws(CSVError) -> [CSVRecord] {
        let quote: Unicode.Scalar = "\"", comma: Unicode.Scalar = ",", lf: Unicode.Scalar = "\n", cr: Unicode.Scalar = "\r", nul: Unicode.Scalar = "\u{0}"
        var scalars = Array(text.unicodeScalars)[...]
        if scalars.first == "\u{FEFF}" { scalars = scalars.dropFirst() }

        var records: [CSVRecord] = []
        var fields: [String] = []
        var field = String.UnicodeScalarView()
        var line = 1, column = 1
        var recordLine = 1
        var atFieldStart = true
        var recordStarted = false
        var index = scalars.startIndex

        /// Consumes a line break at `index` (CRLF, LF or CR).
        func consumeLineBreak() {
            if scalars[index] == cr, scalars.index(after: index) < scalars.endIndex, scalars[scalars.index(after: index)] == lf {
                index += 2
            } else {
                index += 1
            }
            line += 1
            column = 1
        }

        while index < scalars.endIndex {
            let scalar = scalars[index]
            recordStarted = true
            if scalar == nul { throw CSVError(kind: .nulCharacter, line: line, column: column) }
            if atFieldStart && scalar == quote {
                let openLine = line, openColumn = column
                index += 1
                column += 1
                while true {
                    guard index < scalars.endIndex else {
                        throw CSVError(kind: .unterminatedQuote, line: openLine, column: openColumn)
                    }
                    let inner = scalars[index]
                    if inner == nul { throw CSVError(kind: .nulCharacter, line: line, column: column) }
                    if inner == quote {
                        if index + 1 < scalars.endIndex, scalars[index + 1] == quote {
                            field.append(quote)
                            index += 2
                            column += 2
                            continue
                        }
                        index += 1
                        column += 1
                        break
                    }
                    if inner == cr || inner == lf {
                        let start = index
                        consumeLineBreak()
                        field.append(contentsOf: scalars[start..<index])
                        continue
                    }
                    field.append(inner)
                    index += 1
                    column += 1
                }
                if index < scalars.endIndex, ![comma, lf, cr].contains(scalars[index]) {
                    throw CSVError(kind: .textAfterClosingQuote, line: line, column: column)
                }
                atFieldStart = false
                continue
            }
            switch scalar {
            case comma:
                fields.append(String(field))
                field = String.UnicodeScalarView()
                atFieldStart = true
                index += 1
                column += 1
            case lf, cr:
                fields.append(String(field))
                records.append(CSVRecord(line: recordLine, fields: fields))
                fields = []
                field = String.UnicodeScalarView()
                atFieldStart = true
                recordStarted = false
                consumeLineBreak()
                recordLine = line
            default:
                field.append(scalar)
                atFieldStart = false
                index += 1
                column += 1
            }
        }
        if recordStarted {
            fields.append(String(field))
            records.append(CSVRecord(line: recordLine, fields: fields))
        }
        return records
    }
}
