extension XMLElement {
    /// This element as a whole XML 1.0 document in UTF-8: `<?xml version="1.0" encoding="UTF-8"?>`,
    /// a line feed, then the element with no added white space.
    ///
    /// Escaping: `&`, `<` and `>` everywhere (so `]]>` never appears), `"` in attribute values;
    /// carriage returns as `&#13;`, and tabs and line feeds in attribute values as `&#9;` and
    /// `&#10;`, so that a parser gives back exactly the same strings. Characters XML 1.0 cannot
    /// carry at all, not even escaped (U+0000–U+0008, U+000B, U+000C, U+000E–U+001F, U+FFFE, U+FFFF),
    /// are refused with ``XMLError/Kind/unwritable``, as are names that are not NCNames (no prefix,
    /// no colon), attributes named `xmlns` or in the `xmlns` namespace, and duplicate attributes.
    ///
    /// Namespaces: an element whose namespace differs from its parent's gets a default namespace
    /// declaration (`xmlns="…"`, or `xmlns=""` back to none); attributes in a namespace get prefixes
    /// `ns1`, `ns2`, … declared where first needed (`xml` for the XML namespace, never declared).
    public func serializedDocument() throws(XMLError) -> [UInt8] {
        var writer = XMLWriter()
        writer.output.append(contentsOf: #"<?xml version="1.0" encoding="UTF-8"?>"#.utf8)
        writer.output.append(UInt8(ascii: "\n"))
        try writer.write(self, defaultNamespace: nil, prefixes: [:], path: "")
        return writer.output
    }
}

private struct XMLWriter {
    static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"
    static let xmlnsNamespace = "http://www.w3.org/2000/xmlns/"

    var output: [UInt8] = []
    private var lastPrefix = 0

    mutating func write(_ element: XMLElement, defaultNamespace: String?, prefixes: [String: String], path: String) throws(XMLError) {
        let path = path + "/" + element.name
        func refuse(_ message: String) -> XMLError {
            XMLError(kind: .unwritable, message: message, path: path)
        }
        guard XMLName.isNCName(element.name) else { throw refuse("element name \"\(element.name)\" is not an XML name without a prefix") }
        let namespace = element.namespaceURI.flatMap { $0.isEmpty ? nil : $0 }
        if namespace == Self.xmlNamespace || namespace == Self.xmlnsNamespace {
            throw refuse("elements cannot be in the reserved namespace \(namespace ?? "")")
        }

        var prefixes = prefixes
        var declarations: [(prefix: String, uri: String)] = []
        var named: [(name: String, value: String)] = []
        var seen = Set<XMLAttribute>()
        for attribute in element.attributes {
            let attributeNamespace = attribute.namespaceURI.flatMap { $0.isEmpty ? nil : $0 }
            guard XMLName.isNCName(attribute.name) else {
                throw refuse("attribute name \"\(attribute.name)\" is not an XML name without a prefix")
            }
            guard !(attributeNamespace == nil && attribute.name == "xmlns"), attributeNamespace != Self.xmlnsNamespace else {
                throw refuse("namespace declarations are written by the writer, not given as attributes")
            }
            guard seen.insert(XMLAttribute(attribute.name, namespaceURI: attributeNamespace, value: "")).inserted else {
                throw refuse("attribute \"\(attribute.name)\" appears twice")
            }
            guard let attributeNamespace else {
                named.append((attribute.name, attribute.value))
                continue
            }
            let prefix: String
            if attributeNamespace == Self.xmlNamespace {
                prefix = "xml"
            } else if let known = prefixes[attributeNamespace] {
                prefix = known
            } else {
                lastPrefix += 1
                prefix = "ns\(lastPrefix)"
                prefixes[attributeNamespace] = prefix
                declarations.append((prefix, attributeNamespace))
            }
            named.append((prefix + ":" + attribute.name, attribute.value))
        }

        append("<" + element.name)
        if namespace != defaultNamespace {
            append(" xmlns=\"")
            try escape(namespace ?? "", inAttribute: true, path: path)
            append("\"")
        }
        for declaration in declarations {
            append(" xmlns:\(declaration.prefix)=\"")
            try escape(declaration.uri, inAttribute: true, path: path)
            append("\"")
        }
        for attribute in named {
            append(" \(attribute.name)=\"")
            try escape(attribute.value, inAttribute: true, path: path + "/@" + attribute.name)
            append("\"")
        }
        guard !element.children.isEmpty else {
            append("/>")
            return
        }
        append(">")
        for child in element.children {
            switch child {
            case .element(let child):
                try write(child, defaultNamespace: namespace, prefixes: prefixes, path: path)
            case .text(let text):
                try escape(text, inAttribute: false, path: path)
            }
        }
        append("</" + element.name + ">")
    }

    private mutating func append(_ text: String) {
        output.append(contentsOf: text.utf8)
    }

    private mutating func escape(_ text: String, inAttribute: Bool, path: String) throws(XMLError) {
        var previous: (UInt8, UInt8) = (0, 0)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): append("&amp;")
            case UInt8(ascii: "<"): append("&lt;")
            case UInt8(ascii: ">"): append("&gt;")
            case UInt8(ascii: "\"") where inAttribute: append("&quot;")
            case 0x0D: append("&#13;")
            case 0x09 where inAttribute: append("&#9;")
            case 0x0A where inAttribute: append("&#10;")
            case 0x09, 0x0A: output.append(byte)
            case 0x00..<0x20:
                throw XMLError(kind: .unwritable, message: "character U+\(hex(byte)) cannot appear in XML 1.0", path: path)
            case 0xBE...0xBF where previous == (0xEF, 0xBF):
                throw XMLError(kind: .unwritable, message: "character U+FFF\(byte == 0xBE ? "E" : "F") cannot appear in XML 1.0", path: path)
            default: output.append(byte)
            }
            previous = (previous.1, byte)
        }
    }

    private func hex(_ byte: UInt8) -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }
}

/// XML 1.0 (fifth edition) names, without colons (Namespaces in XML's NCName).
enum XMLName {
    static func isNCName(_ name: String) -> Bool {
        var scalars = name.unicodeScalars.makeIterator()
        guard let first = scalars.next(), isNameStart(first) else { return false }
        while let scalar = scalars.next() {
            guard isNameStart(scalar) || isNameOnly(scalar) else { return false }
        }
        return true
    }

    private static func isNameStart(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0x5F: true   // A-Z a-z _ (the colon is left out)
        case 0xC0...0xD6, 0xD8...0xF6, 0xF8...0x2FF, 0x370...0x37D, 0x37F...0x1FFF, 0x200C...0x200D,
             0x2070...0x218F, 0x2C00...0x2FEF, 0x3001...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFFD, 0x10000...0xEFFFF: true
        default: false
        }
    }

    private static func isNameOnly(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x2D, 0x2E, 0x30...0x39, 0xB7, 0x300...0x36F, 0x203F...0x2040: true   // - . 0-9 and combining marks
        default: false
        }
    }
}
