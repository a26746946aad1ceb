import EstateLogic
import Foundation
import Hummingbird

/// `limit` and `cursor` of a list request (ARCHITECTURE.md: default 50, at most 500, opaque cursor).
struct PageRequest {
    let limit: Int
    /// The id after which the page starts.
    let after: UUID?

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        limit = try Self.limit(request)
        if let text = query["cursor"] {
            guard let id = Self.decodeCursor(String(text)) else {
                throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "cursor", message: "is not a cursor this API gave out")])
            }
            after = id
        } else {
            after = nil
        }
    }

    /// The `limit` query parameter: 1...500, 50 when absent.
    static func limit(_ request: Request) throws -> Int {
        guard let text = request.uri.queryParameters["limit"] else { return 50 }
        guard let value = Int(String(text)), (1...500).contains(value) else {
            throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "limit", message: "must be a whole number from 1 to 500")])
        }
        return value
    }

    /// The cursor after the last item, when the page is full (there may be more).
    func nextCursor(after items: [some Any], lastID: UUID?) -> String? {
        guard items.count == limit, let lastID else { return nil }
        return lastID.compactHex
    }

    /// Cursors are 32 lower-case hex digits (the key after which the page starts): every string of
    /// that shape is a valid cursor, anything else is refused.
    static func decodeCursor(_ text: String) -> UUID? {
        guard !text.contains(where: \.isUppercase) else { return nil }
        return UUID(compactHex: text)
    }
}
