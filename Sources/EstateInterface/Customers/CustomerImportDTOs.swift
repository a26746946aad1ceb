import EstateData
import EstateLogic
import Foundation
import Hummingbird

/// A customer import body: `{"customers": [record, ...]}`. Each record is decoded on its own, so
/// that a record of the wrong shape is reported with its position and the others still checked.
struct CustomerImportRequest: Decodable {
    let customers: [Slot]

    /// One record, or why it could not be read.
    struct Slot: Decodable {
        let record: Result<CustomerImportRecord, DecodingError>

        init(from decoder: any Decoder) throws {
            do {
                record = .success(try CustomerImportRecord(from: decoder))
            } catch let error as DecodingError {
                record = .failure(error)
            }
        }
    }
}

/// One record: the customer's `externalId`, an optional `owner` (a user id or username) and the
/// fields of a customer as `POST /v1/projects/{id}/customers` and `PATCH /v1/customers/{id}` take
/// them (``CustomerFields``), with their meaning: in an update an absent field stays as it is and a
/// field set to null is cleared.
struct CustomerImportRecord: Decodable {
    let externalId: String
    let owner: String?
    let fields: CustomerFields

    static let ownKeys: Set<String> = ["externalId", "owner"]

    init(from decoder: any Decoder) throws {
        let keys = try decoder.container(keyedBy: BodyKey.self)
        for key in keys.allKeys {
            if key.stringValue == "ownerId" {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key],
                                                        debugDescription: "is not a field of an import record; name the owner in owner (a user id or username)"))
            }
            let nullable = CustomerFields.nullableFields.contains(key.stringValue)
            if !nullable, CustomerFields.fieldNames.union(Self.ownKeys).contains(key.stringValue), try keys.decodeNil(forKey: key) {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath + [key], debugDescription: "must not be null (leave it out instead)"))
            }
        }
        externalId = try keys.decode(String.self, forKey: BodyKey(stringValue: "externalId"))
        owner = try keys.decodeIfPresent(String.self, forKey: BodyKey(stringValue: "owner"))
        fields = try CustomerFields(decoder, alsoKnown: Self.ownKeys)
    }
}

/// The answer of a customer import: the counts and one line per record, in the body's order.
struct CustomerImportBody: ResponseEncodable {
    struct Line: Encodable, Sendable {
        /// The 0-based index of the record in `customers`.
        let position: Int
        let externalId: String
        let action: CustomerImportAction
        /// The customer created or matched (for a create on a dry run, an id that is not stored).
        let customerId: UUID
        /// `pending` for a customer created as a duplicate under an `approve` rule.
        let approval: CustomerApproval
        /// Customers (stored, or created by this import) the record matches under `warn` or `approve` rules.
        let duplicateOf: [UUID]
    }
    let dryRun: Bool
    let created: Int
    let updated: Int
    let unchanged: Int
    let customers: [Line]

    init(dryRun: Bool, planned: [PlannedCustomerImport]) {
        self.dryRun = dryRun
        let counts = ImportCounts(planned.map(\.action))
        created = counts.created
        updated = counts.updated
        unchanged = counts.unchanged
        customers = planned.map {
            Line(position: $0.position, externalId: $0.externalID, action: $0.action, customerId: $0.customerID, approval: $0.approval,
                 duplicateOf: $0.matches.map(\.candidate.customerID))
        }
    }
}
