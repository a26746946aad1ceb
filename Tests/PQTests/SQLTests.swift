import Foundation
import PQ
import Testing

@Suite("SQL literal")
struct SQLTests {
    @Test func interpolatedValuesBecomeParameters() {
        let name = "x'; DROP TABLE groups; --"
        let id = 42
        let sql: SQL = "SELECT * FROM t WHERE name = \(name) AND id = \(id)"
        #expect(sql.text == "SELECT * FROM t WHERE name = $1 AND id = $2")
        #expect(sql.binds == [PQBind(type: .text, text: name), PQBind(type: .int8, text: "42")])
    }

    @Test func nilBindsNullWithItsType() {
        let missing: UUID? = nil
        let sql: SQL = "SELECT \(missing)"
        #expect(sql.binds == [PQBind(type: .uuid, text: nil)])
    }

    @Test func fragmentsComposeAndRenumber() {
        let a: SQL = "a = \(1)"
        let b: SQL = "b = \(2)"
        let joined = SQL.join([a, b], separator: " AND ")
        let sql: SQL = "SELECT 1 WHERE \(joined) AND c = \(3)"
        #expect(sql.text == "SELECT 1 WHERE a = $1 AND b = $2 AND c = $3")
        #expect(sql.binds.map(\.text) == ["1", "2", "3"])
        var appended: SQL = "x = \(10)"
        appended.append(" OR y = \(20)")
        #expect(appended.text == "x = $1 OR y = $2")
    }

    @Test func unsafeRawIsExplicit() {
        let table = "groups"
        let sql: SQL = "SELECT count(*) FROM \(unsafeRaw: table)"
        #expect(sql.text == "SELECT count(*) FROM groups")
        #expect(sql.binds.isEmpty)
        #expect(sql.description == sql.text)
    }
}
