import Foundation

/// The result of a finished program.
public struct ProcessOutput: Sendable {
    public let status: Int32
    public let standardOutput: String
    public let standardError: String
    /// Standard output, then standard error.
    public var output: String { standardOutput + standardError }
}

/// Runs a program to completion on a Dispatch thread (never blocking Swift's cooperative pool).
///
/// Uses `posix_spawn` and `waitpid` directly, with output going through files rather than pipes:
/// a daemon the program starts (PostgreSQL's `pg_ctl start`) keeps inherited descriptors open
/// long after the program itself has exited, and Foundation's `Process` was seen to miss the exit.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) async throws -> ProcessOutput {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try spawnAndWait(executable, arguments, environment: environment) })
        }
    }
}

struct SpawnError: Error, CustomStringConvertible {
    let description: String
}

private func spawnAndWait(_ executable: String, _ arguments: [String], environment: [String: String]) throws -> ProcessOutput {
    let folder = FileManager.default.temporaryDirectory.path
    let outPath = "\(folder)/estate-\(UUID().uuidString).out"
    let errPath = "\(folder)/estate-\(UUID().uuidString).err"
    defer {
        unlink(outPath)
        unlink(errPath)
    }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)

    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let argv = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
    guard spawned == 0 else { throw SpawnError(description: "cannot start \(executable): error \(spawned)") }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 {
        guard errno == EINTR else { throw SpawnError(description: "waitpid failed: \(errno)") }
    }
    // WIFEXITED / WEXITSTATUS, which Swift does not import.
    let exitCode = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
    return ProcessOutput(status: exitCode,
                         standardOutput: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                         standardError: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
}
