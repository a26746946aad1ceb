import Foundation

/// Why a deal or money calculation refuses its input: every broken rule at once, each naming its field
/// (`terms.downPaymentRatio`, `buyers[1].customerID`, ...). The HTTP layer answers 400 with them.
public struct DealInputError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The broken rules (never empty when this module throws it).
    public var violations: [FieldViolation]

    /// An error carrying `violations`.
    public init(_ violations: [FieldViolation]) {
        self.violations = violations
    }

    public var description: String {
        violations.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }

    /// Throws when `violations` is not empty.
    static func check(_ violations: [FieldViolation]) throws(DealInputError) {
        if !violations.isEmpty { throw DealInputError(violations) }
    }
}

extension Money {
    /// `value` as money, or nil when it does not fit (only absurd inputs get there).
    init?(exactly value: Int128) {
        guard let minorUnits = Int64(exactly: value) else { return nil }
        self.init(minorUnits: minorUnits)
    }
}
