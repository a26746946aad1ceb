import EstateLogic
import Foundation
import PQ

/// What the customer part of a scale project holds.
public struct CustomerCounts: Sendable, Hashable {
    public var consultants = 0
    public var customers = 0
    public var phones = 0
    public var followUps = 0
    public var opportunities = 0

    public static func + (lhs: CustomerCounts, rhs: CustomerCounts) -> CustomerCounts {
        CustomerCounts(consultants: lhs.consultants + rhs.consultants, customers: lhs.customers + rhs.customers,
                       phones: lhs.phones + rhs.phones, followUps: lhs.followUps + rhs.followUps,
                       opportunities: lhs.opportunities + rhs.opportunities)
    }
}

/// Generated customers of a scale project (deterministic per project): about ten per room, owned
/// by the project's consultants (one per 300 rooms, at least four) with 5 % in the public pool;
/// every one has a unique mobile number, 30 % a landline too, 40 % a valid resident ID; 0–4
/// follow-ups each over the last two years, the grades and sources skewed as in a sales office.
enum CustomerSeed {
    static let surnames = ["wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
                           "hu", "guo", "he", "lin", "luo", "gao", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng"]
    static let given = ["wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan", "jie", "juan",
                        "tao", "ming", "chao", "xiuying", "xia", "ping", "gang", "hui", "hong", "bo", "xin", "yu", "hao", "ting"]
    static let mobilePrefixes = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155", "158",
                                 "159", "166", "176", "177", "180", "181", "186", "187", "188", "189", "199"]
    static let areaCodes = ["021", "010", "020", "025", "027", "028", "029", "022", "023", "024"]
    /// Sources and grades with their weights (per mille).
    static let sources: [(String, Int)] = [("walk_in", 450), ("call", 250), ("owner_referral", 150), ("agency", 150)]
    static let grades: [(String, Int)] = [("a", 80), ("b", 220), ("c", 400), ("d", 300)]
    /// Stages of the one opportunity 45 % of customers have, and why lost ones were lost.
    static let stages: [(String, Int)] = [("first_visit", 400), ("revisit", 250), ("intent", 150), ("lost", 150), ("reserved", 20),
                                          ("subscribed", 15), ("contracted", 15)]
    static let lostReasons: [(String, Int)] = [("price", 400), ("location", 200), ("competitor", 300), ("financing", 100)]
    static let followUpKinds: [(String, Int)] = [("call", 450), ("visit", 300), ("message", 180), ("email", 50), ("complaint", 10), ("suggestion", 10)]

    static func padded(_ value: Int, _ width: Int) -> String { ScaleData.padded(value, width) }

    /// A unique 8-digit tail for customer `sequence` of project `project` (projects up to 999, customers up to 99,999 each).
    static func tail(project: Int, sequence: Int) -> String { padded((project % 1000) * 100_000 + sequence % 100_000, 8) }

    /// A valid mainland resident ID, unique per (project, sequence).
    static func residentID(project: Int, sequence: Int, birth: LocalDate) -> String {
        let area = String(110_000 + (project * 7919 + sequence) % 540_000)
        let serial = padded((project * 100_000 + sequence) / 540_000 % 1000, 3)
        let date = String(birth.description.filter(\.isNumber))
        let first17 = area + date + serial
        return first17 + String(IDDocument.residentIDCheckCharacter(first17) ?? "0")
    }
}

