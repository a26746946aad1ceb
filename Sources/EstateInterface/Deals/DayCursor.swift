import EstateLogic
import Foundation

/// The cursor of a list ordered by a day, then a key (arrears by the oldest due date and the deal,
/// exchange rates by day and currency): `<days since 0001-01-01>.<key>`. Every string of the
/// documented shape is a cursor the server takes (no calendar rules in a pattern).
enum DayCursor {
    static let origin = LocalDate(year: 1, month: 1, day: 1)!

    static func encode(_ day: LocalDate, key: String) -> String {
        "\(day.daysSinceEpoch - origin.daysSinceEpoch).\(key)"
    }

    /// The day and the key text; nil unless the text is `<days>.<key>` with a day in years 1 to 9999.
    static func decode(_ text: String) -> (LocalDate, String)? {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count <= 7, parts[0].utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let days = Int(parts[0]), let day = origin.adding(days: days) else { return nil }
        return (day, String(parts[1]))
    }
}
