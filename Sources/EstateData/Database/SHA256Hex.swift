import Crypto
import Foundation

/// SHA-256 digests as 64 lower-case hex digits: stored token hashes, migration checksums, the
/// audit chain and webhook signatures (HMAC-SHA256) — the one place that spells them. It runs on
/// every signed-in request, so it writes the digits itself rather than formatting each byte.
public enum SHA256Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    public static func of(_ text: String) -> String { of(bytes: Data(text.utf8)) }

    public static func of(bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// HMAC-SHA256 of `message` keyed with `key`'s UTF-8 bytes (webhook signatures).
    public static func hmac(key: String, message: some DataProtocol) -> String {
        hex(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: Data(key.utf8))))
    }

    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        var hex: [UInt8] = []
        hex.reserveCapacity(SHA256.byteCount * 2)
        for byte in digest {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
