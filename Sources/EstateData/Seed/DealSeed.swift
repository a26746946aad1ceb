import EstateLogic
import Foundation
import PQ

/// What the deal part of a scale project holds.
public struct DealCounts: Sendable, Hashable {
    public var deals = 0
    public var receivables = 0
    public var collections = 0
    public var receipts = 0
    public var dealsByStage: [DealStage: Int] = [:]

    public static func + (lhs: DealCounts, rhs: DealCounts) -> DealCounts {
        DealCounts(deals: lhs.deals + rhs.deals, receivables: lhs.receivables + rhs.receivables,
                   collections: lhs.collections + rhs.collections, receipts: lhs.receipts + rhs.receipts,
                   dealsByStage: lhs.dealsByStage.merging(rhs.dealsByStage, uniquingKeysWith: +))
    }
}

/// Generated deals of a scale project (deterministic per project): every room the inventory seed
/// left reserved, subscribed or contracted gets its one live deal, bought by one of the project's
/// customers (30 % with a co-owner), at the room's list price, paid by the methods' usual mix, with
/// the payment schedule of EstateLogic; contracted rooms' deals stand anywhere from the contract to
/// the inspection on their path. Lines due by now are paid (90 % in full, 5 % half, 5 % not: the
/// arrears), loans once their funds arrived; each payment is a collection with its allocation and a
/// receipt numbered without gaps per project and year.
enum DealSeed {
    static let methods: [(PaymentMethod, Int)] = [(.fullPayment, 250), (.instalments, 150), (.commercialMortgage, 350),
                                                   (.providentFundMortgage, 150), (.combinedMortgage, 100)]
    static let collectionMethods: [(String, Int)] = [("transfer", 700), ("card", 250), ("cash", 50)]

    /// The terms of `method` for a room at `price`: loans of about 65 % of the price in whole
    /// ten-thousands (the provident fund lends at most 1,200,000), instalments 30 % down then six
    /// every two months.
    static func terms(_ method: PaymentMethod, price: Money) -> PaymentTerms {
        let loan = Money(minorUnits: price.minorUnits * 65 / 100 / 1_000_000 * 1_000_000)
        switch method {
        case .fullPayment: return .fullPayment()
        case .instalments: return .instalments(downPaymentRatio: 3000, count: 6, intervalMonths: 2)
        case .commercialMortgage: return .mortgage(method, commercialLoan: loan)
        case .providentFundMortgage: return .mortgage(method, providentFundLoan: min(loan, Money(yuan: 1_200_000)))
        case .combinedMortgage:
            let fund = min(Money(minorUnits: loan.minorUnits / 2 / 1_000_000 * 1_000_000), Money(yuan: 600_000))
            return .mortgage(method, commercialLoan: loan - fund, providentFundLoan: fund)
        }
    }
}

