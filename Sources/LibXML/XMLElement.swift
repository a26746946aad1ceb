/// An element as plain Swift values: what a parsed document holds and what the writer writes.
///
/// Namespaces are by URI; prefixes are not kept (they carry no meaning). Comments and processing
/// instructions are not kept either. Two elements are equal when their names, namespaces,
/// attributes (in order) and children are; ``position`` is not compared.
///
/// If FoundationXML is imported too, say `LibXML.XMLElement`.
public struct XMLElement: Sendable, Hashable {
    /// The local name (no prefix).
    public var name: String
    /// The namespace URI, or nil for no namespace. An empty string is taken as nil.
    public var namespaceURI: String?
    /// The attributes in document order, without namespace declarations.
    public var attributes: [XMLAttribute]
    /// Child elements and text, in document order. CDATA sections arrive as text.
    public var children: [XMLContent]
    /// Where the start tag's `<` was, for a parsed element; nil for one built in code.
    public var position: XMLPosition?

    public init(_ name: String, namespaceURI: String? = nil, attributes: [XMLAttribute] = [],
                children: [XMLContent] = [], position: XMLPosition? = nil) {
        self.name = name
        self.namespaceURI = namespaceURI?.isEmpty == true ? nil : namespaceURI
        self.attributes = attributes
        self.children = children
        self.position = position
    }

    /// An element whose only child is `text` (none if `text` is empty).
    public init(_ name: String, namespaceURI: String? = nil, attributes: [XMLAttribute] = [], text: String) {
        self.init(name, namespaceURI: namespaceURI, attributes: attributes, children: text.isEmpty ? [] : [.text(text)])
    }

    /// The child elements, in order.
    public var elements: [XMLElement] {
        children.compactMap { if case .element(let element) = $0 { element } else { nil } }
    }

    /// The child elements with this local name and namespace (nil: no namespace).
    public func elements(named name: String, namespaceURI: String?) -> [XMLElement] {
        elements.filter { $0.name == name && $0.namespaceURI == namespaceURI }
    }

    /// The first child element with this local name and namespace (nil: no namespace).
    public func firstElement(named name: String, namespaceURI: String?) -> XMLElement? {
        for case .element(let element) in children where element.name == name && element.namespaceURI == namespaceURI {
            return element
        }
        return nil
    }

    /// The value of an attribute; unprefixed attributes are in no namespace, whatever the element's is.
    public func attribute(named name: String, namespaceURI: String? = nil) -> String? {
        attributes.first { $0.name == name && $0.namespaceURI == namespaceURI }?.value
    }

    /// The element's own text: its text children joined, child elements' text not included.
    public var text: String {
        var text = ""
        for case .text(let part) in children { text += part }
        return text
    }

    public static func == (lhs: XMLElement, rhs: XMLElement) -> Bool {
        lhs.name == rhs.name && lhs.namespaceURI == rhs.namespaceURI && lhs.attributes == rhs.attributes
            && lhs.children == rhs.children
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(namespaceURI)
        hasher.combine(attributes)
        hasher.combine(children)
    }
}

/// An attribute: local name, namespace URI (nil for unprefixed attributes), value.
public struct XMLAttribute: Sendable, Hashable {
    public var name: String
    public var namespaceURI: String?
    public var value: String

    public init(_ name: String, namespaceURI: String? = nil, value: String) {
        self.name = name
        self.namespaceURI = namespaceURI?.isEmpty == true ? nil : namespaceURI
        self.value = value
    }
}

/// A child of an element.
public enum XMLContent: Sendable, Hashable {
    case element(XMLElement)
    case text(String)
}
