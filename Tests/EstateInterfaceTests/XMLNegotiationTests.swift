@testable import EstateInterface
import EstateData
import EstateLogic
import EstateTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LibXML
import Testing

/// XML for every resource through the real router and database: reads, writes, errors and the
/// `Accept` negotiation. Every XML response goes through ``xmlCall``, which checks it against the
/// XSD of the document its operation names.
@Suite("XML: content negotiation")
struct XMLNegotiationTests {
    static let ns = XMLSchemas.namespace

    /// A JSON read of `uri` (status and raw body).
    static func jsonRead(_ client: some TestClientProtocol, _ uri: String, _ token: String) async throws -> (HTTPResponse.Status, Data) {
        try await client.execute(uri: uri, method: .get, headers: bearer(token)) { ($0.status, Data(buffer: $0.body)) }
    }

    /// A day from today (UTC) as `YYYY-MM-DD`.
    static func day(in days: Int) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: Date().addingTimeInterval(Double(days) * 86_400))
    }

    @Test("resources read as XML carry what their JSON carries and match their XSD (the grid too)")
    func readsResourcesAsXML() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let admin = try await signIn(client, "system.administrator")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            _ = try await world.rooms(client, controller, building: building, floors: 1...2, perFloor: 2)
            let reads: [(uri: String, operation: String, token: String)] = [
                ("/v1/me", "GET /v1/me", controller),
                ("/v1/org-units", "GET /v1/org-units", admin),
                ("/v1/roles", "GET /v1/roles", admin),
                ("/v1/dictionaries/customer_sources/entries", "GET /v1/dictionaries/{name}/entries", admin),
                ("/v1/projects/\(riverside)/buildings", "GET /v1/projects/{id}/buildings", controller),
                ("/v1/buildings/\(building)", "GET /v1/buildings/{id}", controller),
                ("/v1/buildings/\(building)/grid", "GET /v1/buildings/{id}/grid", controller),
                ("/v1/rooms?buildingId=\(building)", "GET /v1/rooms", controller),
                ("/v1/projects/\(riverside)/inventory", "GET /v1/projects/{id}/inventory", controller),
                ("/health/ready", "GET /health/ready", controller),
            ]
            for read in reads {
                let xml = try await xmlCall(client, .get, read.uri, operation: read.operation, token: read.token)
                #expect(xml.status == .ok, "\(read.uri): \(xml.text)")
                #expect(xml.root != nil, "\(read.uri) answered \(xml.contentType)")
                let (status, json) = try await Self.jsonRead(client, read.uri, read.token)
                #expect(status == .ok)
                #expect(try XMLPlain.same(json: json, xml: xml),
                        "\(read.uri): JSON and XML differ\n\(String(decoding: json, as: UTF8.self))\n\(xml.text)")
            }
            // The grid's fast JSON path and its XML carry the same ETag; a poll in XML is answered 304 too.
            let grid = try await xmlCall(client, .get, "/v1/buildings/\(building)/grid", operation: "GET /v1/buildings/{id}/grid", token: controller)
            let etag = try #require(grid.headers[.eTag])
            let json = try await client.execute(uri: "/v1/buildings/\(building)/grid", method: .get, headers: bearer(controller)) { $0 }
            #expect(json.headers[.eTag] == etag && json.contentType == "application/json")
            var poll = bearer(controller)
            poll[.accept] = "application/xml"
            poll[.ifNoneMatch] = etag
            #expect(try await client.execute(uri: "/v1/buildings/\(building)/grid", method: .get, headers: poll) { $0.status } == .notModified)
            #expect(grid.root?.firstElement(named: "floors", namespaceURI: Self.ns)?.elements.count == 2)
        }
    }

    @Test("a building, a dictionary entry and a customer written in XML read back the same in JSON; xsi:nil clears a field")
    func writesInXMLReadBackInJSON() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let admin = try await signIn(client, "system.administrator")
            let consultant = try await signIn(client, "property.consultant")

            // Members in any order, comments, white space and entities as XML allows; text/xml too.
            let building = try await xmlCall(client, .post, "/v1/projects/\(riverside)/buildings", operation: "POST /v1/projects/{id}/buildings",
                                             token: controller, xml: """
                <?xml version="1.0" encoding="UTF-8"?>
                <!-- a tower -->
                <CreateBuilding xmlns="\(Self.ns)">
                  <name>Tower &amp; Garden 东</name>
                  <code>tg</code>
                </CreateBuilding>
                """, contentType: "text/xml; charset=utf-8")
            #expect(building.status == .created, "\(building.text)")
            #expect(building.text("name") == "Tower & Garden 东")
            let buildingID = try #require(building.text("id"))
            let (_, buildingJSON) = try await Self.jsonRead(client, "/v1/buildings/\(buildingID)", controller)
            #expect(try XMLPlain.same(json: buildingJSON, xml: building), "\(String(decoding: buildingJSON, as: UTF8.self))\n\(building.text)")

            let entry = try await xmlCall(client, .post, "/v1/dictionaries/customer_sources/entries", operation: "POST /v1/dictionaries/{name}/entries",
                                          token: admin, xml: """
                <CreateDictionaryEntry xmlns="\(Self.ns)"><sortOrder> +05 </sortOrder><code>exhibition</code><label>Exhibition</label></CreateDictionaryEntry>
                """)
            #expect(entry.status == .created, "\(entry.text)")
            #expect(entry.headers[.eTag] == "\"1\"")
            let (_, entries) = try await Self.jsonRead(client, "/v1/dictionaries/customer_sources/entries", admin)
            let listed = try #require((try JSONSerialization.jsonObject(with: entries) as? [String: Any])?["items"] as? [[String: Any]])
            let exhibition = try #require(listed.first { $0["code"] as? String == "exhibition" })
            #expect(exhibition["sortOrder"] as? Int == 5 && exhibition["label"] as? String == "Exhibition")
            #expect(try XMLPlain.same(json: JSONSerialization.data(withJSONObject: exhibition), xml: entry))

            let customer = try await xmlCall(client, .post, "/v1/projects/\(riverside)/customers", operation: "POST /v1/projects/{id}/customers",
                                             token: consultant, xml: """
                <CreateCustomer xmlns="\(Self.ns)">
                  <name>Chen Jing</name>
                  <source>owner_referral</source>
                  <email>chen@example.com</email>
                  <phones>
                    <i><number>+86 138-0013-8000</number><label>mobile</label></i>
                    <i><number>021-6552 8888</number></i>
                  </phones>
                  <needs>
                    <budget>3000000</budget>
                    <layouts><i>3b2l</i><i>4b2l</i></layouts>
                    <areaFrom>90</areaFrom>
                    <purpose>upgrade</purpose>
                  </needs>
                </CreateCustomer>
                """)
            #expect(customer.status == .created, "\(customer.text)")
            let created = try #require(customer.root?.firstElement(named: "customer", namespaceURI: Self.ns))
            let customerID = try #require(created.firstElement(named: "id", namespaceURI: Self.ns)?.text)
            let (_, customerJSON) = try await Self.jsonRead(client, "/v1/customers/\(customerID)", consultant)
            #expect(try XMLPlain.value(ofJSON: customerJSON) == XMLPlain.value(of: created),
                    "\(String(decoding: customerJSON, as: UTF8.self))\n\(customer.text)")
            let phones = (try JSONSerialization.jsonObject(with: customerJSON) as? [String: Any])?["phones"] as? [[String: Any]]
            #expect(phones?.compactMap { $0["number"] as? String } == ["13800138000", "02165528888"])

            // null in XML: an empty element with xsi:nil, which clears the field as JSON null does.
            let cleared = try await xmlCall(client, .patch, "/v1/customers/\(customerID)", operation: "PATCH /v1/customers/{id}",
                                            token: consultant, xml: """
                <UpdateCustomer xmlns="\(Self.ns)" xmlns:xsi="\(XMLSchemas.schemaInstance)"><email xsi:nil="true"/></UpdateCustomer>
                """, ifMatch: "\"1\"")
            #expect(cleared.status == .ok, "\(cleared.text)")
            let (_, afterJSON) = try await Self.jsonRead(client, "/v1/customers/\(customerID)", consultant)
            let after = try #require(try JSONSerialization.jsonObject(with: afterJSON) as? [String: Any])
            #expect(after["email"] == nil && after["name"] as? String == "Chen Jing")
        }
    }

    @Test("rooms and customers written in JSON read back the same in XML")
    func writesInJSONReadBackInXML() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let room = try await client.execute(uri: "/v1/buildings/\(building)/rooms", method: .post, headers: headers(controller), body: try jsonBody([
                "number": "1203", "floor": 12, "stack": 3, "kind": "apartment", "layout": "3b2l", "orientation": "S",
                "builtAreaForecast": "118.25", "internalAreaForecast": "95.10", "sharedLand": false,
            ])) { ($0.status, Data(buffer: $0.body)) }
            #expect(room.0 == .created)
            let roomID = try #require((try JSONSerialization.jsonObject(with: room.1) as? [String: Any])?["id"] as? String)
            let roomXML = try await xmlCall(client, .get, "/v1/rooms/\(roomID)", operation: "GET /v1/rooms/{id}", token: controller)
            #expect(try XMLPlain.same(json: room.1, xml: roomXML), "\(String(decoding: room.1, as: UTF8.self))\n\(roomXML.text)")
            #expect(roomXML.text("builtAreaForecast") == "118.25" && roomXML.text("floor") == "12")

            let customer = try await client.execute(uri: "/v1/projects/\(riverside)/customers", method: .post, headers: headers(consultant),
                                                    body: try jsonBody(["name": "Li Wei", "source": "walk_in", "gender": "female",
                                                                        "phones": [["number": "13900139000", "label": "mobile"]],
                                                                        "needs": ["layouts": ["2b1l"], "areaTo": "120.5"]])) {
                ($0.status, Data(buffer: $0.body))
            }
            #expect(customer.0 == .created)
            let body = try #require(try JSONSerialization.jsonObject(with: customer.1) as? [String: Any])
            let record = try #require(body["customer"] as? [String: Any])
            let customerXML = try await xmlCall(client, .get, "/v1/customers/\(record["id"] as? String ?? "")", operation: "GET /v1/customers/{id}",
                                                token: consultant)
            #expect(try XMLPlain.same(json: JSONSerialization.data(withJSONObject: record), xml: customerXML), "\(customerXML.text)")
        }
    }

    @Test("rooms imported in XML are the rooms the same JSON import makes; a bad record is named as in JSON")
    func importsRoomsInXML() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let building = try await world.building(client, controller, project: riverside, code: "t1")
            let uri = "/v1/projects/\(riverside)/room-imports"
            let imported = try await xmlCall(client, .post, uri, operation: "POST /v1/projects/{id}/room-imports", token: controller, xml: """
                <RoomImportRecords xmlns="\(Self.ns)"><rooms>
                  <i><externalCode>ERP-0101</externalCode><building>t1</building><number>101</number><floor>1</floor><stack>1</stack>
                     <builtAreaForecast>89.50</builtAreaForecast><sharedLand>false</sharedLand></i>
                  <i><stack>2</stack><floor>1</floor><number>102</number><building>t1</building><externalCode>ERP-0102</externalCode>
                     <kind>shop</kind></i>
                </rooms></RoomImportRecords>
                """)
            #expect(imported.status == .ok, "\(imported.text)")
            #expect(imported.text("created") == "2" && imported.text("dryRun") == "false")
            let rooms = try await call(client, .get, "/v1/rooms?buildingId=\(building)", controller).items
            #expect(rooms.map { "\($0["externalCode"] as? String ?? ""):\($0["kind"] as? String ?? ""):\($0["builtAreaForecast"] as? String ?? "-")" }.sorted()
                    == ["ERP-0101:apartment:89.50", "ERP-0102:shop:-"])

            let bad = try await xmlCall(client, .post, uri, operation: "POST /v1/projects/{id}/room-imports", token: controller, xml: """
                <RoomImportRecords xmlns="\(Self.ns)"><rooms>
                  <i><externalCode>ERP-0103</externalCode><building>t1</building><number>103</number><floor>1</floor><stack>3</stack></i>
                  <i><externalCode>ERP-0104</externalCode><building>t1</building><number>104</number><floor>one</floor><stack>4</stack></i>
                </rooms></RoomImportRecords>
                """)
            #expect(bad.status == .badRequest && bad.fieldErrors.map(\.field) == ["rooms[1].floor"] && bad.fieldErrors.first?.line == 3, "\(bad.text)")
            #expect(try await call(client, .get, "/v1/rooms?buildingId=\(building)", controller).items.count == 2)
        }
    }

    @Test("malformed XML, a DOCTYPE and a document its XSD refuses are 400 problems naming the field, line and column")
    func refusesBadXML() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let manager = try await signIn(client, "sales.manager")
            let path = "/v1/projects/\(riverside)/buildings"
            let operation = "POST /v1/projects/{id}/buildings"
            func post(_ xml: String, contentType: String = "application/xml") async throws -> XMLReply {
                try await xmlCall(client, .post, path, operation: operation, token: controller, xml: xml, contentType: contentType)
            }

            let malformed = try await post("<CreateBuilding xmlns=\"\(Self.ns)\">\n  <code>t2</code>\n  <name>Oops</nam>\n</CreateBuilding>")
            #expect(malformed.status == .badRequest && malformed.text("code") == "bad-request", "\(malformed.text)")
            #expect(malformed.fieldErrors.first?.field == "body" && malformed.fieldErrors.first?.line == 3)
            #expect((malformed.fieldErrors.first?.column ?? 0) > 0)

            let doctype = try await post("""
                <?xml version="1.0"?>
                <!DOCTYPE CreateBuilding [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
                <CreateBuilding xmlns="\(Self.ns)"><code>t2</code><name>&secret;</name></CreateBuilding>
                """)
            #expect(doctype.status == .badRequest && doctype.fieldErrors.map(\.field) == ["body"], "\(doctype.text)")
            #expect(doctype.fieldErrors.first?.line == 2 && !doctype.text.contains("root:"))

            let invalid = try await post("""
                <CreateBuilding xmlns="\(Self.ns)">
                  <code>bad code</code>
                  <name>Tower</name>
                  <colour>red</colour>
                </CreateBuilding>
                """)
            #expect(invalid.status == .badRequest && invalid.text("code") == "validation", "\(invalid.text)")
            #expect(invalid.fieldErrors.map(\.field) == ["code", "colour"])
            #expect(invalid.fieldErrors.map(\.line) == [2, 4] && invalid.fieldErrors.map(\.column) == [3, 3])
            #expect(invalid.text("detail")?.contains("schemas/api/CreateBuilding.xsd") == true)

            let missing = try await post("<CreateBuilding xmlns=\"\(Self.ns)\"><code>t3</code></CreateBuilding>")
            #expect(missing.status == .badRequest && missing.fieldErrors.first?.field == "body", "\(missing.text)")
            #expect(missing.text("detail")?.contains("{urn:") == false && missing.fieldErrors.first.map { $0.line == 1 && $0.column == 1 } == true)

            let unqualified = try await post("<CreateBuilding><code>t3</code><name>Tower</name></CreateBuilding>")
            #expect(unqualified.status == .badRequest && unqualified.text("code") == "validation")

            let nilName = try await post("""
                <CreateBuilding xmlns="\(Self.ns)" xmlns:xsi="\(XMLSchemas.schemaInstance)"><code>t3</code><name xsi:nil="true"/></CreateBuilding>
                """)
            #expect(nilName.status == .badRequest && nilName.fieldErrors.first?.field == "name", "\(nilName.text)")

            let empty = try await post("")
            #expect(empty.status == .badRequest && empty.fieldErrors.first?.field == "body")

            let latin1 = try await post("<CreateBuilding xmlns=\"\(Self.ns)\"/>", contentType: "application/xml; charset=iso-8859-1")
            #expect(latin1.status == .unsupportedMediaType && latin1.text("code") == "unsupported-media-type")

            // A field inside nested arrays is named with JSON indices.
            let rule = try await xmlCall(client, .post, "/v1/duplicate-rules", operation: "POST /v1/duplicate-rules", token: manager, xml: """
                <CreateDuplicateRule xmlns="\(Self.ns)">
                  <name>Phone or ID</name>
                  <projectId>\(riverside)</projectId>
                  <fieldSets><i><i>phone</i></i><i><i>id_number</i><i>colour</i></i></fieldSets>
                  <action>block</action>
                </CreateDuplicateRule>
                """)
            #expect(rule.status == .badRequest && rule.fieldErrors.map(\.field) == ["fieldSets[1][1]"], "\(rule.text)")
            #expect(rule.fieldErrors.first?.line == 4)

            // Valid for the XSD but refused by the API's own rules, exactly as the same JSON is.
            let unknownPhase = try await post("""
                <CreateBuilding xmlns="\(Self.ns)"><code>t4</code><name>Tower</name><phaseId>\(UUID())</phaseId></CreateBuilding>
                """)
            let sameInJSON = try await call(client, .post, path, controller, ["code": "t4", "name": "Tower", "phaseId": UUID().uuidString])
            #expect(unknownPhase.status == sameInJSON.status && unknownPhase.text("code") == sameInJSON.code, "\(unknownPhase.text)")
            #expect(try await call(client, .get, path, controller).items.isEmpty)
        }
    }

    @Test("401, 404, 405, 406, 415 and 422 reach XML clients as application/problem+xml")
    func problemsInXML() async throws {
        let world = try await IdentityWorld.make()
        let riverside = try await world.unitID("riverside")
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            let consultant = try await signIn(client, "property.consultant")

            let unauthorized = try await xmlCall(client, .get, "/v1/me", operation: "GET /v1/me", token: nil)
            #expect(unauthorized.status == .unauthorized && unauthorized.text("code") == "unauthorized")
            #expect(unauthorized.headers[.wwwAuthenticate] == "Bearer" && unauthorized.text("requestId") == unauthorized.headers[.xRequestID])
            #expect(unauthorized.text("type") == "urn:estate:problem:unauthorized" && unauthorized.text("status") == "401")

            let missing = try await xmlCall(client, .get, "/v1/buildings/\(UUID())", operation: "GET /v1/buildings/{id}", token: controller)
            #expect(missing.status == .notFound && missing.text("code") == "not-found", "\(missing.text)")
            let unrouted = try await xmlCall(client, .get, "/v1/nothing-here", operation: "GET /v1/nothing-here", token: controller)
            #expect(unrouted.status == .notFound && unrouted.root?.name == "problem")
            let method = try await xmlCall(client, .delete, "/v1/me", operation: "DELETE /v1/me", token: controller)
            #expect(method.status == .methodNotAllowed && method.headers[.allow] != nil && method.root != nil)

            let unknownAssignee = try await xmlCall(client, .post, "/v1/tasks", operation: "POST /v1/tasks", token: consultant, xml: """
                <CreateTask xmlns="\(Self.ns)"><title>Call back</title><dueOn>\(Self.day(in: 2))</dueOn><assigneeId>\(UUID())</assigneeId></CreateTask>
                """)
            #expect(unknownAssignee.status == .unprocessableContent && unknownAssignee.text("code") == "unknown-assignee", "\(unknownAssignee.text)")
            #expect(unknownAssignee.fieldErrors.map(\.field) == ["assigneeId"])

            let plain = try await xmlCall(client, .post, "/v1/projects/\(riverside)/buildings", operation: "POST /v1/projects/{id}/buildings",
                                          token: controller, xml: "code=t1", contentType: "text/plain")
            #expect(plain.status == .unsupportedMediaType && plain.root?.name == "problem")

            // Text XML 1.0 cannot carry (a control character a JSON string may hold) is never altered to fit: 406, JSON still works.
            let odd = try await call(client, .post, "/v1/projects/\(riverside)/buildings", controller, ["code": "t9", "name": "Tower\u{1}9"])
            #expect(odd.status == .created)
            let notAcceptable = try await xmlCall(client, .get, "/v1/buildings/\(try odd.id())", operation: "GET /v1/buildings/{id}", token: controller)
            #expect(notAcceptable.status == .notAcceptable && notAcceptable.text("code") == "not-representable", "\(notAcceptable.text)")
            #expect(notAcceptable.text("detail")?.contains("/Building/name") == true)
            #expect(try await call(client, .get, "/v1/buildings/\(try odd.id())", controller).string("name") == "Tower\u{1}9")
        }
    }

    @Test("Accept: XML when an XML type outweighs every JSON type, JSON on ties, without Accept and for other types",
          arguments: [
              (nil, Representation.json), ("application/xml", .xml), ("text/xml", .xml), ("application/problem+xml", .xml),
              ("application/json", .json), ("*/*", .json), ("application/*", .json), ("text/html", .json), ("text/*", .xml),
              ("application/json, application/xml", .json), ("application/xml, application/json;q=0.9", .xml),
              ("application/json;q=0.5, application/xml;q=0.6", .xml), ("application/xml;q=0, */*", .json),
              ("application/json;q=0, */*", .xml), ("application/json;q=0, application/*;q=0.2", .xml),
              ("APPLICATION/XML; charset=utf-8", .xml), ("application/xml;q=2, application/json;q=0.1", .json),
              ("garbage, application/xml;q=0.3", .xml), ("*/xml", .json), ("application/problem+json", .json),
              ("application/problem+xml, application/json;q=0.5", .xml), ("application/json;q=0.9, application/problem+xml", .xml),
          ] as [(String?, Representation)])
    func acceptNegotiation(accept: String?, expected: Representation) {
        #expect(Representation(accept: accept) == expected)
    }

    @Test("the router answers in the representation Accept asks for, with Vary: Accept")
    func negotiationThroughTheRouter() async throws {
        let world = try await IdentityWorld.make()
        try await world.test { client in
            let controller = try await signIn(client, "sales.controller")
            for (accept, type) in [("application/xml;q=0.9, application/json;q=0.1", "application/xml; charset=utf-8"),
                                   ("text/xml", "application/xml; charset=utf-8"), ("*/*", "application/json"),
                                   ("text/html", "application/json"), ("application/json", "application/json")] {
                var fields = bearer(controller)
                fields[.accept] = accept
                let response = try await client.execute(uri: "/v1/me", method: .get, headers: fields) { $0 }
                #expect(response.status == .ok && response.contentType == type, "Accept: \(accept)")
                #expect(response.headers[.vary] == "Accept")
            }
            let xml = try await xmlCall(client, .get, "/v1/me", operation: "GET /v1/me", token: controller, accept: "text/xml")
            #expect(xml.root?.name == "Me")
        }
    }

    @Test("schemas/api is what scripts/xsd-from-openapi.py makes of openapi/openapi.yaml")
    func generatedSchemasAreCurrent() async throws {
        let root = XMLSchemas.directory.deletingLastPathComponent().deletingLastPathComponent()
        let venv = root.appendingPathComponent(".venv/bin/python").path
        let python = FileManager.default.isExecutableFile(atPath: venv) ? venv : "/usr/bin/python3"
        let result = try await runProcess(python, [root.appendingPathComponent("scripts/xsd-from-openapi.py").path, "--check"])
        #expect(result.status == 0, "\(result.output)")
    }

    @Test("every XSD compiles, the server reads every request document, and every operation is in the index")
    func everySchemaLoads() async throws {
        #expect(XMLSchemas.compiled.count > 50)
        for (file, schema) in XMLSchemas.compiled.sorted(by: { $0.key < $1.key }) {
            if case .failure(let error) = schema { Issue.record("\(file): \(error)") }
        }
        let contract = try XMLContract(directory: XMLSchemas.directory)
        let spec = try OpenAPISpec.load()
        for operation in spec.operations {
            let parts = operation.split(separator: " ", maxSplits: 1).map(String.init)
            let described = try #require(spec.operation(parts[0], parts[1]))
            let body = (described["requestBody"] as? [String: Any])?["content"] as? [String: Any] ?? [:]
            if body["application/json"] != nil {
                #expect(contract.requests[operation] != nil, "\(operation): no XML request document")
            }
        }
        #expect(contract.requests.count >= 40 && contract.responses.count >= 100)
        // The bundle the server ships holds the same files.
        guard case .success(let shipped) = XMLContract.shared else { Issue.record("\(XMLContract.shared)"); return }
        #expect(Set(shipped.requests.keys) == Set(contract.requests.keys) && Set(shipped.responses.keys) == Set(contract.responses.keys))
    }

    @Test("openapi.yaml lists application/xml beside every application/json and problem+xml beside every problem+json")
    func openAPIDocumentsXML() throws {
        let spec = try OpenAPISpec.load()
        var contents: [(String, [String: Any])] = []
        for operation in spec.operations {
            let parts = operation.split(separator: " ", maxSplits: 1).map(String.init)
            let described = try #require(spec.operation(parts[0], parts[1]))
            if let body = described["requestBody"] as? [String: Any] {
                contents.append(("\(operation) request", body["content"] as? [String: Any] ?? [:]))
            }
            for (status, response) in described["responses"] as? [String: Any] ?? [:] {
                let resolved = spec.resolve(response as? [String: Any] ?? [:])
                contents.append(("\(operation) \(status)", resolved["content"] as? [String: Any] ?? [:]))
            }
        }
        #expect(contents.count > 200)
        for (place, content) in contents {
            for (json, xml) in [("application/json", "application/xml"), ("application/problem+json", "application/problem+xml")] {
                guard let jsonSchema = (content[json] as? [String: Any])?["schema"] as? [String: Any] else { continue }
                let xmlSchema = (content[xml] as? [String: Any])?["schema"] as? [String: Any]
                #expect(xmlSchema?["$ref"] as? String == jsonSchema["$ref"] as? String, "\(place): \(xml) missing or with another schema")
            }
        }
    }
}

