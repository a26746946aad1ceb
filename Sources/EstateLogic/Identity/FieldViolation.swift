import Foundation

/// One broken validation rule on one input field: the domain's unit of validation error.
///
/// The HTTP layer turns a non-empty list of these into a 400 problem with the field errors.
public struct FieldViolation: Sendable, Hashable, Codable {
    /// The name of the offending field as the client sent it (e.g. `password`, `code`).
    public let field: String
    /// A human explanation of what is wrong, in English.
    public let message: String

    /// A violation of `field` explained by `message`.
    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }
}
