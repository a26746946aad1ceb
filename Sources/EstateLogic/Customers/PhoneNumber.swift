import Foundation

/// Phone numbers as customers give them, brought to one canonical string of digits so that the same
/// number written with spaces, dashes, full-width digits or a country prefix is recognised as one.
public enum PhoneNumber {
    /// The shortest and longest canonical number, in digits (E.164 allows at most 15).
    public static let digitCount = 5...15

    /// The canonical digits of a phone number, or nil when it is not one.
    ///
    /// The text is made half-width, then spaces, dashes, dots, parentheses and slashes are removed.
    /// A leading `+` or `00` marks an international number:
    /// - China's country code 86 is dropped: a mobile number keeps its 11 digits
    ///   (`+86 138 0013 8000`, `0086-13800138000` → `13800138000`) and a landline gets its trunk
    ///   `0` back (`+86 10 6552 8888` → `01065528888`, as written at home);
    /// - any other country code is kept, without the `+` or `00` (`+852 9123 4567` → `85291234567`).
    ///
    /// Without a prefix, `86` followed by an 11-digit number starting with 1 is a mobile number with
    /// its country code (`8613800138000` → `13800138000`); anything else is kept as written
    /// (`138-0013-8000` → `13800138000`, `010-6552 8888` → `01065528888`).
    ///
    /// Nil when anything other than digits remains, or when there are fewer than 5 or more than 15.
    public static func normalize(_ raw: String) -> String? {
        var digits = String(CustomerText.halfWidth(raw).unicodeScalars.filter { !isSeparator($0) })
        var international = false
        if digits.hasPrefix("+") {
            digits.removeFirst()
            international = true
        } else if digits.hasPrefix("00") {
            digits.removeFirst(2)
            international = true
        }
        guard digits.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        if digits.hasPrefix("86") {
            let national = digits.dropFirst(2)
            if isMainlandMobile(national) {
                digits = String(national)
            } else if international, !national.isEmpty {
                digits = national.hasPrefix("0") ? String(national) : "0" + national
            }
        }
        return digitCount.contains(digits.utf8.count) ? digits : nil
    }

    /// `normalized` with all but its first 3 and last 4 digits replaced by `*`
    /// (`13800138000` → `138****8000`); a number of 7 digits or fewer shows only its last 2
    /// (`6552888` → `*****88`).
    public static func mask(_ normalized: String) -> String {
        CustomerText.masked(normalized, shortUpTo: 7)
    }

    /// The characters removed before a number is read: white space, dashes, dots, parentheses, slashes.
    private static func isSeparator(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.properties.isWhitespace { return true }
        switch scalar {
        case "-", "\u{2010}", "\u{2011}", "\u{2012}", "\u{2013}", "\u{2014}", "\u{2015}", "\u{2212}",
             ".", "(", ")", "/":
            return true
        default:
            return false
        }
    }

    /// Whether `digits` is a mainland mobile number: 11 digits starting with 1.
    private static func isMainlandMobile(_ digits: Substring) -> Bool {
        digits.utf8.count == 11 && digits.hasPrefix("1")
    }
}
