import EstateLogic

/// What `estate seed --demo` did.
public struct DemoSummary: Sendable {
    public var groupCode: String
    public var groupName: String
    public var created: Bool
}

extension Database {
    /// Creates the demo data set where it is missing; safe to repeat.
    public func seedDemo() async throws -> DemoSummary {
        try await unitOfWork { work in
            let demo = Group(id: UUIDv7.make(), code: "demo", name: "Demo Property Group")
            let created = try await work.groups.insertIfMissing(demo)
            return DemoSummary(groupCode: demo.code, groupName: demo.name, created: created)
        }
    }
}
