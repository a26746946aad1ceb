import Foundation

/// A receipt's number: the project's prefix, the year and a gap-free sequence, `SH01-2026-000042`.
///
/// The sequence counts per project and year from 1 without gaps (the database keeps the counter and
/// hands out numbers in the transaction that writes the receipt; a voided receipt keeps its number).
/// This type only formats and checks. The text form is canonical: the sequence is zero-padded to six
/// digits and printed without padding beyond that, so one receipt has exactly one text.
public struct ReceiptNumber: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The project's receipt prefix: 1 to 10 upper-case ASCII letters or digits, starting with a letter.
    public let prefix: String
    /// The year, 1000 to 9999.
    public let year: Int
    /// 1 to ``maximumSequence``.
    public let sequence: Int

    /// Digits the sequence is padded to.
    public static let sequenceDigits = 6
    /// The largest sequence: nine digits.
    public static let maximumSequence = 999_999_999

    /// The number, or nil when a part is out of its range.
    public init?(prefix: String, year: Int, sequence: Int) {
        guard Self.isValidPrefix(prefix), (1000...9999).contains(year), (1...Self.maximumSequence).contains(sequence) else { return nil }
        self.prefix = prefix
        self.year = year
        self.sequence = sequence
    }

    /// Parses the canonical text form `PREFIX-YYYY-NNNNNN`; nil for anything else (other padding, spaces,
    /// lower case, a zero sequence).
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].utf8.count == 4,
              parts[2].utf8.count >= Self.sequenceDigits, parts[2].utf8.count <= 9,
              parts[2].utf8.count == Self.sequenceDigits || parts[2].first != "0",
              let year = Self.digits(parts[1]), let sequence = Self.digits(parts[2]) else { return nil }
        self.init(prefix: String(parts[0]), year: year, sequence: sequence)
    }

    /// `SH01-2026-000042`.
    public var description: String {
        let digits = String(sequence)
        return "\(prefix)-\(year)-\(String(repeating: "0", count: max(0, Self.sequenceDigits - digits.count)))\(digits)"
    }

    /// Whether `prefix` is 1 to 10 upper-case ASCII letters or digits, starting with a letter.
    public static func isValidPrefix(_ prefix: String) -> Bool {
        let bytes = Array(prefix.utf8)
        func isLetter(_ byte: UInt8) -> Bool { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) }
        return (1...10).contains(bytes.count) && isLetter(bytes[0])
            && bytes.allSatisfy { isLetter($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// The receipt prefix of a project with `code` (lower-case letters, digits and dashes, 2 to 63): the
    /// code upper-cased without its dashes, cut to 10 characters, with an `R` in front when it would
    /// start with a digit (then cut to 10 again). `riverside` is `RIVERSIDE`, `sh-01` is `SH01`,
    /// `2nd-tower` is `R2NDTOWER`. Characters outside A–Z and 0–9 are dropped; a code with none left is `R`.
    public static func prefix(forProjectCode code: String) -> String {
        var kept = code.uppercased().unicodeScalars.filter { ("A"..."Z").contains($0) || ("0"..."9").contains($0) }.map(Character.init)
        if kept.first.map({ ("0"..."9").contains($0) }) ?? true { kept.insert("R", at: 0) }
        return String(kept.prefix(10))
    }

    /// The violation of a project's receipt prefix as a client sends it (`field`), if any.
    public static func prefixViolations(_ prefix: String, field: String = "receiptPrefix") -> [FieldViolation] {
        isValidPrefix(prefix) ? [] : [FieldViolation(field: field, message: "must be 1 to 10 upper-case letters or digits, starting with a letter")]
    }

    /// Orders by prefix, year, then sequence.
    public static func < (lhs: ReceiptNumber, rhs: ReceiptNumber) -> Bool {
        (lhs.prefix, lhs.year, lhs.sequence) < (rhs.prefix, rhs.year, rhs.sequence)
    }

    static func digits(_ text: Substring) -> Int? {
        var value = 0
        for byte in text.utf8 {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let value = ReceiptNumber(try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected a receipt number such as \"SH01-2026-000042\"")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
