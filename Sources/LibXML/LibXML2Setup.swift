import CLibXML2
import Synchronization

/// libxml2's process-wide set-up, done once before the first parse or schema compile.
enum LibXML2 {
    /// Touch before any libxml2 call.
    ///
    /// - `xmlInitParser` must run once before threads use the library.
    /// - `xmlSchemaInitTypes` is otherwise run lazily by the first `xmlSchemaParse`, without a lock
    ///   (libxml2 issue 930): two schemas compiled at once could race on it.
    /// - The external entity loader is the one hook libxml2 2.9 has for every file and URL it would
    ///   open (external DTDs and entities, XInclude, `xs:include`/`xs:import`); `XML_PARSE_NONET`
    ///   does not stop `file://`. This loader refuses everything. It is process-wide, so it also
    ///   covers other users of the same libxml2 (FoundationXML, which XMLCoder uses).
    static let ready: Void = {
        xmlInitParser()
        xmlSchemaInitTypes()
        xmlSetExternalEntityLoader { _, _, _ in nil }
    }()

    /// Held while a schema is compiled: `xmlSchemaParse` keeps state that 2.9 does not document as
    /// thread-safe, and compiling happens at start-up, where serialising costs nothing.
    static let schemaCompilation = Mutex(())

    /// A libxml2 message as one line (libxml2 ends messages with a line feed, and some span two lines).
    static func message(_ text: UnsafePointer<CChar>?) -> String {
        guard let text else { return "unknown libxml2 error" }
        let lines = String(cString: text).split(whereSeparator: \.isNewline).map { $0.trimmingCharacters() }
        return lines.filter { !$0.isEmpty }.joined(separator: " — ")
    }

    static func string(_ text: UnsafePointer<xmlChar>?) -> String? {
        text.map { String(cString: $0) }
    }
}

extension Substring {
    fileprivate func trimmingCharacters() -> Substring {
        var text = self
        while let first = text.first, first.isWhitespace { text.removeFirst() }
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }
}
