import Foundation

extension Optional where Wrapped == String {
    /// Optional free text from a body without surrounding white space; absent or blank is none.
    var nonBlankTrimmed: String? {
        guard let trimmed = self?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else { return nil }
        return trimmed
    }
}
