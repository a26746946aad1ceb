import Crypto
import Foundation

/// SHA-256 digests as 64 lower-case hex digits: stored token hashes, migration checksums and the
/// audit chain (the one place that spells them). It runs on every signed-in request, so it writes
/// the digits itself rather than formatting each byte.
public enum SHA256Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func of(_ text: String) -> String { of(bytes: Data(text.utf8)) }

    public static func of(bytes: some DataProtocol) -> String {
        let digest = SHA256.hash(data: bytes)
        var hex: [UInt8] = []
        hex.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