extension UnitOfWork {
    /// Writes a scale project's consultants (signing in with `passwordHash`) and customers, their
    /// phones, creation history and follow-ups, in bulk (COPY). `now` anchors the dates.
    func loadCustomers(groupID: UUID, project: OrgUnit, index: Int, rooms: Int, passwordHash: String, now: Date) async throws -> CustomerCounts {
        var random = SeedRandom(seed: 0xC057_0000_0000_0000 &+ UInt64(index))
        var counts = CustomerCounts()
        let group = groupID.pqText()
        let projectText = project.id.pqText()
        let code = project.code

        // Consultants of the project.
        let consultantCount = max(4, rooms / 300)
        let consultants = (1...consultantCount).map { _ in UUIDv7.make(at: now.addingTimeInterval(-3 * 365 * 86_400)) }
        counts.consultants = try await transaction.copyIn(
            table: "users", columns: ["group_id", "id", "org_unit_id", "username", "display_name", "password_hash"],
            rows: consultants.enumerated().map { number, id in
                [group, id.pqText(), projectText, "\(code)-c\(CustomerSeed.padded(number + 1, 2))", "Consultant \(number + 1) of \(project.name)", passwordHash]
            })
        _ = try await transaction.copyIn(
            table: "role_grants", columns: ["group_id", "id", "user_id", "role", "org_unit_id"],
            rows: consultants.map { [group, UUIDv7.make().pqText(), $0.pqText(), BuiltInRoles.propertyConsultant.code, projectText] })

        // Customers, phones, creation history, follow-ups.
        let customerCount = rooms * 10
        let twoYears = 2 * 365 * 86_400.0
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        struct Made { let id: UUID; let created: Date; let owner: UUID?; let followUps: [Date]; let stage: String? }
        var made: [Made] = []
        made.reserveCapacity(customerCount)
        counts.customers = try await transaction.copyIn(table: "customers", columns: [
            "group_id", "id", "project_id", "kind", "name", "name_key", "gender", "birth_date", "id_type", "id_number", "source",
            "media", "intent_grade", "owner_id", "pooled_at", "last_follow_up_at", "protected_until", "stage", "created_by", "created_at", "updated_at",
        ]) { writer in
            for sequence in 0..<customerCount {
                let created = now.addingTimeInterval(-Double(random.int(0...Int(twoYears))))
                let name = "\(random.pick(CustomerSeed.surnames)) \(random.pick(CustomerSeed.given))"
                let owner = consultants[sequence % consultants.count]
                let pooled = random.chance(50)
                let followUps = (0..<random.int(0...4)).map { _ in
                    created.addingTimeInterval(Double(random.int(0...Int(max(1, now.timeIntervalSince(created))))))
                }.sorted()
                let last = followUps.last
                let birth = LocalDate(year: random.int(1950...2002), month: random.int(1...12), day: random.int(1...28))!
                let withID = random.chance(400)
                let protectedUntil = (last ?? created).addingTimeInterval(30 * 86_400)
                let stage = random.chance(450) ? random.weighted(CustomerSeed.stages) : nil
                made.append(Made(id: UUIDv7.make(at: created), created: created, owner: pooled ? nil : owner, followUps: followUps, stage: stage))
                try await writer.write([
                    group, made[made.count - 1].id.pqText(), projectText, "person", name.capitalized, CustomerText.normalizedName(name),
                    random.chance(500) ? "female" : "male", birth.description, withID ? "resident_id" : nil,
                    withID ? CustomerSeed.residentID(project: index, sequence: sequence, birth: birth) : nil,
                    random.weighted(CustomerSeed.sources), random.chance(600) ? "online" : nil,
                    random.weighted(CustomerSeed.grades), pooled ? nil : owner.pqText(),
                    pooled ? min(protectedUntil, now).pqText() : nil, last?.pqText(), pooled ? nil : protectedUntil.pqText(),
                    stage, owner.pqText(), created.pqText(), (last ?? created).pqText(),
                ])
            }
        }
        counts.phones = try await transaction.copyIn(table: "customer_phones", columns: ["group_id", "customer_id", "position", "number", "label"]) { writer in
            for (sequence, customer) in made.enumerated() {
                let tail = CustomerSeed.tail(project: index, sequence: sequence)
                try await writer.write([group, customer.id.pqText(), "1", random.pick(CustomerSeed.mobilePrefixes) + tail, "mobile"])
                if random.chance(300) {
                    try await writer.write([group, customer.id.pqText(), "2", random.pick(CustomerSeed.areaCodes) + tail, "home"])
                }
            }
        }
        _ = try await transaction.copyIn(table: "customer_ownership_history", columns: [
            "group_id", "id", "customer_id", "event", "to_owner_id", "to_project_id", "actor", "at",
        ]) { writer in
            for customer in made {
                try await writer.write([group, UUIDv7.make(at: customer.created).pqText(), customer.id.pqText(), "created",
                                        customer.owner?.pqText(), projectText, AuditActor.system.historyText, customer.created.pqText()])
            }
        }
        counts.followUps = try await transaction.copyIn(table: "customer_follow_ups", columns: [
            "group_id", "id", "customer_id", "kind", "at", "user_id", "content", "outcome", "next_follow_up_on",
        ]) { writer in
            for customer in made {
                for (number, at) in customer.followUps.enumerated() {
                    let next = number == customer.followUps.count - 1 && random.chance(300)
                        ? LocalDate(at.addingTimeInterval(Double(random.int(1...14)) * 86_400), in: shanghai).description : nil
                    try await writer.write([group, UUIDv7.make(at: at).pqText(), customer.id.pqText(),
                                            random.weighted(CustomerSeed.followUpKinds), at.pqText(),
                                            (customer.owner ?? consultants[0]).pqText(), "Follow-up \(number + 1)",
                                            random.chance(500) ? "interested" : nil, next])
                }
            }
        }
        // One opportunity for 45 % of the customers, in their project, with its stage history
        // (made at first_visit, then moved to where it stands); customers.stage was written above.
        let opportunities = made.compactMap { customer in customer.stage.map { (customer, $0, UUIDv7.make(at: customer.created)) } }
        var lost: [UUID: String] = [:]
        for (_, stage, id) in opportunities where stage == "lost" { lost[id] = random.weighted(CustomerSeed.lostReasons) }
        counts.opportunities = try await transaction.copyIn(table: "opportunities", columns: [
            "group_id", "id", "customer_id", "project_id", "stage", "lost_reason", "consultant_id", "created_at", "updated_at",
        ], rows: opportunities.lazy.map { customer, stage, id -> [String?] in
            [group, id.pqText(), customer.id.pqText(), projectText, stage, lost[id], customer.owner?.pqText(),
             customer.created.pqText(), (customer.followUps.last ?? customer.created).pqText()]
        })
        _ = try await transaction.copyIn(table: "opportunity_stage_history", columns: [
            "group_id", "id", "opportunity_id", "customer_id", "from_stage", "to_stage", "actor", "lost_reason", "at",
        ]) { writer in
            for (customer, stage, id) in opportunities {
                try await writer.write([group, UUIDv7.make(at: customer.created).pqText(), id.pqText(), customer.id.pqText(), nil,
                                        "first_visit", AuditActor.system.historyText, nil, customer.created.pqText()])
                if stage != "first_visit" {
                    let at = customer.followUps.last ?? customer.created.addingTimeInterval(86_400)
                    try await writer.write([group, UUIDv7.make(at: at).pqText(), id.pqText(), customer.id.pqText(), "first_visit",
                                            stage, AuditActor.system.historyText, lost[id], at.pqText()])
                }
            }
        }
        return counts
    }
}
