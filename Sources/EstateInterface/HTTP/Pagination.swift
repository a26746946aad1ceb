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

/// `limit` and `cursor` of a list newest first by (time, id), e.g. a customer's timeline. The cursor
/// is `<microseconds since 1970>.<id as 32 hex digits>` of the last item shown.
struct TimeKeyset {
    let limit: Int
    let before: (at: Date, id: UUID)?

    init(_ request: Request) throws {
        limit = try PageRequest.limit(request)
        guard let text = request.uri.queryParameters["cursor"].map(String.init) else {
            before = nil
            return
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let micros = Int64(parts[0]), let id = PageRequest.decodeCursor(String(parts[1])) else {
            throw Problem.badRequest("Bad query parameter.", errors: [.init(field: "cursor", message: "is not a cursor this API gave out")])
        }
        before = (Date(timeIntervalSince1970: Double(micros) / 1_000_000), id)
    }

    /// The cursor after the last item, when the page is full (there may be more).
    func nextCursor(_ count: Int, last: (at: Date, id: UUID)?) -> String? {
        guard count == limit, let last else { return nil }
        let micros = Int64((last.at.timeIntervalSince1970 * 1_000_000).rounded())
        return "\(micros).\(last.id.compactHex)"
    }
}
