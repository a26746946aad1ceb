import EstateLogic
import Foundation
import PQ

/// Why a step's write is refused by the database's own rules.
public enum DealStepDataError: Error, Sendable, Hashable {
    /// Another deal of the project has this contract number (the unique index deals_contract_number).
    case contractNumberTaken(String)
}

/// The dated steps of deals after the subscription (`deal_steps`) and what they establish on the
/// deal (its contract, filing, mortgage and area settlement columns).
public struct DealStepRepository: Sendable {
    let transaction: PQTransaction

    /// The deal's milestones with its dated steps, oldest first.
    public func milestones(groupID: UUID, dealID: UUID) async throws -> DealMilestones {
        guard let row = try await transaction.query("""
            SELECT contract_number, contract_signed_on, filing_number, filed_on, contract_deadline, mortgage_bank, mortgage_amount,
                   mortgage_term_months, contracted_area, actual_area, settlement_amount, buyer_may_cancel
            FROM deals WHERE group_id = \(groupID) AND id = \(dealID)
            """).firstRow else { throw DataError.internalFailure("deal vanished") }
        let steps = try await transaction.query("""
            SELECT step, done_on, details, recorded_by, recorded_at FROM deal_steps
            WHERE group_id = \(groupID) AND deal_id = \(dealID) ORDER BY done_on, recorded_at
            """).map { row in
                let text: String = try row.decode("step")
                guard let step = DealStep(rawValue: text) else { throw DataError.internalFailure("deal step of unknown kind \(text)") }
                return DealStepRecord(step: step, doneOn: try row.decode("done_on"), details: try row.decode("details", as: PQJSON.self).decode(),
                                      recordedBy: try row.decode("recorded_by"), recordedAt: try row.decode("recorded_at"))
            }
        return DealMilestones(
            contractNumber: try row.decode("contract_number"), contractSignedOn: try row.decode("contract_signed_on"),
            filingNumber: try row.decode("filing_number"), filedOn: try row.decode("filed_on"),
            contractDeadline: try row.decode("contract_deadline"), mortgageBank: try row.decode("mortgage_bank"),
            mortgageAmount: try row.decode("mortgage_amount"),
            mortgageTermMonths: try row.decode("mortgage_term_months", as: Int32?.self).map(Int.init),
            contractedArea: try row.decode("contracted_area"), actualArea: try row.decode("actual_area"),
            settlementAmount: try row.decode("settlement_amount"), buyerMayCancel: try row.decode("buyer_may_cancel"),
            steps: steps)
    }

    /// Stores the milestone columns of a deal (call it before ``DealRepository/update(_:)``, which
    /// moves the deal's version). A contract number another deal of the project has is
    /// ``DealStepDataError/contractNumberTaken(_:)``.
    public func save(groupID: UUID, dealID: UUID, _ m: DealMilestones) async throws {
        do {
            try await transaction.execute("""
                UPDATE deals SET contract_number = \(m.contractNumber), contract_signed_on = \(m.contractSignedOn),
                       filing_number = \(m.filingNumber), filed_on = \(m.filedOn), contract_deadline = \(m.contractDeadline),
                       mortgage_bank = \(m.mortgageBank), mortgage_amount = \(m.mortgageAmount),
                       mortgage_term_months = \(m.mortgageTermMonths.map(Int32.init)), contracted_area = \(m.contractedArea),
                       actual_area = \(m.actualArea), settlement_amount = \(m.settlementAmount), buyer_may_cancel = \(m.buyerMayCancel)
                WHERE group_id = \(groupID) AND id = \(dealID)
                """)
        } catch let error as PQError where error.isUniqueViolation && error.constraint == "deals_contract_number" {
            throw DealStepDataError.contractNumberTaken(m.contractNumber ?? "")
        }
    }

    /// Records a dated step of a deal: one row per step. A step taken again (a deal sent back to
    /// contracted by a change of payment method applies for a mortgage anew) replaces its row; the
    /// deal's history keeps what it was.
    public func record(groupID: UUID, dealID: UUID, _ record: DealStepRecord) async throws {
        try await transaction.execute("""
            INSERT INTO deal_steps (group_id, deal_id, step, done_on, details, recorded_by)
            VALUES (\(groupID), \(dealID), \(record.step.rawValue), \(record.doneOn), \(try PQJSON(encoding: record.details)), \(record.recordedBy))
            ON CONFLICT (group_id, deal_id, step) DO UPDATE
            SET done_on = excluded.done_on, details = excluded.details, recorded_by = excluded.recorded_by, recorded_at = clock_timestamp()
            """)
    }

    /// Stores a surveyed actual area on a room read (and locked) at `room.version`: the built or the
    /// internal actual area, as the room is priced. Returns the stored room.
    public func setActualArea(_ room: Room, built: Area?, internal: Area?) async throws -> Room {
        guard try await transaction.execute("""
            UPDATE rooms SET built_area_actual = \(built), internal_area_actual = \(`internal`), version = version + 1, updated_at = now()
            WHERE group_id = \(room.groupID) AND id = \(room.id) AND version = \(room.version)
            """) == 1 else { throw VersionConflict(object: "room", current: room.version) }
        guard let stored = try await RoomRepository(transaction: transaction).find(groupID: room.groupID, id: room.id) else {
            throw DataError.internalFailure("room vanished")
        }
        return stored
    }
}

extension DealRepository {
    /// Reserved deals of every group whose reservation ended at or before `now`, locked (skipping
    /// deals another transaction holds), oldest expiry first, at most `limit`.
    public func lockExpiredReservations(now: Date, limit: Int) async throws -> [Deal] {
        try await transaction.query("""
            SELECT \(Self.columns) FROM \(Self.from)
            WHERE d.stage = 'reserved' AND d.reserved_until <= \(now)
            ORDER BY d.reserved_until LIMIT \(limit) FOR UPDATE OF d SKIP LOCKED
            """).map(Self.decode)
    }
}

extension UnitOfWork {
    public var dealSteps: DealStepRepository { DealStepRepository(transaction: transaction) }
}
