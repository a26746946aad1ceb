import Foundation

/// The kind of identity document a customer's ID number belongs to.
public enum IDDocumentType: String, Sendable, Hashable, Codable, CaseIterable {
    /// Mainland resident ID card (居民身份证): 18 characters with an ISO 7064 MOD 11-2 check character.
    case residentID = "resident_id"
    /// Passport of any country.
    case passport
    /// Mainland travel permit for Hong Kong and Macao residents (港澳居民来往内地通行证).
    case hkMacaoPermit = "hk_macao_permit"
    /// Mainland travel permit for Taiwan residents (台湾居民来往大陆通行证).
    case taiwanPermit = "taiwan_permit"
    /// A company's business licence, identified by its unified social credit code (统一社会信用代码, GB 32100).
    case businessLicense = "business_license"
    /// Any other document.
    case other
}

/// ID numbers: their canonical form, their validation per document type, and their masked display.
public enum IDDocument {
    /// The canonical form of an ID number: half-width, without any white space, upper-case
    /// (`１１０１０５ 19491231 002x` → `11010519491231002X`).
    public static func normalize(_ number: String) -> String {
        String(CustomerText.halfWidth(number).unicodeScalars.filter { !$0.properties.isWhitespace }).uppercased()
    }

    /// Everything wrong with `number` as an ID number of the document `type`, as violations of `field`;
    /// empty when it is acceptable. The number is normalised (``normalize(_:)``) first.
    ///
    /// - resident ID: 17 digits and a check character (a digit or `X`) that matches
    ///   ``residentIDCheckCharacter(_:)``; the birth date it holds (characters 7 to 14, `YYYYMMDD`) is a
    ///   real date between 1900-01-01 and `today` (UTC);
    /// - business licence: 18 digits or upper-case letters other than I, O, Z, S and V, the last one
    ///   the GB 32100 check character of the first 17;
    /// - passport and travel permits: 5 to 20 letters or digits;
    /// - other: 1 to 64 characters, no control characters.
    public static func violations(type: IDDocumentType, number: String, field: String = "idNumber",
                                  today: Date = Date()) -> [FieldViolation] {
        let number = normalize(number)
        var messages: [String] = []
        switch type {
        case .residentID:
            let characters = Array(number)
            guard characters.count == 18, characters.prefix(17).allSatisfy(isASCIIDigit),
                  isASCIIDigit(characters[17]) || characters[17] == "X" else {
                messages.append("a resident ID must be 17 digits followed by a digit or X")
                break
            }
            if residentIDCheckCharacter(String(characters.prefix(17))) != characters[17] {
                messages.append("the check digit does not match")
            }
            if let birth = residentIDBirthDate(number) {
                let day = RFC3339.daysSinceEpoch(year: birth.year, month: birth.month, day: birth.day)
                let firstDay = RFC3339.daysSinceEpoch(year: 1900, month: 1, day: 1)
                let todayDay = Int((today.timeIntervalSince1970 / 86_400).rounded(.down))
                if day < firstDay || day > todayDay {
                    messages.append("the birth date must be between 1900-01-01 and today")
                }
            } else {
                messages.append("the birth date is not a real date")
            }
        case .businessLicense:
            let values = number.map { businessLicenseCharset.firstIndex(of: $0) }
            guard values.count == 18, values.allSatisfy({ $0 != nil }) else {
                messages.append("a unified social credit code must be 18 digits or upper-case letters other than I, O, Z, S and V")
                break
            }
            if businessLicenseCheckCharacter(String(number.prefix(17))) != number.last {
                messages.append("the check character does not match")
            }
        case .passport, .hkMacaoPermit, .taiwanPermit:
            if !(5...20).contains(number.count) || !number.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) {
                messages.append("must be 5 to 20 letters or digits")
            }
        case .other:
            if !(1...64).contains(number.count) {
                messages.append("must be 1 to 64 characters")
            }
            if CustomerText.hasControlCharacter(number) {
                messages.append("must not contain control characters")
            }
        }
        return messages.map { FieldViolation(field: field, message: $0) }
    }

    /// `normalized` with all but its first 3 and last 4 characters replaced by `*`
    /// (`11010519491231002X` → `110***********002X`); a number of 8 characters or fewer shows only its
    /// last 2 (`E1234567` → `******67`).
    public static func mask(_ normalized: String) -> String {
        CustomerText.masked(normalized, shortUpTo: 8)
    }

    /// The birth date a normalised 18-character resident ID holds in its characters 7 to 14
    /// (`YYYYMMDD`), or nil when the number has another length or those characters are not a real
    /// date of the proleptic Gregorian calendar. The check character and the date's range are not
    /// looked at.
    public static func residentIDBirthDate(_ normalized: String) -> (year: Int, month: Int, day: Int)? {
        let characters = Array(normalized)
        guard characters.count == 18, characters[6..<14].allSatisfy(isASCIIDigit) else { return nil }
        let number = characters[6..<14].reduce(0) { $0 * 10 + $1.wholeNumberValue! }
        let (year, month, day) = (number / 10_000, number / 100 % 100, number % 100)
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let monthLengths = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard year >= 1, (1...12).contains(month), (1...monthLengths[month - 1]).contains(day) else { return nil }
        return (year, month, day)
    }

    /// The ISO 7064 MOD 11-2 check character of a resident ID's first 17 characters
    /// (`11010519491231002` → `X`), or nil unless they are exactly 17 ASCII digits.
    public static func residentIDCheckCharacter(_ first17: String) -> Character? {
        let characters = Array(first17)
        guard characters.count == 17, characters.allSatisfy(isASCIIDigit) else { return nil }
        let sum = zip(characters, residentIDWeights).reduce(0) { $0 + $1.0.wholeNumberValue! * $1.1 }
        return residentIDCheckCharacters[sum % 11]
    }

    private static let residentIDWeights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    private static let residentIDCheckCharacters = Array("10X98765432")

    /// The 31 characters of a unified social credit code, in the order of their values.
    private static let businessLicenseCharset = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    private static let businessLicenseWeights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The GB 32100 check character of a unified social credit code's first 17 characters (all in the
    /// code's character set).
    private static func businessLicenseCheckCharacter(_ first17: String) -> Character {
        let sum = zip(first17, businessLicenseWeights).reduce(0) { sum, pair in
            sum + businessLicenseCharset.firstIndex(of: pair.0)! * pair.1
        }
        return businessLicenseCharset[(31 - sum % 31) % 31]
    }

    private static func isASCIIDigit(_ character: Character) -> Bool {
        character.isASCII && character.isWholeNumber
    }
}