@Suite("XML mapping")
struct XMLMappingTests {
    @Test("JSON text survives the tree: member order, exact numbers, escapes, surrogate pairs")
    func jsonTreeRoundTrip() throws {
        let text = #"{"b":[1,-0.50,12345678901234567890,true,false,null],"a":{"x":"q\"\\\/\n\t\u0001\u00e9\ud83d\ude00"},"e":[],"o":{}}"#
        let tree = try JSONTree(parsing: Array(text.utf8))
        guard case .object(let members) = tree else { Issue.record("not an object"); return }
        #expect(members.map(\.name) == ["b", "a", "e", "o"])
        #expect(members[0].value == .array([.number("1"), .number("-0.50"), .number("12345678901234567890"), .bool(true), .bool(false), .null]))
        #expect(members[1].value == .object([.init(name: "x", value: .string("q\"\\/\n\t\u{1}é😀"))]))
        #expect(try JSONTree(parsing: tree.serialized) == tree)
        for bad in ["", "{", "[1,]", "01", "\"\\ud800\"", "{\"a\" 1}", "1 2", "\"\u{1}\""] {
            #expect(throws: JSONTree.SyntaxError.self, "\(bad)") { try JSONTree(parsing: Array(bad.utf8)) }
        }
    }

    @Test("xs:integer and xs:decimal forms become JSON numbers")
    func numbers() {
        #expect(XMLMapping.jsonNumber(" +007 ") == "7")
        #expect(XMLMapping.jsonNumber("-0") == "-0")
        #expect(XMLMapping.jsonNumber(".5") == "0.5")
        #expect(XMLMapping.jsonNumber("2.") == "2")
        #expect(XMLMapping.jsonNumber("-12.50") == "-12.50")
        #expect(XMLMapping.jsonNumber("1e5") == nil && XMLMapping.jsonNumber(".") == nil && XMLMapping.jsonNumber("") == nil)
        #expect(XMLMapping.jsonNumber("١٢") == nil)
    }

