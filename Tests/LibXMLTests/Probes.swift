import Foundation
@testable import LibXML

/// Everything a parse produced, as text to search for a marker: the tree, re-serialised, or the error.
func everything(_ result: Result<XMLDocument, XMLError>) -> String {
    switch result {
    case .success(let document):
        let bytes = (try? document.root.serializedDocument()) ?? []
        return String(decoding: bytes, as: UTF8.self) + "\(document.root)"
    case .failure(let error):
        return "\(error)"
    }
}

func parseResult(_ bytes: [UInt8], limits: XMLLimits = .default, prescanning: Bool = true) -> Result<XMLDocument, XMLError> {
    Result { () throws(XMLError) in try XMLDocument.parse(bytes, limits: limits, prescanning: prescanning) }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
