import EstateData
import EstateLogic
import Foundation
import Hummingbird

struct DictionaryEntryBody: ResponseEncodable {
    let dictionary: String
    let code: String
    let label: String
    let active: Bool
    let sortOrder: Int
    let version: Int

    init(_ entry: DictionaryEntry) {
        dictionary = entry.dictionary.rawValue
        code = entry.code
        label = entry.label
        active = entry.active
        sortOrder = entry.sortOrder
        version = entry.version
    }
}

struct DictionaryEntriesBody: ResponseEncodable {
    let items: [DictionaryEntryBody]
}

struct CreateDictionaryEntry: Decodable {
    let code: String
    let label: String
    let sortOrder: Int?
}

struct UpdateDictionaryEntry: Decodable {
    let label: String?
    let active: Bool?
    let sortOrder: Int?
}

/// The group's dictionaries: read by everyone with `dictionaries.read`, changed at the group's root.
struct DictionaryController {
    let database: Database

    static func name(_ context: EstateRequestContext) throws -> DictionaryName {
        let text = try context.parameters.require("name")
        guard let name = DictionaryName(rawValue: text) else { throw Problem.notFound("There is no dictionary \(text).") }
        return name
    }

    func register(in routes: inout RouteTable) {
        routes.add(.get, "/v1/dictionaries/{name}/entries", access: .permission(.dictionariesRead)) { _, context in
            let caller = try context.requireCaller()
            let name = try Self.name(context)
            let entries = try await database.unitOfWork { try await $0.dictionaries.entries(groupID: caller.groupID, dictionary: name) }
            return DictionaryEntriesBody(items: entries.map(DictionaryEntryBody.init))
        }
        routes.add(.post, "/v1/dictionaries/{name}/entries", access: .permission(.dictionariesWrite)) { request, context in
            let caller = try context.requireCaller()
            let name = try Self.name(context)
            let body = try await request.decode(as: CreateDictionaryEntry.self, context: context)
            let violations = DictionaryEntry.violations(code: body.code, label: body.label, sortOrder: body.sortOrder)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let entry = try await database.unitOfWork { work in
                try await authorizeAtRoot(work, context, caller)
                let entry = DictionaryEntry(groupID: caller.groupID, dictionary: name, code: body.code, id: UUIDv7.make(),
                                            label: body.label.trimmingCharacters(in: .whitespacesAndNewlines),
                                            sortOrder: body.sortOrder ?? 0)
                try await work.dictionaries.insert(entry)
                try await record(work, context, "dictionary_entry.create", entry, before: [:])
                return entry
            }
            return try Versioning.response(DictionaryEntryBody(entry), status: .created, version: entry.version,
                                           request: request, context: context)
        }
        routes.add(.patch, "/v1/dictionaries/{name}/entries/{code}", access: .permission(.dictionariesWrite)) { request, context in
            let caller = try context.requireCaller()
            let name = try Self.name(context)
            let code = try context.parameters.require("code")
            let version = try Versioning.requiredVersion(request)
            let body = try await request.decode(as: UpdateDictionaryEntry.self, context: context)
            let violations = DictionaryEntry.violations(code: nil, label: body.label, sortOrder: body.sortOrder)
            guard violations.isEmpty else { throw Problem.validation(violations) }
            let entry = try await database.unitOfWork { work in
                try await authorizeAtRoot(work, context, caller)
                guard let entry = try await work.dictionaries.find(groupID: caller.groupID, dictionary: name, code: code, lock: true) else {
                    throw Problem.notFound()
                }
                guard entry.version == version else { throw VersionConflict(object: "entry", current: entry.version) }
                var changed = entry
                if let label = body.label { changed.label = label.trimmingCharacters(in: .whitespacesAndNewlines) }
                if let active = body.active { changed.active = active }
                if let order = body.sortOrder { changed.sortOrder = order }
                let stored = try await work.dictionaries.update(changed)
                try await record(work, context, "dictionary_entry.update", stored, before: entry.auditFields)
                return stored
            }
            return try Versioning.response(DictionaryEntryBody(entry), version: entry.version, request: request, context: context)
        }
    }

    /// Dictionaries are group-wide: changing them needs `dictionaries.write` at the group's root.
    func authorizeAtRoot(_ work: UnitOfWork, _ context: EstateRequestContext, _ caller: Caller) async throws {
        guard let root = try await work.orgUnits.root(groupID: caller.groupID) else { throw Problem.notFound() }
        try context.authorize(.dictionariesWrite, groupID: root.groupID, unitPath: root.path)
    }

    func record(_ work: UnitOfWork, _ context: EstateRequestContext, _ action: String,
                _ entry: DictionaryEntry, before: [String: String?]) async throws {
        try await context.recordChange(work, action: action, objectType: "dictionary_entry", objectID: entry.id, orgUnitID: nil,
                       changes: AuditChange.diff(before: before, after: entry.auditFields), groupID: entry.groupID)
    }
}
