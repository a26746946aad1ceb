import Foundation

/// Time-ordered UUIDs (RFC 9562 version 7): what every id in Estate is.
///
/// 48 bits of Unix milliseconds, then 74 random bits; ids made later sort later,
/// which keeps B-tree inserts at the right edge of the index.
public enum UUIDv7 {
    /// A new id for the given moment (now by default).
    public static func make(at date: Date = Date()) -> UUID {
        var generator = SystemRandomNumberGenerator()
        return make(milliseconds: UInt64(max(0, date.timeIntervalSince1970 * 1000)), using: &generator)
    }

    /// A new id from a millisecond timestamp and a random source (deterministic in tests).
    public static func make<R: RandomNumberGenerator>(milliseconds: UInt64, using generator: inout R) -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<6 { bytes[index] = UInt8(truncatingIfNeeded: milliseconds >> (8 * (5 - index))) }
        let high = generator.next() as UInt64
        let low = generator.next() as UInt64
        for index in 6..<16 {
            let source = index < 14 ? high : low
            bytes[index] = UInt8(truncatingIfNeeded: source >> (8 * (index % 8)))
        }
        bytes[6] = 0x70 | (bytes[6] & 0x0F)   // version 7
        bytes[8] = 0x80 | (bytes[8] & 0x3F)   // variant 10
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    /// The millisecond timestamp of a version-7 id, or nil for other versions.
    public static func milliseconds(of id: UUID) -> UInt64? {
        let u = id.uuid
        guard u.6 >> 4 == 7 else { return nil }
        return [u.0, u.1, u.2, u.3, u.4, u.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }
}
