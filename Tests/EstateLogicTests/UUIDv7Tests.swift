import EstateLogic
import Foundation
import Testing

@Suite("UUIDv7")
struct UUIDv7Tests {
    struct Fixed: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    @Test func layoutFollowsRFC9562() {
        var zeros = Fixed(value: 0)
        let id = UUIDv7.make(milliseconds: 0x0123_4567_89AB, using: &zeros)
        #expect(id.uuidString == "01234567-89AB-7000-8000-000000000000")
        var ones = Fixed(value: .max)
        let full = UUIDv7.make(milliseconds: 0, using: &ones)
        #expect(full.uuidString == "00000000-0000-7FFF-BFFF-FFFFFFFFFFFF")
    }

    @Test func carriesItsTimestampAndSortsByTime() {
        let earlier = UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000))
        let later = UUIDv7.make(at: Date(timeIntervalSince1970: 1_700_000_000.002))
        #expect(UUIDv7.milliseconds(of: earlier) == 1_700_000_000_000)
        #expect(UUIDv7.milliseconds(of: later) == 1_700_000_000_002)
        #expect(earlier.uuidString < later.uuidString)
        #expect(UUIDv7.milliseconds(of: UUID(uuidString: "00000000-0000-4000-8000-000000000000")!) == nil)
    }

    @Test func idsAreUnique() {
        let ids = (0..<10_000).map { _ in UUIDv7.make() }
        #expect(Set(ids).count == ids.count)
    }
}
