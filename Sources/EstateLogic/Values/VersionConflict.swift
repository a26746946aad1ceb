/// An update based on a version that is no longer current (optimistic concurrency: `If-Match`).
public struct VersionConflict: Error, Sendable, Hashable, CustomStringConvertible {
    /// What changed, in words: "unit", "user", "entry".
    public let object: String
    /// The version stored now.
    public let current: Int

    public init(object: String, current: Int) {
        self.object = object
        self.current = current
    }

    public var description: String { "the \(object) changed since it was read (now version \(current))" }
}
