import Foundation

/// How a webhook delivery is signed, so that a partner can tell it came from Estate unchanged:
///
/// - `Estate-Timestamp`: the moment of sending, whole seconds since 1970 (UTC);
/// - `Estate-Signature`: `v1=<hex>`, the lower-case hex HMAC-SHA256 of `"<timestamp>.<body>"`
///   (the timestamp's digits, a full stop, then the body's exact bytes) keyed with the webhook's
///   secret (its UTF-8 bytes).
///
/// A receiver recomputes the HMAC, compares in constant time, and refuses timestamps too far from
/// its clock (replays). The HMAC itself is computed where a cryptography library is at hand
/// (`SHA256Hex.hmac` in EstateData); this type holds the rules around it.
public enum WebhookSignature {
    /// The scheme's version prefix in `Estate-Signature`.
    public static let scheme = "v1"

    /// The bytes that are signed: the timestamp's decimal digits, `.`, the body.
    public static func signedContent(timestamp: Int64, body: some Collection<UInt8>) -> [UInt8] {
        var content = Array("\(timestamp).".utf8)
        content.append(contentsOf: body)
        return content
    }

    /// The `Estate-Signature` value for a hex digest.
    public static func header(hexDigest: String) -> String { "\(scheme)=\(hexDigest)" }

    /// The `v1` digests of an `Estate-Signature` value (several, comma-separated, are allowed).
    public static func digests(in header: String) -> [String] {
        header.split(separator: ",").compactMap { part in
            let pair = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard pair.count == 2, pair[0] == scheme else { return nil }
            return String(pair[1])
        }
    }

    /// Whether a delivery's headers check out: one of the header's digests equals `expectedHexDigest`
    /// (compared in constant time) and the timestamp is within `tolerance` of `now`.
    public static func verify(header: String, timestamp: String, expectedHexDigest: String, now: Date,
                              tolerance: TimeInterval = 300) -> Bool {
        guard let seconds = Int64(timestamp), abs(now.timeIntervalSince1970 - Double(seconds)) <= tolerance else { return false }
        var matched = false
        for digest in digests(in: header) where constantTimeEqual(digest, expectedHexDigest.lowercased()) {
            matched = true
        }
        return matched
    }

    /// Equality that takes as long for every pair of equal-length strings.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
