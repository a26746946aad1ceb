import Foundation
import PQ
import Testing

@Suite("Values round-trip through PostgreSQL")
struct CodingTests {
    /// Binds the value, lets the server cast it to `type`, and decodes it back.
    func roundTrip<T: PQEncodable & PQDecodable & Equatable>(_ pool: PQPool, _ value: T, as type: String) async throws -> T {
        try await scalar(pool, "SELECT \(value)::\(unsafeRaw: type) AS v", as: T.self)
    }

    @Test func everyTypeRoundTrips() async throws {
        try await withPool { (pool: PQPool) async throws in
            for text in ["", "plain", "quote ' and \" and \\ backslash", "多语言 ✓ 🏠", "line\nbreak\ttab", "NULL"] {
                #expect(try await roundTrip(pool, text, as: "text") == text)
            }
            for number in [Int.min, -1, 0, 1, Int.max] { #expect(try await roundTrip(pool, number, as: "int8") == number) }
            for number in [Int32.min, 0, Int32.max] { #expect(try await roundTrip(pool, number, as: "int4") == number) }
            for number in [Int16.min, 0, Int16.max] { #expect(try await roundTrip(pool, number, as: "int2") == number) }
            #expect(try await roundTrip(pool, true, as: "bool") == true)
            #expect(try await roundTrip(pool, false, as: "bool") == false)
            let id = UUID()
            #expect(try await roundTrip(pool, id, as: "uuid") == id)
            for text in ["0001-01-01", "1970-01-01", "2024-02-29", "2026-11-27", "9999-12-31"] {
                let date = try #require(PQDate(text))
                #expect(try await roundTrip(pool, date, as: "date") == date)
            }
            // Microsecond precision, before and after 1970.
            for seconds in [0.0, 1_764_288_000.123456, -86_400.5, 253_402_300_799.5, -62_135_596_800.0] {
                let date = Date(timeIntervalSince1970: seconds)
                let back = try await roundTrip(pool, date, as: "timestamptz")
                #expect(abs(back.timeIntervalSince1970 - seconds) < 0.000_001, "timestamp \(seconds) came back as \(back.timeIntervalSince1970)")
            }
            for text in ["0", "-0.01", "12345678901234567890.12", "99999999999999999999999999999999999999",
                         "-1234.5678", "0.000000000000000001"] {
                let decimal = try #require(PQDecimal(text))
                let back = try await roundTrip(pool, decimal, as: "numeric")
                #expect(back == decimal)
                #expect(back.description == text)
            }
            // Before AD 1 the text form says BC (PostgreSQL has no year 0); the server accepts it.
            let bc = try await scalar(pool, "SELECT \(Date(timeIntervalSince1970: -62_135_596_800.0 - 86_400)) < timestamptz '0001-01-01 00:00:00+00' AS v", as: Bool.self)
            #expect(bc)
            let json = PQJSON(text: #"{"a": [1, 2, {"b": null}], "c": "多"}"#)
            let jsonBack = try await scalar(pool, "SELECT \(json) AS v", as: PQJSON.self)
            let parsed = try JSONSerialization.jsonObject(with: Data(jsonBack.text.utf8)) as? NSDictionary
            let original = try JSONSerialization.jsonObject(with: Data(json.text.utf8)) as? NSDictionary
            #expect(parsed != nil && parsed == original)
        }
    }

    @Test func jsonCodableRoundTrip() async throws {
        struct Payload: Codable, Equatable { var name: String; var shares: [Int]; var note: String? }
        try await withPool { (pool: PQPool) async throws in
            let payload = Payload(name: "王 \"quoted\"", shares: [60, 40], note: nil)
            let back = try await scalar(pool, "SELECT \(try PQJSON(encoding: payload)) AS v", as: PQJSON.self)
            #expect(try back.decode(Payload.self) == payload)
        }
    }

    @Test func arraysRoundTrip() async throws {
        try await withPool { (pool: PQPool) async throws in
            let texts = ["a", "b c", "with,comma", "with \"quote\"", "back\\slash", "NULL", "", "{braces}"]
            #expect(try await scalar(pool, "SELECT \(texts) AS v", as: [String].self) == texts)
            let numbers = [3, -1, Int.max]
            #expect(try await scalar(pool, "SELECT \(numbers) AS v", as: [Int].self) == numbers)
            let ids = [UUID(), UUID()]
            #expect(try await scalar(pool, "SELECT \(ids) AS v", as: [UUID].self) == ids)
            let empty: [Int] = []
            #expect(try await scalar(pool, "SELECT \(empty) AS v", as: [Int].self) == [])
            let decimals = [PQDecimal("1.50")!, PQDecimal("-2")!]
            #expect(try await scalar(pool, "SELECT \(decimals) AS v", as: [PQDecimal].self) == decimals)
            let dates = [PQDate("2026-01-31")!, PQDate("2026-02-28")!]
            #expect(try await scalar(pool, "SELECT \(dates) AS v", as: [PQDate].self) == dates)
            let flags = [true, false]
            #expect(try await scalar(pool, "SELECT \(flags) AS v", as: [Bool].self) == flags)
            let stamps = try await scalar(pool, "SELECT ARRAY[timestamptz '2026-11-27 10:00:00.5+00'] AS v", as: [Date].self)
            #expect(stamps.map(\.timeIntervalSince1970) == [1_795_773_600.5])
            let withNull = try await scalar(pool, "SELECT ARRAY['x', NULL, 'z']::text[] AS v", as: [String?].self)
            #expect(withNull == ["x", nil, "z"])
            let error = await #expect(throws: PQDecodingError.self) {
                _ = try await scalar(pool, "SELECT ARRAY['x', NULL]::text[] AS v", as: [String].self)
            }
            #expect(error?.reason.contains("element 2") == true)
        }
    }

    @Test func nullsDecodeAsNilAndRefuseNonOptionals() async throws {
        try await withPool { (pool: PQPool) async throws in
            let rows = try await pool.query("""
                SELECT NULL::text AS t, NULL::int8 AS i, NULL::bool AS b, NULL::uuid AS u, NULL::date AS d,
                       NULL::timestamptz AS ts, NULL::numeric AS n, NULL::jsonb AS j, NULL::text[] AS a
                """)
            let row = try #require(rows.firstRow)
            #expect(try row.decode("t", as: String?.self) == nil)
            #expect(try row.decode("i", as: Int?.self) == nil)
            #expect(try row.decode("b", as: Bool?.self) == nil)
            #expect(try row.decode("u", as: UUID?.self) == nil)
            #expect(try row.decode("d", as: PQDate?.self) == nil)
            #expect(try row.decode("ts", as: Date?.self) == nil)
            #expect(try row.decode("n", as: PQDecimal?.self) == nil)
            #expect(try row.decode("j", as: PQJSON?.self) == nil)
            #expect(try row.decode("a", as: [String]?.self) == nil)
            #expect(row.isNull(0))
            let error = #expect(throws: PQDecodingError.self) { try row.decode("i", as: Int.self) }
            #expect(error?.column == "i")
            #expect(error?.description.contains("NULL") == true)
            // Optional binds send NULL.
            let none: String? = nil
            #expect(try await scalar(pool, "SELECT \(none) IS NULL AS v", as: Bool.self))
            let some: String? = "x"
            #expect(try await scalar(pool, "SELECT \(some) AS v", as: String?.self) == "x")
        }
    }

    @Test func decodingErrorsNameColumnAndType() async throws {
        try await withPool { (pool: PQPool) async throws in
            let row = try #require(try await pool.query("SELECT 'abc'::text AS name, 3.5::numeric AS price, 70000::int4 AS big").firstRow)
            let wrongType = #expect(throws: PQDecodingError.self) { try row.decode("name", as: Int.self) }
            #expect(wrongType?.column == "name")
            #expect(wrongType?.columnType == .text)
            #expect(wrongType?.description.contains("\"name\" (text)") == true)
            #expect(wrongType?.description.contains("Int") == true)
            let overflow = #expect(throws: PQDecodingError.self) { try row.decode("big", as: Int16.self) }
            #expect(overflow?.reason.contains("out of range") == true)
            let missing = #expect(throws: PQDecodingError.self) { try row.decode("nope", as: String.self) }
            #expect(missing?.reason.contains("does not exist") == true)
            let price = try row.decode("price", as: PQDecimal.self)
            #expect(try price.minorUnits(scale: 2) == 350)
            #expect(throws: PQDecodingFailure.self) { try price.minorUnits(scale: 0) }
            let nan = try #require(try await pool.query("SELECT 'NaN'::numeric AS n").firstRow)
            #expect(throws: PQDecodingError.self) { try nan.decode("n", as: PQDecimal.self) }
        }
    }

    @Test func moneyIsExact() async throws {
        try await withPool { (pool: PQPool) async throws in
            // 0.1 + 0.2 computed by the server in numeric is exactly 0.3; decoded exactly.
            let sum = try await scalar(pool, "SELECT \(PQDecimal("0.1")!) + \(PQDecimal("0.2")!) AS v", as: PQDecimal.self)
            #expect(sum == PQDecimal("0.3")!)
            #expect(try sum.minorUnits(scale: 2) == 30)
            let big = PQDecimal(minorUnits: 9_223_372_036_854_775_807, scale: 2)
            #expect(try await roundTrip(pool, big, as: "numeric(38,2)").description == "92233720368547758.07")
        }
    }
}
