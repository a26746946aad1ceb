import Foundation

/// A document as a tree of scalars (a JSON snapshot of a deal, read for comparison): scalars keep
/// their text (numbers and money as written, booleans `true`/`false`), null is `.null`.
public indirect enum SnapshotTree: Sendable, Hashable {
    case null
    case scalar(String)
    case array([SnapshotTree])
    case object([String: SnapshotTree])

    /// Every scalar and null leaf by its path: members joined by `.`, array items as `[n]`
    /// (`deal.receivables[1].amount`); an empty array or object is a leaf of its own (`[]`, `{}`),
    /// so that a list that became empty still shows.
    public func leaves(prefix: String = "") -> [String: String?] {
        switch self {
        case .null: return [prefix: nil]
        case .scalar(let text): return [prefix: text]
        case .array(let items):
            guard !items.isEmpty else { return [prefix: "[]"] }
            var result: [String: String?] = [:]
            for (index, item) in items.enumerated() {
                result.merge(item.leaves(prefix: "\(prefix)[\(index)]")) { first, _ in first }
            }
            return result
        case .object(let members):
            guard !members.isEmpty else { return [prefix: "{}"] }
            var result: [String: String?] = [:]
            for (key, value) in members {
                result.merge(value.leaves(prefix: prefix.isEmpty ? key : "\(prefix).\(key)")) { first, _ in first }
            }
            return result
        }
    }
}

/// One field a change request changes: its path, the value before and after (nil: absent or null).
public struct FieldChange: Sendable, Hashable {
    public var path: String
    public var before: String?
    public var after: String?

    public init(path: String, before: String?, after: String?) {
        self.path = path
        self.before = before
        self.after = after
    }
}

/// What a change request changes, field by field: the leaves of the deal before and after (as the
/// request's preview or its execution recorded them) that differ, in path order. Bookkeeping
/// members that change with every write and say nothing about the change (``ignoredMembers``: ids
/// of regenerated lines, versions, timestamps) are left out.
public enum ChangeDiff {
    public static let ignoredMembers: Set<String> = ["id", "version", "updatedAt", "createdAt", "recordedAt"]

    public static func changes(before: SnapshotTree?, after: SnapshotTree?) -> [FieldChange] {
        let old = before?.leaves() ?? [:], new = after?.leaves() ?? [:]
        var result: [FieldChange] = []
        // The root itself (an empty document) is no field.
        for path in Set(old.keys).union(new.keys).sorted() where !path.isEmpty && !isIgnored(path) {
            let was = old[path] ?? nil, now = new[path] ?? nil
            guard was != now else { continue }
            result.append(FieldChange(path: path, before: was, after: now))
        }
        return result
    }

    /// Whether the path's last member is a bookkeeping one.
    static func isIgnored(_ path: String) -> Bool {
        let last = path.split(separator: ".").last.map { String($0.prefix { $0 != "[" }) } ?? path
        return ignoredMembers.contains(last)
    }
}
