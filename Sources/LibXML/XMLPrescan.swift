/// One linear pass over a document's bytes before libxml2 parses them.
///
/// It refuses what libxml2 must never see or would handle badly: anything but UTF-8, NUL bytes,
/// markup declarations (`<!DOCTYPE`, `<!ENTITY`, in any case and anywhere), and documents over
/// the limits (too many attributes in one start tag, too deep, too many elements). On the way it
/// notes the position of every start tag, which libxml2 does not keep (its nodes have a line but
/// no column). In well-formed XML without a DTD the lexical states below (text, tags, comments,
/// CDATA sections, processing instructions) are unambiguous, and libxml2 is stopped at its first
/// error, so libxml2 never reads further than where this scan's view and its own agree.
struct XMLPrescan {
    /// Where each start tag's `<` is, in document order (the order of a pre-order walk of the tree).
    var startTags: [XMLPosition] = []

    private enum State {
        case text, startTag, endTag, comment, cdata, processingInstruction
    }

    private static let lt = UInt8(ascii: "<"), gt = UInt8(ascii: ">"), bang = UInt8(ascii: "!")
    private static let question = UInt8(ascii: "?"), slash = UInt8(ascii: "/"), equals = UInt8(ascii: "=")
    private static let quote = UInt8(ascii: "\""), apostrophe = UInt8(ascii: "'"), newline = UInt8(ascii: "\n")

    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, limits: XMLLimits) throws(XMLError) -> XMLPrescan {
        var result = XMLPrescan()
        let start = try encodingCheck(bytes)
        var counter = PositionCounter(bytes: bytes, start: start)
        var state = State.text
        var quoteByte: UInt8 = 0          // in a start tag: the open quote, or 0
        var contentStart = 0              // first byte after a comment/CDATA/PI opener
        var attributes = 0, depth = 0
        var tagPosition = XMLPosition(line: 1, column: 1)
        var i = start
        func fail(_ kind: XMLError.Kind, _ message: String, at offset: Int) -> XMLError {
            XMLError(kind: kind, message: message, position: counter.position(of: offset))
        }
        func fail(_ kind: XMLError.Kind, _ message: String, at position: XMLPosition) -> XMLError {
            XMLError(kind: kind, message: message, position: position)
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte == 0 {
                throw fail(.malformed, "NUL character (U+0000) is not allowed in XML", at: i)
            }
            if byte == newline { counter.newline(at: i) }
            switch state {
            case .text:
                guard byte == lt else { break }
                if matches(bytes, at: i, "<!--") {
                    state = .comment; contentStart = i + 4; i += 3
                } else if matches(bytes, at: i, "<![CDATA[") {
                    state = .cdata; contentStart = i + 9; i += 8
                } else if matches(bytes, at: i, "<!") {
                    throw fail(.doctypeForbidden, "document type and markup declarations are not accepted", at: i)
                } else if matches(bytes, at: i, "<?") {
                    state = .processingInstruction; contentStart = i + 2; i += 1
                } else if matches(bytes, at: i, "</") {
                    state = .endTag; i += 1
                } else {
                    state = .startTag; quoteByte = 0; attributes = 0
                    tagPosition = counter.position(of: i)
                    if result.startTags.count >= limits.maxElements {
                        throw fail(.tooManyElements, "more than \(limits.maxElements) elements", at: tagPosition)
                    }
                    result.startTags.append(tagPosition)
                }
            case .startTag:
                if byte == lt {
                    // Not well-formed (libxml2 stops here); look at it again as markup.
                    state = .text
                    continue
                }
                if quoteByte != 0 {
                    if byte == quoteByte { quoteByte = 0 }
                } else if byte == quote || byte == apostrophe {
                    quoteByte = byte
                } else if byte == equals {
                    attributes += 1
                    if attributes > limits.maxAttributesPerElement {
                        throw fail(.tooManyAttributes, "more than \(limits.maxAttributesPerElement) attributes in one start tag", at: tagPosition)
                    }
                } else if byte == gt {
                    state = .text
                    if depth + 1 > limits.maxDepth {
                        throw fail(.tooDeep, "elements nested deeper than \(limits.maxDepth)", at: tagPosition)
                    }
                    if bytes[i - 1] != slash { depth += 1 }   // an empty-element tag opens nothing
                }
            case .endTag:
                if byte == gt {
                    state = .text
                    depth = max(depth - 1, 0)
                } else if byte == lt {
                    state = .text
                    continue
                }
            case .comment:
                if byte == gt && i - 2 >= contentStart && bytes[i - 1] == UInt8(ascii: "-") && bytes[i - 2] == UInt8(ascii: "-") {
                    state = .text
                }
            case .cdata:
                if byte == gt && i - 2 >= contentStart && bytes[i - 1] == UInt8(ascii: "]") && bytes[i - 2] == UInt8(ascii: "]") {
                    state = .text
                }
            case .processingInstruction:
                if byte == gt && i - 1 >= contentStart && bytes[i - 1] == question {
                    state = .text
                }
            }
            i += 1
        }
        return result
    }

    /// Refuses byte order marks and signatures of encodings other than UTF-8, and an XML declaration
    /// that names another encoding; returns where the document starts (after a UTF-8 byte order mark).
    private static func encodingCheck(_ bytes: UnsafeBufferPointer<UInt8>) throws(XMLError) -> Int {
        if matches(bytes, at: 0, [0xEF, 0xBB, 0xBF]) {
            return try declaredEncodingCheck(bytes, start: 3)
        }
        let signatures: [[UInt8]] = [
            [0xFE, 0xFF], [0xFF, 0xFE],                          // UTF-16 (and UTF-32LE) byte order marks
            [0x00, 0x00, 0xFE, 0xFF],                            // UTF-32BE byte order mark
            [0x00, 0x3C], [0x3C, 0x00],                          // "<" in UTF-16 or UTF-32 without a mark
            [0x00, 0x00, 0x00, 0x3C],
            [0x4C, 0x6F, 0xA7, 0x94],                            // "<?xm" in EBCDIC
        ]
        if signatures.contains(where: { matches(bytes, at: 0, $0) }) {
            throw XMLError(kind: .unsupportedEncoding, message: "only UTF-8 documents are accepted",
                           position: XMLPosition(line: 1, column: 1))
        }
        return try declaredEncodingCheck(bytes, start: 0)
    }

    /// `<?xml version="1.0" encoding="..."?>`: the encoding, if named, must be UTF-8. A declaration
    /// this does not understand is left to libxml2, which refuses what is not well-formed.
    private static func declaredEncodingCheck(_ bytes: UnsafeBufferPointer<UInt8>, start: Int) throws(XMLError) -> Int {
        guard matches(bytes, at: start, "<?xml"), start + 5 < bytes.count, isSpace(bytes[start + 5]) else { return start }
        var end = start + 5
        while end + 1 < bytes.count, !(bytes[end] == question && bytes[end + 1] == gt) { end += 1 }
        var i = start + 5
        while i < end {
            guard isSpace(bytes[i - 1]), matches(bytes, at: i, "encoding") else { i += 1; continue }
            var j = i + 8
            while j < end, isSpace(bytes[j]) { j += 1 }
            guard j < end, bytes[j] == equals else { return start }
            j += 1
            while j < end, isSpace(bytes[j]) { j += 1 }
            guard j < end, bytes[j] == quote || bytes[j] == apostrophe else { return start }
            let open = bytes[j]
            var k = j + 1
            while k < end, bytes[k] != open { k += 1 }
            let name = String(decoding: UnsafeBufferPointer(rebasing: bytes[(j + 1)..<k]), as: UTF8.self)
            if !["utf-8", "utf8"].contains(name.lowercased()) {
                let column = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<(j + 1)]), as: UTF8.self).unicodeScalars.count + 1
                throw XMLError(kind: .unsupportedEncoding,
                               message: "the XML declaration names encoding \"\(name.prefix(40))\"; only UTF-8 is accepted",
                               position: XMLPosition(line: 1, column: column))
            }
            return start
        }
        return start
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, _ text: StaticString) -> Bool {
        matches(bytes, at: offset, UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    private static func matches(_ bytes: UnsafeBufferPointer<UInt8>, at offset: Int, _ prefix: some Collection<UInt8>) -> Bool {
        guard offset + prefix.count <= bytes.count else { return false }
        var i = offset
        for byte in prefix {
            if bytes[i] != byte { return false }
            i += 1
        }
        return true
    }
}

/// Turns byte offsets into lines and character columns in one forward pass: offsets asked for
/// must not decrease, and every line feed must be reported, so the whole scan stays linear.
private struct PositionCounter {
    let bytes: UnsafeBufferPointer<UInt8>
    var line = 1
    var lineStart: Int
    /// The column of `countedUpTo` on the current line.
    var counted = 1
    var countedUpTo: Int

    init(bytes: UnsafeBufferPointer<UInt8>, start: Int) {
        self.bytes = bytes
        lineStart = start
        countedUpTo = start
    }

    mutating func newline(at offset: Int) {
        line += 1
        lineStart = offset + 1
        countedUpTo = offset + 1
        counted = 1
    }

    /// The position of the byte at `offset`, which lies on the current line.
    mutating func position(of offset: Int) -> XMLPosition {
        if countedUpTo < lineStart {
            countedUpTo = lineStart
            counted = 1
        }
        while countedUpTo < offset {
            if bytes[countedUpTo] & 0xC0 != 0x80 { counted += 1 }   // not a UTF-8 continuation byte
            countedUpTo += 1
        }
        return XMLPosition(line: line, column: counted)
    }
}