extension UnitOfWork {
    /// Writes the deals of a scale project's reserved, subscribed and contracted rooms, with their
    /// buyers, steps, history, receivables, collections, allocations and receipts, in bulk (COPY).
    func loadDeals(groupID: UUID, project: OrgUnit, index: Int, now: Date) async throws -> DealCounts {
        var random = SeedRandom(seed: 0xDEA1_0000_0000_0000 &+ UInt64(index))
        var counts = DealCounts()
        let group = groupID.pqText()
        let projectText = project.id.pqText()
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let today = LocalDate(now, in: shanghai)
        let rooms = try await transaction.query("""
            SELECT id, status, list_price, built_area_forecast FROM rooms
            WHERE group_id = \(groupID) AND project_id = \(project.id) AND status IN ('reserved', 'subscribed', 'contracted')
              AND list_price IS NOT NULL
            ORDER BY id
            """).map { row in
            (id: try row.decode("id", as: UUID.self), status: try row.decode("status", as: String.self),
             price: try row.decode("list_price", as: Money.self), area: try row.decode("built_area_forecast", as: Area?.self))
        }
        guard !rooms.isEmpty else { return counts }
        let customers = try await transaction.query("""
            SELECT id, owner_id FROM customers WHERE group_id = \(groupID) AND project_id = \(project.id) AND owner_id IS NOT NULL
            ORDER BY id LIMIT \(rooms.count * 2)
            """).map { (id: try $0.decode("id", as: UUID.self), owner: try $0.decode("owner_id", as: UUID.self)) }
        guard customers.count >= rooms.count else { return counts }

        struct Line { let id: UUID; let position: Int; let line: ScheduleLine; var paid: Money }
        struct Made {
            let id: UUID; let room: UUID; let owner: UUID; let stage: DealStage; let buyers: [DealBuyer]
            let deposit: Deposit; let reservedUntil: Date?; let price: Money?; let terms: PaymentTerms?; let subscribedOn: LocalDate?
            let area: Area?; let created: Date; let path: [DealStage]; var lines: [Line]
        }
        var made: [Made] = []
        for (number, room) in rooms.enumerated() {
            let buyer = customers[number]
            let coOwner = random.chance(300) && customers.count > rooms.count + number ? customers[rooms.count + number].id : nil
            let buyers = coOwner.map { [DealBuyer(customerID: buyer.id, shareBasisPoints: 5000), DealBuyer(customerID: $0, shareBasisPoints: 5000)] }
                ?? [DealBuyer(customerID: buyer.id, shareBasisPoints: 10_000)]
            let daysAgo = switch room.status {
            case "reserved": random.int(0...6)
            case "subscribed": random.int(5...60)
            default: random.int(40...200)
            }
            let created = now.addingTimeInterval(-Double(daysAgo) * 86_400 - Double(random.int(0...36_000)))
            let id = UUIDv7.make(at: created)
            if room.status == "reserved" {
                let deposit = Deposit(kind: .intent, amount: Money(yuan: Int64(random.int(1...5)) * 10_000))
                let until = now.addingTimeInterval(Double(random.int(1...14)) * 86_400)
                made.append(Made(id: id, room: room.id, owner: buyer.owner, stage: .reserved, buyers: buyers, deposit: deposit,
                                 reservedUntil: until, price: nil, terms: nil, subscribedOn: nil, area: room.area, created: created,
                                 path: [.reserved], lines: [Line(id: UUIDv7.make(at: created), position: 1,
                                                                 line: ScheduleLine(kind: .deposit, dueDate: LocalDate(created, in: shanghai),
                                                                                    amount: deposit.amount), paid: deposit.amount)]))
                continue
            }
            let method = random.weighted(DealSeed.methods)
            let terms = DealSeed.terms(method, price: room.price)
            let deposit = Deposit(kind: .earnest, amount: min(Money(yuan: 50_000), Deposit.maximumEarnest(price: room.price)))
            let subscribedOn = LocalDate(created, in: shanghai)
            guard let schedule = try? PaymentSchedule.generate(price: room.price, deposit: deposit.amount, subscriptionDate: subscribedOn,
                                                               terms: terms) else { continue }
            let path = DealFlow.path(paymentMethod: method)
            var stage = DealStage.subscribed
            if room.status == "contracted" {
                let reachable = path.filter { $0 != .reserved && $0 != .subscribed && $0.roomStatus == .contracted }
                stage = reachable[random.int(0...(reachable.count - 1))]
            }
            let stageIndex = path.firstIndex(of: stage) ?? 0
            let fundsArrived = path.firstIndex(of: .mortgageFundsArrived).map { stageIndex >= $0 } ?? false
            var lines: [Line] = []
            for (position, line) in schedule.lines.enumerated() {
                var paid = Money.zero
                let isLoan = line.kind == .commercialLoan || line.kind == .providentFundLoan
                if isLoan ? fundsArrived : line.dueDate <= today {
                    let draw = random.int(0...999)
                    paid = isLoan || draw < 900 ? line.amount : draw < 950 ? Money(minorUnits: line.amount.minorUnits / 2) : .zero
                }
                lines.append(Line(id: UUIDv7.make(at: created), position: position + 1, line: line, paid: paid))
            }
            made.append(Made(id: id, room: room.id, owner: buyer.owner, stage: stage, buyers: buyers, deposit: deposit, reservedUntil: nil,
                             price: room.price, terms: terms, subscribedOn: subscribedOn, area: room.area, created: created,
                             path: Array(path[...stageIndex].filter { $0 != .reserved }), lines: lines))
        }

        let actor = AuditActor.system.historyText
        counts.deals = try await transaction.copyIn(table: "deals", columns: [
            "group_id", "id", "project_id", "room_id", "owner_id", "stage", "deposit_kind", "deposit_amount", "reserved_until",
            "list_price", "final_price", "floor_price", "payment_method", "payment_terms", "subscribed_on", "contract_number",
            "contract_signed_on", "filing_number", "filed_on", "contracted_area", "created_by", "created_at", "updated_at",
        ]) { writer in
            for (number, deal) in made.enumerated() {
                let contracted = deal.path.contains(.contracted)
                let signed = deal.subscribedOn?.adding(days: 7)
                try await writer.write([
                    group, deal.id.pqText(), projectText, deal.room.pqText(), deal.owner.pqText(), deal.stage.rawValue,
                    deal.deposit.kind.rawValue, deal.deposit.amount.pqText(), deal.reservedUntil?.pqText(),
                    deal.price?.pqText(), deal.price?.pqText(), nil, deal.terms?.method.rawValue,
                    try deal.terms.map { try PQJSON(encoding: $0).text }, deal.subscribedOn?.description,
                    contracted ? "HT-\(project.code.uppercased())-\(ScaleData.padded(number + 1, 5))" : nil, contracted ? signed?.description : nil,
                    contracted ? "BA\(ScaleData.padded(index, 4))\(ScaleData.padded(number + 1, 6))" : nil,
                    contracted ? signed?.adding(days: 7)?.description : nil, contracted ? deal.area?.pqText() : nil,
                    actor, deal.created.pqText(), deal.created.pqText(),
                ])
                counts.dealsByStage[deal.stage, default: 0] += 1
            }
        }
        _ = try await transaction.copyIn(table: "deal_buyers", columns: ["group_id", "deal_id", "customer_id", "position", "share_bp"]) { writer in
            for deal in made {
                for (position, buyer) in deal.buyers.enumerated() {
                    try await writer.write([group, deal.id.pqText(), buyer.customerID.pqText(), String(position + 1), String(buyer.shareBasisPoints)])
                }
            }
        }
        _ = try await transaction.copyIn(table: "deal_steps", columns: ["group_id", "deal_id", "step", "done_on", "recorded_by"]) { writer in
            for deal in made {
                guard let subscribed = deal.subscribedOn else { continue }
                for (offset, stage) in deal.path.enumerated() where stage != .subscribed {
                    guard let step = DealStep.allCases.first(where: { $0.stage == stage }) else { continue }
                    try await writer.write([group, deal.id.pqText(), step.rawValue, subscribed.adding(days: 7 * offset)?.description, actor])
                }
            }
        }
        _ = try await transaction.copyIn(table: "deal_history", columns: [
            "group_id", "id", "deal_id", "event", "from_stage", "to_stage", "actor", "at",
        ]) { writer in
            for deal in made {
                var previous: DealStage?
                for (offset, stage) in deal.path.enumerated() {
                    guard let step = DealStep.allCases.first(where: { $0.stage == stage }) else { continue }
                    let at = deal.created.addingTimeInterval(Double(offset) * 7 * 86_400)
                    try await writer.write([group, UUIDv7.make(at: at).pqText(), deal.id.pqText(), step.rawValue, previous?.rawValue,
                                            stage.rawValue, actor, at.pqText()])
                    previous = stage
                }
            }
        }
        counts.receivables = try await transaction.copyIn(table: "receivables", columns: [
            "group_id", "id", "deal_id", "position", "kind", "due_on", "amount", "paid",
        ]) { writer in
            for deal in made {
                for line in deal.lines {
                    try await writer.write([group, line.id.pqText(), deal.id.pqText(), String(line.position), line.line.kind.rawValue,
                                            line.line.dueDate.description, line.line.amount.pqText(), line.paid.pqText()])
                }
            }
        }
        // One collection per paid line, received on its due date (or today, if that is later than
        // today), receipts numbered in the order money came in, per year.
        struct Payment { let deal: Made; let line: Line; let on: LocalDate; let id: UUID }
        let payments = made.flatMap { deal in
            deal.lines.filter { $0.paid > .zero }.map { line in
                Payment(deal: deal, line: line, on: min(line.line.dueDate, today), id: UUIDv7.make(at: deal.created))
            }
        }.sorted { ($0.on, $0.id.uuidString) < ($1.on, $1.id.uuidString) }
        counts.collections = try await transaction.copyIn(table: "collections", columns: [
            "group_id", "id", "deal_id", "project_id", "method", "amount", "received_on", "recorded_by", "recorded_at",
        ]) { writer in
            for payment in payments {
                let loan = payment.line.line.kind == .commercialLoan || payment.line.line.kind == .providentFundLoan
                try await writer.write([group, payment.id.pqText(), payment.deal.id.pqText(), projectText,
                                        loan ? "transfer" : random.weighted(DealSeed.collectionMethods),
                                        payment.line.paid.pqText(), payment.on.description, actor, payment.on.start(in: shanghai).pqText()])
            }
        }
        _ = try await transaction.copyIn(table: "allocations", columns: [
            "group_id", "id", "deal_id", "receivable_id", "kind", "collection_id", "amount", "at",
        ], rows: payments.lazy.map { payment -> [String?] in
            [group, UUIDv7.make().pqText(), payment.deal.id.pqText(), payment.line.id.pqText(), "collection", payment.id.pqText(),
             payment.line.paid.pqText(), payment.on.start(in: shanghai).pqText()]
        })
        let prefix = ReceiptNumber.prefix(forProjectCode: project.code)
        var sequences: [Int: Int] = [:]
        counts.receipts = try await transaction.copyIn(table: "receipts", columns: [
            "group_id", "id", "project_id", "deal_id", "collection_id", "year", "sequence", "number", "amount", "issued_at", "issued_by",
        ]) { writer in
            for payment in payments {
                let sequence = sequences[payment.on.year, default: 0] + 1
                sequences[payment.on.year] = sequence
                guard let number = ReceiptNumber(prefix: prefix, year: payment.on.year, sequence: sequence) else { continue }
                try await writer.write([group, UUIDv7.make().pqText(), projectText, payment.deal.id.pqText(), payment.id.pqText(),
                                        String(payment.on.year), String(sequence), number.description, payment.line.paid.pqText(),
                                        payment.on.start(in: shanghai).pqText(), actor])
            }
        }
        _ = try await transaction.copyIn(table: "receipt_counters", columns: ["group_id", "project_id", "year", "last_sequence", "prefix"],
                                         rows: sequences.sorted { $0.key < $1.key }.map { [group, projectText, String($0.key), String($0.value), prefix] })
        return counts
    }
}
