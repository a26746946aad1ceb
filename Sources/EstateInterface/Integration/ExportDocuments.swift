import EstateData
import EstateLogic
import Foundation
import LibXML
import Logging

/// property-handovers-v1: the rooms property management takes over, with owners, areas and dates.
enum HandoverDocument {
    static let schema = "property-handovers-v1"
    static let namespace = "urn:estate:integration:property:handovers:v1"
    static let x = XMLBuilder(namespace: namespace)

    /// `pii(owner)`: whether the caller sees the owner's personal data (else phones and the ID
    /// number are masked as the customer API masks them).
    static func make(_ page: SyncPage<HandoverRecord>, request: ExportRequest, now: Date,
                     pii: (HandoverOwner) throws -> Bool) throws -> XMLElement {
        var rows: [XMLElement] = []
        for entry in page.rows { rows.append(try handover(entry.row, pii: pii)) }
        return x.root("handovers", [], request: request, page: page, now: now, rows: rows)
    }

    static func handover(_ h: HandoverRecord, pii: (HandoverOwner) throws -> Bool) throws -> XMLElement {
        let attributes: KeyValuePairs<String, String?> = [
            "dealId": h.dealID.lowercasedString, "stage": h.stage.rawValue, "updatedAt": EventTime.text(h.updatedAt),
        ]
        var owners: [XMLElement?] = []
        for owner in h.owners { owners.append(try self.owner(owner, sees: try pii(owner))) }
        let children: [XMLElement?] = [
            x.unit("project", h.project), room(h), contract(h), areas(h), dates(h), x.element("owners", [:], owners),
        ]
        return x.element("handover", attributes, children)
    }

    static func room(_ h: HandoverRecord) -> XMLElement {
        let attributes: KeyValuePairs<String, String?> = ["id": h.roomID.lowercasedString, "externalCode": h.externalCode]
        let children: [XMLElement?] = [
            x.unit("building", h.building), x.text("unit", String(h.entrance)), x.text("floor", String(h.floor)),
            x.text("number", h.roomNumber), x.text("kind", h.roomKind),
        ]
        return x.element("room", attributes, children)
    }

    static func contract(_ h: HandoverRecord) -> XMLElement? {
        guard h.contractNumber != nil || h.contractSignedOn != nil else { return nil }
        let attributes: KeyValuePairs<String, String?> = ["number": h.contractNumber, "signedOn": h.contractSignedOn?.description]
        return x.element("contract", attributes)
    }

    static func areas(_ h: HandoverRecord) -> XMLElement {
        let children: [XMLElement?] = [
            x.text("contracted", h.contractedArea?.description), x.text("actual", h.actualArea?.description),
            x.text("settlementAmount", h.settlementAmount?.description),
        ]
        return x.element("areas", ["basis": h.pricingBasis], children)
    }

    static func dates(_ h: HandoverRecord) -> XMLElement {
        let children: [XMLElement?] = [
            x.text("keysHandedOver", h.steps[.handOverKeys]?.description),
            x.text("handedOverToPropertyManagement", h.steps[.handOverToPropertyManagement]?.description),
            x.text("titleRegistered", h.steps[.registerTitle]?.description),
        ]
        return x.element("dates", [:], children)
    }

    static func owner(_ owner: HandoverOwner, sees: Bool) -> XMLElement {
        let attributes: KeyValuePairs<String, String?> = [
            "customerId": owner.customerId.lowercasedString, "shareBasisPoints": String(owner.shareBasisPoints),
            "kind": owner.kind, "masked": sees ? "false" : "true",
        ]
        let idNumber: String? = owner.idNumber.map { sees ? $0 : IDDocument.mask($0) }
        var children: [XMLElement?] = [x.text("name", owner.name), x.text("idDocument", idNumber, ["type": owner.idType])]
        for phone in owner.phones { children.append(x.text("phone", sees ? phone : PhoneNumber.mask(phone))) }
        return x.element("owner", attributes, children)
    }
}

/// cost-sales-v1: sold area and revenue per building and month.
enum SalesDocument {
    static let schema = "cost-sales-v1"
    static let namespace = "urn:estate:integration:cost:sales:v1"
    static let x = XMLBuilder(namespace: namespace)

