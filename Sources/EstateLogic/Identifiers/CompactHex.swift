import Foundation

extension UUID {
    /// The id as 32 lower-case hex digits, without dashes (in tokens and cursors).
    public var compactHex: String { uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// Parses 32 hex digits without dashes.
    public init?<S: StringProtocol>(compactHex text: S) {
        guard text.count == 32, text.allSatisfy(\.isHexDigit) else { return nil }
        var dashed = String(text)
        for offset in [8, 13, 18, 23] { dashed.insert("-", at: dashed.index(dashed.startIndex, offsetBy: offset)) }
        self.init(uuidString: dashed)
    }
}
