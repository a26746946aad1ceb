import EstateLogic
import Foundation
import Testing

@Suite("Permissions and their catalogue")
struct PermissionTests {
    static let required = [
        "org.read", "org.write", "users.read", "admin.users", "admin.roles", "admin.api_keys", "audit.read",
        "dictionaries.read", "dictionaries.write", "rooms.read", "rooms.write", "rooms.hold", "rooms.release",
        "prices.read", "prices.publish", "discounts.write", "customers.read", "customers.write",
        "customers.assign", "customers.pii", "customers.merge", "deals.read", "deals.create", "deals.approve",
        "deals.cancel", "payments.read", "payments.collect", "payments.refund", "receipts.void", "leases.write",
        "marketing.write", "members.write", "tasks.read", "tasks.assign", "reports.read",
        "admin.webhooks", "events.read",
    ]

    @Test(arguments: required)
    func catalogueHoldsRequiredPermission(_ code: String) {
        let permission = Permission(rawValue: code)
        #expect(PermissionCatalogue.isKnown(permission))
        #expect(PermissionCatalogue.info(permission)?.permission == permission)
    }

    @Test func everyCodeIsWellFormedAndUnique() {
        let codes = PermissionCatalogue.all.map(\.permission.rawValue)
        #expect(Set(codes).count == codes.count, "duplicate codes")
        #expect(PermissionCatalogue.permissions.count == codes.count)
        for info in PermissionCatalogue.all {
            #expect(info.permission.isWellFormed, "\(info.permission)")
            #expect(info.permission.rawValue == info.permission.rawValue.lowercased())
            #expect(info.area == info.permission.area)
            #expect(!info.area.isEmpty && !info.permission.action.isEmpty)
            #expect(!info.summary.trimmingCharacters(in: .whitespaces).isEmpty, "\(info.permission) has no summary")
        }
    }

    @Test func constantsMatchTheirCodes() {
        #expect(Permission.adminAPIKeys.rawValue == "admin.api_keys")
        #expect(Permission.customersPII.rawValue == "customers.pii")
        #expect(Permission.roomsRead.rawValue == "rooms.read")
        #expect(Permission.reportsRead == Permission(rawValue: "reports.read"))
    }

    @Test(arguments: [
        ("rooms.read", true), ("admin.api_keys", true), ("a.b", true), ("x_y.z_", true),
        ("", false), ("rooms", false), ("rooms.", false), (".read", false), ("rooms..read", false),
        ("rooms.read.all", false), ("Rooms.read", false), ("rooms.Read", false), ("rooms.read ", false),
        (" rooms.read", false), ("rooms-x.read", false), ("rooms.re4d", false), ("_rooms.read", false),
        ("rooms._read", false), ("rööms.read", false), ("rooms:read", false),
    ])
    func wellFormedness(code: String, expected: Bool) {
        #expect(Permission(rawValue: code).isWellFormed == expected)
    }

    @Test func unknownPermissionsAreNotInTheCatalogue() {
        for code in ["rooms.delete", "ROOMS.READ", "rooms.read ", "", "admin.*", "rooms"] {
            #expect(!PermissionCatalogue.isKnown(Permission(rawValue: code)), "\(code)")
            #expect(PermissionCatalogue.info(Permission(rawValue: code)) == nil)
        }
    }

    @Test func areaAndAction() {
        #expect(Permission.adminAPIKeys.area == "admin")
        #expect(Permission.adminAPIKeys.action == "api_keys")
        #expect(Permission(rawValue: "nodot").area == "nodot")
        #expect(Permission(rawValue: "nodot").action == "")
        #expect(PermissionCatalogue.info(.customersMerge)?.area == "customers")
    }

    @Test func ordersByCodeAndDescribesItself() {
        let sorted = [Permission.roomsRead, .adminUsers, .customersPII, .auditRead].sorted()
        #expect(sorted.map(\.rawValue) == ["admin.users", "audit.read", "customers.pii", "rooms.read"])
        #expect(Permission.roomsRead < Permission.roomsWrite)
        #expect(!(Permission.roomsRead < Permission.roomsRead))
        #expect(Permission.roomsHold.description == "rooms.hold")
        #expect("\(Permission.dealsApprove)" == "deals.approve")
    }

    @Test func codesAsAPlainString() throws {
        let data = try JSONEncoder().encode([Permission.roomsRead, .adminAPIKeys])
        #expect(String(decoding: data, as: UTF8.self) == #"["rooms.read","admin.api_keys"]"#)
        let decoded = try JSONDecoder().decode([Permission].self, from: Data(#"["deals.read","x.y"]"#.utf8))
        #expect(decoded == [.dealsRead, Permission(rawValue: "x.y")])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Permission].self, from: Data(#"[{"rawValue":"deals.read"}]"#.utf8))
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([Permission].self, from: Data("[42]".utf8))
        }
    }

    @Test func infoCodesRoundTrip() throws {
        let info = try #require(PermissionCatalogue.info(.paymentsRefund))
        let json = try JSONEncoder().encode(info)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        #expect(object["permission"] == "payments.refund")
        #expect(object["area"] == "payments")
        #expect(try JSONDecoder().decode(PermissionInfo.self, from: json) == info)
    }

    @Test func rawRepresentableInitAcceptsAnyString() {
        #expect(Permission(rawValue: "anything at all").rawValue == "anything at all")
        let viaProtocol: Permission? = Optional(Permission(rawValue: "rooms.read"))
        #expect(viaProtocol == .roomsRead)
        #expect(Set([Permission.roomsRead, Permission(rawValue: "rooms.read")]).count == 1)
    }
}

@Suite("Field violations")
struct FieldViolationTests {
    @Test func valueSemanticsAndCoding() throws {
        let violation = FieldViolation(field: "password", message: "too short")
        #expect(violation == FieldViolation(field: "password", message: "too short"))
        #expect(violation != FieldViolation(field: "username", message: "too short"))
        let json = try JSONEncoder().encode(violation)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: String])
        #expect(object == ["field": "password", "message": "too short"])
        #expect(try JSONDecoder().decode(FieldViolation.self, from: json) == violation)
    }
}
