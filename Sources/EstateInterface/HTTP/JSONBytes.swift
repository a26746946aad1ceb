import Foundation

/// A minimal JSON writer for the hottest response (the building grid, polled by every sales-office
/// screen): appends bytes directly instead of going through `JSONEncoder`, which spends most of a
/// 480-room grid's time in dictionaries and dynamic casts. It writes what the API's encoder writes
/// (sorted keys are the caller's job; nil members are left out; UUIDs as `UUID.uuidString`; exact
/// decimals as strings), and a test checks both give the same document.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Text that is already JSON (a number as written).
    mutating func rawText(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string, escaped as RFC 8259 requires (quote, backslash, control characters).
    mutating func string(_ text: String) {
        bytes.append(0x22)
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
            bytes.append(contentsOf: text.utf8)
            bytes.append(0x22)
            return
        }
        for byte in text.utf8 {
            switch byte {
            case 0x22: bytes.append(0x5C); bytes.append(0x22)
            case 0x5C: bytes.append(0x5C); bytes.append(0x5C)
            case 0x0A: bytes.append(0x5C); bytes.append(0x6E)
            case 0x0D: bytes.append(0x5C); bytes.append(0x72)
            case 0x09: bytes.append(0x5C); bytes.append(0x74)
            case 0x00..<0x20:
                raw("\\u00")
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(0x22)
    }

    mutating func int(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// `value × 10^-scale` as a JSON string with exactly `scale` fraction digits (money, areas).
    mutating func fixed(_ value: Int64, scale: Int) {
        bytes.append(0x22)
        if value < 0 { bytes.append(0x2D) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { buffer in
            var digits = value.magnitude
            var count = 0
            repeat {
                if count == scale && scale > 0 { buffer[count] = 0x2E; count += 1 }
                buffer[count] = 0x30 + UInt8(digits % 10)
                digits /= 10
                count += 1
            } while digits > 0 || count <= scale + (scale > 0 ? 1 : 0)
            for index in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[index]) }
        }
        bytes.append(0x22)
    }

    /// A UUID in the form `UUID.uuidString` gives (upper case), as a JSON string.
    mutating func uuid(_ id: UUID) {
        bytes.append(0x22)
        withUnsafeBytes(of: id.uuid) { raw in
            for (index, byte) in raw.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 { bytes.append(0x2D) }
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        bytes.append(0x22)
    }

    private static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)
}
