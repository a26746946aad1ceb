import EstateLogic
import Foundation
import PQ

/// The tasks deal steps generate for the deal's owner (``DealTaskPlan``): created once per source
/// (the unique index tasks_source), completed when their step is done, cancelled when their reason
/// went away. Each change writes its task_history line.
public struct DealTaskRepository: Sendable {
    let transaction: PQTransaction

    /// Creates the tasks of `deal` that do not exist yet (for its owner, about its first buyer, in its
    /// project); a source that already has a task, open or not, is left alone. Returns how many were created.
    @discardableResult
    public func ensure(_ tasks: [DealTask], of deal: Deal, actor: String) async throws -> Int {
        guard !tasks.isEmpty else { return 0 }
        let ids = tasks.map { _ in UUIDv7.make() }
        let created = try await transaction.query("""
            INSERT INTO tasks (group_id, id, assignee_id, kind, title, customer_id, org_unit_id, due_on, source_type, source_id)
            SELECT \(deal.groupID), x.id, \(deal.ownerID), x.kind, x.title, \(deal.buyers.first?.customerID), \(deal.projectID), x.due_on,
                   x.source_type, x.source_id
            FROM unnest(\(ids)::uuid[], \(tasks.map(\.kind.rawValue))::text[], \(tasks.map(\.title))::text[], \(tasks.map(\.dueOn))::date[],
                        \(tasks.map(\.source.type))::text[], \(tasks.map(\.source.id))::uuid[]) AS x(id, kind, title, due_on, source_type, source_id)
            ON CONFLICT (group_id, source_type, source_id) WHERE source_id IS NOT NULL DO NOTHING
            RETURNING id, due_on
            """).map { row -> (id: UUID, dueOn: LocalDate) in (try row.decode("id"), try row.decode("due_on")) }
        guard !created.isEmpty else { return 0 }
        try await transaction.execute("""
            INSERT INTO task_history (group_id, id, task_id, event, to_assignee_id, to_due_on, actor)
            SELECT \(deal.groupID), h.id, h.task_id, 'created', \(deal.ownerID), h.due_on, \(actor)
            FROM unnest(\(created.map { _ in UUIDv7.make() })::uuid[], \(created.map(\.id))::uuid[], \(created.map(\.dueOn))::date[])
                 AS h(id, task_id, due_on)
            """)
        return created.count
    }

    /// Marks the open tasks of `sources` done (`done`) or cancelled, with a history line carrying
    /// `note`. Returns how many changed.
    @discardableResult
    public func close(groupID: UUID, _ sources: [TaskSource], done: Bool, actor: String, note: String) async throws -> Int {
        guard !sources.isEmpty else { return 0 }
        let status = done ? TaskStatus.done : TaskStatus.cancelled
        let event = done ? TaskEvent.completed : TaskEvent.cancelled
        let closed = try await transaction.query("""
            UPDATE tasks t SET status = \(status.rawValue), completed_at = now(), completed_by = \(actor), version = t.version + 1, updated_at = now()
            FROM unnest(\(sources.map(\.type))::text[], \(sources.map(\.id))::uuid[]) AS s(source_type, source_id)
            WHERE t.group_id = \(groupID) AND t.source_type = s.source_type AND t.source_id = s.source_id AND t.status = 'open'
            RETURNING t.id
            """).map { row -> UUID in try row.decode("id") }
        guard !closed.isEmpty else { return 0 }
        try await transaction.execute("""
            INSERT INTO task_history (group_id, id, task_id, event, actor, note)
            SELECT \(groupID), h.id, h.task_id, \(event.rawValue), \(actor), \(note)
            FROM unnest(\(closed.map { _ in UUIDv7.make() })::uuid[], \(closed)::uuid[]) AS h(id, task_id)
            """)
        return closed.count
    }

    /// Brings the payment-due tasks of `deal` in line with its receivables (``DealTaskPlan/payments(current:superseded:roomNumber:)``):
    /// a task for each open line the buyers pay, the tasks of paid lines completed, those of
    /// superseded lines cancelled. Call it in the unit of work that changed the deal's receivables
    /// (a subscription, a step, a collection, a refund, a regenerated schedule).
    /// A cancelled or terminated deal's tasks were cancelled when it ended (``cancelAll(of:actor:note:)``):
    /// nothing to do (a completed deal's payment tasks are still brought in line: all done).
    public func syncPayments(of deal: Deal, actor: String) async throws {
        guard deal.stage.holdsRoom else { return }
        let lines = try await DealRepository(transaction: transaction).receivables(groupID: deal.groupID, dealID: deal.id, includingSuperseded: true)
        let number = try await roomNumber(deal)
        let plan = DealTaskPlan.payments(current: lines.filter { $0.supersededAt == nil }.map(\.line),
                                         superseded: lines.filter { $0.supersededAt != nil }.map(\.line.id), roomNumber: number)
        try await ensure(plan.open, of: deal, actor: actor)
        try await close(groupID: deal.groupID, plan.paid, done: true, actor: actor, note: "paid")
        try await close(groupID: deal.groupID, plan.superseded, done: false, actor: actor, note: "the payment schedule changed")
    }

    /// Cancels every open task of `deal` (its payment, contract and mortgage tasks): the deal ended.
    @discardableResult
    public func cancelAll(of deal: Deal, actor: String, note: String) async throws -> Int {
        let lines = try await transaction.query("""
            SELECT id FROM receivables WHERE group_id = \(deal.groupID) AND deal_id = \(deal.id)
            """).map { row -> UUID in try row.decode("id") }
        let sources = lines.map(TaskSource.receivable) + TaskSource.dealTypes.map { TaskSource(type: $0, id: deal.id) }
        return try await close(groupID: deal.groupID, sources, done: false, actor: actor, note: note)
    }

    /// The number of the deal's room (for task titles).
    public func roomNumber(_ deal: Deal) async throws -> String? {
        try await transaction.query("SELECT number FROM rooms WHERE group_id = \(deal.groupID) AND id = \(deal.roomID)").firstRow?.decode("number")
    }
}

extension UnitOfWork {
    public var dealTasks: DealTaskRepository { DealTaskRepository(transaction: transaction) }
}