    @Test("an element's XML path names the JSON field")
    func fieldPaths() {
        #expect(XMLBodies.field(ofElementAt: "/CreateRule/fieldSets/i[2]/i") == "fieldSets[1][0]")
        #expect(XMLBodies.field(ofElementAt: "/CreateCustomer/phones/i[3]/number") == "phones[2].number")
        #expect(XMLBodies.field(ofElementAt: "/CreateCustomer/needs/budget") == "needs.budget")
        #expect(XMLBodies.field(ofElementAt: "/CreateCustomer") == "body")
        #expect(XMLBodies.field(ofElementAt: nil) == "body")
    }

    @Test("JSON to XML and back by a document's shapes gives the same JSON; null is xsi:nil")
    func mappingRoundTrip() throws {
        let xsd = """
            <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:t="urn:t" targetNamespace="urn:t" elementFormDefault="qualified">
              <xs:element name="Doc" type="t:Doc"/>
              <xs:complexType name="Doc"><xs:all>
                <xs:element name="n" type="xs:integer"/><xs:element name="f" type="xs:boolean"/>
                <xs:element name="s" type="t:Text" nillable="true"/>
                <xs:element name="list"><xs:complexType><xs:sequence>
                  <xs:element name="i" minOccurs="0" maxOccurs="unbounded"><xs:complexType><xs:sequence>
                    <xs:element name="i" type="xs:decimal" maxOccurs="unbounded"/></xs:sequence></xs:complexType></xs:element>
                </xs:sequence></xs:complexType></xs:element>
                <xs:element name="o" type="t:Empty"/>
              </xs:all></xs:complexType>
              <xs:simpleType name="Text"><xs:restriction base="xs:string"><xs:maxLength value="9"/></xs:restriction></xs:simpleType>
              <xs:complexType name="Empty"/>
            </xs:schema>
            """
        let shapes = try XMLShapes(schema: XMLDocument.parse(Array(xsd.utf8)).root)
        let schema = try XMLSchema(bytes: Array(xsd.utf8))
        let json = #"{"n":-3,"f":true,"s":null,"list":[[1.5,2],[0]],"o":{}}"#
        let element = XMLMapping.element("Doc", namespace: "urn:t", value: try JSONTree(parsing: Array(json.utf8)))
        let written = try element.serializedDocument()
        let parsed = try XMLDocument.parse(written)
        try schema.validate(parsed)
        #expect(String(decoding: written, as: UTF8.self).contains("nil=\"true\""))
        let back = try XMLMapping.json(parsed.root, shape: shapes.root, shapes: shapes, path: "")
        #expect(String(decoding: back.serialized, as: UTF8.self) == json)
    }
}
