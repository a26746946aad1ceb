import EstateLogic
import Foundation
import PQ

/// An owner of a handed-over room: a buyer of the deal with their share, as stored (unmasked; the
/// interface masks personal data for callers without customers.pii).
public struct HandoverOwner: Sendable, Hashable, Decodable {
    public var customerId: UUID
    public var shareBasisPoints: Int
    /// person or company
    public var kind: String
    public var name: String
    public var idType: String?
    public var idNumber: String?
    /// Normalised numbers, in the customer's order.
    public var phones: [String]
    /// The customer's project's path (whose customers.pii decides the masking).
    public var projectPath: [UUID]
}

/// A deal whose room property management has taken over (``PropertyHandover``).
public struct HandoverRecord: Sendable, Hashable {
    public var dealID: UUID
    public var stage: DealStage
    public var updatedAt: Date
    public var project: IntegrationUnit
    public var building: IntegrationUnit
    public var roomID: UUID
    public var roomNumber: String
    public var externalCode: String?
    /// The unit (entrance) of the building and the floor.
    public var entrance: Int
    public var floor: Int
    public var roomKind: String
    /// built_area, internal_area or unit: which area the price and the contracted area are of.
    public var pricingBasis: String
    public var contractNumber: String?
    public var contractSignedOn: LocalDate?
    public var contractedArea: Area?
    /// The surveyed area the deal was settled on (nil before the area settlement).
    public var actualArea: Area?
    public var settlementAmount: Money?
    /// The dated steps of ``PropertyHandover/datedSteps`` the deal went through.
    public var steps: [DealStep: LocalDate]
    public var owners: [HandoverOwner]
}

extension IntegrationExports {
    /// Deals under `roots` whose room was handed over to property management, in sync order.
    public func handovers(groupID: UUID, under roots: [UUID], after position: SyncPosition?, since: Date?,
                          limit: Int) async throws -> SyncPage<HandoverRecord> {
        let stages = SQL(unsafeRaw: PropertyHandover.stages.map { "'\($0.rawValue)'" }.joined(separator: ", "))
        let steps = PropertyHandover.datedSteps.map(\.rawValue)
        let source: SQL = """
            SELECT d.sync_xact AS sync_stamp, d.id AS sync_key, 0 AS sync_part, d.updated_at AS sync_time,
                   d.group_id, d.id AS deal_id, d.stage, d.updated_at, d.contract_number, d.contract_signed_on, d.contracted_area,
                   d.actual_area, d.settlement_amount, o.id AS project_id, o.code AS project_code, o.name AS project_name,
                   b.id AS building_id, b.code AS building_code, b.name AS building_name,
                   r.id AS room_id, r.number AS room_number, r.external_code, r.entrance, r.floor, r.kind AS room_kind, r.pricing_basis
            FROM deals d JOIN org_units o ON o.group_id = d.group_id AND o.id = d.project_id
            JOIN rooms r ON r.group_id = d.group_id AND r.id = d.room_id
            JOIN buildings b ON b.group_id = r.group_id AND b.id = r.building_id
            WHERE d.group_id = \(groupID) AND d.stage IN (\(stages)) AND \(Self.scope(roots))
            """
        let details: SQL = """
            SELECT (SELECT coalesce(jsonb_object_agg(st.step, st.done_on::text), '{}') FROM deal_steps st
                    WHERE st.group_id = s.group_id AND st.deal_id = s.deal_id AND st.step = ANY(\(steps)::text[])) AS steps,
                   (SELECT coalesce(jsonb_agg(jsonb_build_object(
                               'customerId', c.id, 'shareBasisPoints', db.share_bp, 'kind', c.kind, 'name', c.name, 'idType', c.id_type,
                               'idNumber', c.id_number, 'projectPath', co.path,
                               'phones', ARRAY(SELECT p.number FROM customer_phones p
                                               WHERE p.group_id = c.group_id AND p.customer_id = c.id ORDER BY p.position))
                           ORDER BY db.position), '[]')
                    FROM deal_buyers db JOIN customers c ON c.group_id = db.group_id AND c.id = db.customer_id
                    JOIN org_units co ON co.group_id = c.group_id AND co.id = c.project_id
                    WHERE db.group_id = s.group_id AND db.deal_id = s.deal_id) AS owners
            """
        return try await IntegrationSync.page(transaction, source: source, details: details, after: position, since: since,
                                              limit: limit) { row in
            let stageText: String = try row.decode("stage")
            guard let stage = DealStage(rawValue: stageText) else { throw DataError.internalFailure("deal in unknown stage \(stageText)") }
            var steps: [DealStep: LocalDate] = [:]
            for (name, day) in try row.decode("steps", as: PQJSON.self).decode([String: String].self) {
                guard let step = DealStep(rawValue: name), let date = LocalDate(day) else { throw DataError.internalFailure("bad deal step \(name)") }
                steps[step] = date
            }
            return HandoverRecord(
                dealID: try row.decode("deal_id"), stage: stage, updatedAt: try row.decode("updated_at"),
                project: try .decode(row, "project"), building: try .decode(row, "building"), roomID: try row.decode("room_id"),
                roomNumber: try row.decode("room_number"), externalCode: try row.decode("external_code"),
                entrance: Int(try row.decode("entrance", as: Int32.self)), floor: Int(try row.decode("floor", as: Int32.self)),
                roomKind: try row.decode("room_kind"), pricingBasis: try row.decode("pricing_basis"),
                contractNumber: try row.decode("contract_number"), contractSignedOn: try row.decode("contract_signed_on"),
                contractedArea: try row.decode("contracted_area"), actualArea: try row.decode("actual_area"),
                settlementAmount: try row.decode("settlement_amount"), steps: steps,
                owners: try row.decode("owners", as: PQJSON.self).decode([HandoverOwner].self))
        }
    }
}