    static func make(_ page: SyncPage<BuildingSalesRecord>, period: SalesPeriod, request: ExportRequest, now: Date) -> XMLElement {
        let rows: [XMLElement] = page.rows.map { entry in buildingMonth(entry.row) }
        return x.root("sales", [XMLAttribute("period", value: period.description), XMLAttribute("currency", value: "CNY")],
                      request: request, page: page, now: now, rows: rows)
    }

    static func buildingMonth(_ s: BuildingSalesRecord) -> XMLElement {
        let attributes: KeyValuePairs<String, String?> = ["month": s.month.description, "updatedAt": EventTime.text(s.updatedAt)]
        let children: [XMLElement?] = [
            x.unit("project", s.project), x.unit("building", s.building), figures("contracted", s.sales.contracted),
            figures("terminated", s.sales.terminated), figures("sold", s.sales.sold),
        ]
        return x.element("buildingMonth", attributes, children)
    }

    static func figures(_ name: String, _ f: SalesFigures) -> XMLElement {
        let attributes: KeyValuePairs<String, String?> = ["deals": String(f.deals), "area": f.area.description, "revenue": f.revenue.description]
        return x.element(name, attributes)
    }
}

/// finance-vouchers-v1: a balanced voucher per collection, receipt void and refund.
enum VoucherDocument {
    static let schema = "finance-vouchers-v1"
    static let namespace = "urn:estate:integration:finance:vouchers:v1"
    static let x = XMLBuilder(namespace: namespace)

    static func make(_ page: SyncPage<VoucherRecord>, date: LocalDate?, request: ExportRequest, now: Date, logger: Logger) throws -> XMLElement {
        var rows: [XMLElement] = []
        for entry in page.rows { rows.append(try voucher(entry.row, logger: logger)) }
        var attributes = [XMLAttribute("currency", value: "CNY")]
        if let date { attributes.append(XMLAttribute("date", value: date.description)) }
        return x.root("vouchers", attributes, request: request, page: page, now: now, rows: rows)
    }

    static func voucher(_ v: VoucherRecord, logger: Logger) throws -> XMLElement {
        let lines: [VoucherLine]
        do {
            lines = try VoucherLines.make(v.kind, method: v.method, amount: v.amount, allocations: v.movements)
        } catch {
            logger.error("a money event's allocations disagree with its amount", metadata: ["voucher": "\(v.kind.rawValue) \(v.id)", "error": "\(error)"])
            throw Problem.internalError
        }
        let totals = VoucherLines.totals(lines)
        let attributes: KeyValuePairs<String, String?> = [
            "id": v.id.lowercasedString, "kind": v.kind.rawValue, "date": v.date.description, "recordedAt": EventTime.text(v.recordedAt),
        ]
        let receipt: XMLElement? = v.receiptNumber.map { number in
            let attributes: KeyValuePairs<String, String?> = ["id": v.receiptID?.lowercasedString, "number": number]
            return x.element("receipt", attributes)
        }
        let foreignAttributes: KeyValuePairs<String, String?> = ["currency": v.currency, "amount": v.foreignAmount, "rate": v.rate]
        let foreign: XMLElement? = v.currency == "CNY" ? nil : x.element("foreign", foreignAttributes)
        let totalAttributes: KeyValuePairs<String, String?> = ["debit": totals.debit.description, "credit": totals.credit.description]
        let children: [XMLElement?] = [
            x.unit("project", v.project), x.text("dealId", v.dealID.lowercasedString), receipt, x.text("reverses", v.reverses?.lowercasedString),
            x.text("method", v.method), foreign, x.text("payer", v.payer), x.text("reference", v.reference), x.text("reason", v.reason),
            x.text("recordedBy", v.recordedBy), x.element("lines", [:], lines.map(line)), x.element("totals", totalAttributes),
        ]
        return x.element("voucher", attributes, children)
    }

    static func line(_ line: VoucherLine) -> XMLElement? {
        let attributes: KeyValuePairs<String, String?> = [
            "side": line.side.rawValue, "account": line.account.rawValue, "receivableKind": line.receivableKind?.rawValue,
            "amount": line.amount.description,
        ]
        return x.element("line", attributes)
    }
}

