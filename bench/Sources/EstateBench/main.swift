// PQ throughput benchmark: N concurrent tasks each run `SELECT ... WHERE id = $1` by primary key
// through one PQPool for a fixed time, decoding every row. scripts/bench.sh runs pgbench with the
// same query, concurrency and duration on the same server and prints both side by side.
import Foundation
import PQ

struct Options: Sendable {
    var url = ProcessInfo.processInfo.environment["ESTATE_DATABASE_URL"] ?? ""
    var clients = 8
    var seconds = 10
    var rows = 100_000
    var eventLoops: Int? = nil

    init(arguments: [String]) {
        var iterator = arguments.dropFirst().makeIterator()
        while let argument = iterator.next() {
            let value = iterator.next() ?? ""
            switch argument {
            case "--url": url = value
            case "--clients": clients = Int(value) ?? clients
            case "--seconds": seconds = Int(value) ?? seconds
            case "--rows": rows = Int(value) ?? rows
            case "--event-loops": eventLoops = Int(value)
            default:
                print("usage: EstateBench --url URL [--clients N] [--seconds S] [--rows R] [--event-loops L]")
                exit(2)
            }
        }
    }
}

let options = Options(arguments: CommandLine.arguments)
guard !options.url.isEmpty else {
    print("EstateBench: give --url or ESTATE_DATABASE_URL")
    exit(2)
}

let pool = PQPool(configuration: PQPoolConfiguration(url: options.url, maxConnections: options.clients,
                                                     acquireTimeout: .seconds(30), eventLoops: options.eventLoops))
let deadline = ContinuousClock.now + .seconds(options.seconds)
let warmup = ContinuousClock.now + .seconds(1)

// Warm up: open every connection and prepare the statement on each.
try await withThrowingTaskGroup(of: Void.self) { group in
    for _ in 0..<options.clients {
        group.addTask {
            while ContinuousClock.now < warmup {
                _ = try await pool.query("SELECT id, name, balance FROM bench_accounts WHERE id = \(Int.random(in: 1...options.rows))")
            }
        }
    }
    try await group.waitForAll()
}

/// Runs the measured loop; a nonisolated function, so the tasks run on the global executor.
nonisolated func measure(pool: PQPool, options: Options, until deadline: ContinuousClock.Instant) async throws -> Int {
    try await withThrowingTaskGroup(of: Int.self) { group in
        for _ in 0..<options.clients {
            group.addTask {
                var count = 0
                var generator = SplitMix64(seed: UInt64.random(in: 1...UInt64.max))
                while ContinuousClock.now < deadline {
                    let id = Int.random(in: 1...options.rows, using: &generator)
                    let rows = try await pool.query("SELECT id, name, balance FROM bench_accounts WHERE id = \(id)")
                    guard let row = rows.firstRow, try row.decode("id", as: Int.self) == id else {
                        throw PQError(kind: .client, message: "row \(id) missing")
                    }
                    _ = try row.decode("name", as: String.self)
                    _ = try row.decode("balance", as: PQDecimal.self).minorUnits(scale: 2)
                    count += 1
                }
                return count
            }
        }
        return try await group.reduce(0, +)
    }
}

let started = ContinuousClock.now
let total = try await measure(pool: pool, options: options, until: deadline)
let elapsed = ContinuousClock.now - started
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
await pool.close()
print("PQ queries = \(total) in \(String(format: "%.2f", seconds)) s with \(options.clients) tasks")
print("PQ tps = \(String(format: "%.1f", Double(total) / seconds))")

/// A cheap pseudo-random generator (pgbench uses its own too), so ids cost no system call.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
