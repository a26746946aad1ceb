import EstateLogic
import Foundation
import PQ

/// A project or building as the integration documents name it.
public struct IntegrationUnit: Sendable, Hashable {
    public var id: UUID
    public var code: String
    public var name: String

    public init(id: UUID, code: String, name: String) {
        self.id = id
        self.code = code
        self.name = name
    }

    /// The unit in columns `<prefix>_id`, `<prefix>_code`, `<prefix>_name`.
    static func decode(_ row: PQRow, _ prefix: String) throws -> IntegrationUnit {
        IntegrationUnit(id: try row.decode("\(prefix)_id"), code: try row.decode("\(prefix)_code"), name: try row.decode("\(prefix)_name"))
    }
}

/// The data of the outbound integration documents (issue 7): property handovers, the cost system's
/// sales, finance vouchers, OA approval requests. Each reads one page of its rows in one statement,
/// through ``IntegrationSync`` (the sync horizon and the ascending keyset), limited to the projects
/// under `roots` (the units where the caller holds the export's permission).
public struct IntegrationExports: Sendable {
    let transaction: PQTransaction

    /// `o.path && roots`: rows of projects under one of the units.
    static func scope(_ roots: [UUID], path: SQL = "o.path") -> SQL {
        "\(path) && \(roots)::uuid[]"
    }
}

extension UnitOfWork {
    /// The outbound integration documents' data.
    public var integrationExports: IntegrationExports { IntegrationExports(transaction: transaction) }
}