/// oa-approval-requests-v1: change requests for OA, with their id, version and ETag (what OA's
/// answer names) and what they change.
enum ApprovalRequestDocument {
    static let schema = "oa-approval-requests-v1"
    static let namespace = "urn:estate:integration:oa:approval-requests:v1"
    static let x = XMLBuilder(namespace: namespace)

    static func make(_ page: SyncPage<ApprovalRequestRecord>, request: ExportRequest, now: Date) throws -> XMLElement {
        var rows: [XMLElement] = []
        for entry in page.rows { rows.append(try approvalRequest(entry.row)) }
        return x.root("approvalRequests", [], request: request, page: page, now: now, rows: rows)
    }

    static func approvalRequest(_ a: ApprovalRequestRecord) throws -> XMLElement {
        let r = a.request
        let attributes: KeyValuePairs<String, String?> = [
            "id": r.id.lowercasedString, "kind": r.kind.rawValue, "status": r.status.rawValue, "version": String(r.version),
            "etag": Versioning.etag(r.version), "updatedAt": EventTime.text(a.updatedAt),
        ]
        let dealAttributes: KeyValuePairs<String, String?> = ["id": r.dealID.lowercasedString, "stage": a.dealStage.rawValue]
        let roomAttributes: KeyValuePairs<String, String?> = ["id": a.roomID.lowercasedString, "number": a.roomNumber]
        let requesterAttributes: KeyValuePairs<String, String?> = ["actor": r.requestedBy, "name": a.requesterName]
        let children: [XMLElement?] = [
            x.unit("project", a.project), x.element("deal", dealAttributes),
            x.element("room", roomAttributes, [x.unit("building", a.building)]),
            x.element("customers", [:], a.buyers.map(customer)),
            x.text("reason", r.reason), x.element("requester", requesterAttributes), x.text("requestedAt", EventTime.text(r.requestedAt)),
            x.element("requested", [:], try requested(r)), x.element("changes", [:], try changes(r)), decision(r),
            x.text("executedAt", r.executedAt.map(EventTime.text)),
        ]
        return x.element("approvalRequest", attributes, children)
    }

    static func customer(_ buyer: ApprovalRequestRecord.Buyer) -> XMLElement? {
        let attributes: KeyValuePairs<String, String?> = [
            "id": buyer.customerId.lowercasedString, "name": buyer.name, "shareBasisPoints": String(buyer.shareBasisPoints),
        ]
        return x.element("customer", attributes)
    }

    /// What is asked: the payload's fields by path.
    static func requested(_ r: StoredChangeRequest) throws -> [XMLElement?] {
        let fields = try tree(r.payload).leaves().filter { !$0.key.isEmpty }.sorted { $0.key < $1.key }
        return fields.map { field in x.element("field", ["path": field.key], [x.text("value", field.value)]) }
    }

    /// What the change does to the deal, field by field.
    static func changes(_ r: StoredChangeRequest) throws -> [XMLElement?] {
        let before: SnapshotTree? = try r.before.map(tree), after: SnapshotTree? = try r.after.map(tree)
        return ChangeDiff.changes(before: before, after: after).map { change in
            let children: [XMLElement?] = [x.text("before", change.before), x.text("after", change.after)]
            return x.element("change", ["path": change.path], children)
        }
    }

    static func decision(_ r: StoredChangeRequest) -> XMLElement? {
        guard let at = r.decidedAt else { return nil }
        let attributes: KeyValuePairs<String, String?> = ["by": r.decidedBy, "at": EventTime.text(at)]
        return x.element("decision", attributes, [x.text("note", r.decisionNote)])
    }

    /// A stored JSON snapshot as a tree of scalars.
    static func tree(_ text: String) throws -> SnapshotTree {
        func convert(_ value: JSONValue) -> SnapshotTree {
            switch value {
            case .null: .null
            case .bool(let flag): .scalar(flag ? "true" : "false")
            case .number(let number): .scalar("\(number)")
            case .string(let text): .scalar(text)
            case .array(let items): .array(items.map(convert))
            case .object(let members): .object(members.mapValues(convert))
            }
        }
        return convert(try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)))
    }
}
