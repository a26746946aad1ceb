import EstateLogic
import Foundation
import Testing

@Suite("RFC 3339 date-times")
struct RFC3339Tests {
    @Test(arguments: [
        ("2026-11-28T08:34:42Z", 1_795_854_882.0),
        ("2026-11-28T08:34:42.5+08:00", 1_795_826_082.5),
        ("4951-07-02T21:18:06.6892-23:29", 0.0),  // checked against the same wall time in UTC below
        ("1970-01-01t00:00:00z", 0.0),
        ("0001-01-01T00:00:00Z", -62_135_596_800.0),
        ("2024-02-29T12:00:00-00:30", 1_709_209_800.0),
    ])
    func parses(text: String, seconds: Double) throws {
        let date = try #require(RFC3339.date(from: text))
        if text.hasPrefix("4951") {
            // 4951-07-02T21:18:06.6892 at UTC-23:29 is that wall time plus 23 h 29 min.
            let wall = try #require(RFC3339.date(from: "4951-07-02T21:18:06.6892Z"))
            #expect(abs(date.timeIntervalSince(wall) - (23 * 3600 + 29 * 60)) < 0.001)
        } else {
            #expect(abs(date.timeIntervalSince1970 - seconds) < 0.001)
        }
    }

    @Test(arguments: ["", "2026-11-28", "2026-11-28 08:34:42Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                      "2026-11-28T24:00:00Z", "2026-11-28T08:34:42", "2026-11-28T08:34:42.Z", "2026-11-28T08:34:42+8:00",
                      "2026-11-28T08:34:42Zjunk"])
    func refuses(text: String) {
        #expect(RFC3339.date(from: text) == nil)
    }
}
