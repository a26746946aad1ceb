import EstateLogic
import PQ

/// Demo data for `make run`: safe to apply again (inserts only what is missing).
public struct DemoSummary: Sendable {
    public var groupCode: String
    public var groupName: String
    public var created: Bool
}

extension Database {
    /// Creates the demo group if it is missing.
    public func seedDemo() async throws -> DemoSummary {
        try await perform {
            try await pool.transaction { tx in
                let code = "demo", name = "Demo Property Group"
                let inserted = try await tx.execute("""
                    INSERT INTO groups (id, code, name) VALUES (\(UUIDv7.make()), \(code), \(name))
                    ON CONFLICT (code) DO NOTHING
                    """)
                return DemoSummary(groupCode: code, groupName: name, created: inserted == 1)
            }
        }
    }
}
