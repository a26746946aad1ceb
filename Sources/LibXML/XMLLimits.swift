/// Bounds on what a document may cost before it is refused.
///
/// Every limit is checked by a linear scan of the bytes before libxml2 sees them (so libxml2's
/// quadratic duplicate-attribute check never runs on a huge start tag, and no tree is built for a
/// document that is too deep); depth, element count and attributes per element are checked again
/// while libxml2 builds the tree. libxml2's own limits without its "huge" mode apply as well
/// (names up to 50,000 characters, text nodes up to 10 MB, nesting up to 256).
public struct XMLLimits: Sendable, Hashable {
    /// The largest document, in bytes (a byte order mark included). Checked before anything else.
    public var maxBytes: Int
    /// The deepest element nesting; the root element is at depth 1. At most 256: libxml2 without
    /// its "huge" mode refuses deeper documents itself.
    public var maxDepth: Int
    /// The most elements in one document.
    public var maxElements: Int
    /// The most attributes in one start tag, namespace declarations (`xmlns`, `xmlns:p`) included.
    public var maxAttributesPerElement: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 32, maxElements: Int = 50_000, maxAttributesPerElement: Int = 32) {
        precondition((1...Int(Int32.max)).contains(maxBytes), "maxBytes must be positive and fit libxml2's int")
        precondition((1...256).contains(maxDepth), "maxDepth must be 1...256")
        precondition(maxElements >= 1 && maxAttributesPerElement >= 0, "limits must not be negative")
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
        self.maxElements = maxElements
        self.maxAttributesPerElement = maxAttributesPerElement
    }

    /// For request bodies: 1 MiB, depth 32, 50,000 elements, 32 attributes per element.
    public static let `default` = XMLLimits()

    /// For XSD files compiled at start-up: 8 MiB, depth 64, 500,000 elements, 64 attributes per element.
    public static let schema = XMLLimits(maxBytes: 8 << 20, maxDepth: 64, maxElements: 500_000, maxAttributesPerElement: 64)
}
