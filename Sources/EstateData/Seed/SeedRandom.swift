/// A small deterministic random source (SplitMix64) for generated data: the same seed gives the
/// same buildings, rooms, areas, prices and statuses on every machine and every run.
struct SeedRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `range`.
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &self) }

    /// A value in `range`.
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }

    /// True with probability `perMille` / 1000.
    mutating func chance(_ perMille: Int) -> Bool { int(0...999) < perMille }

    /// One of `items`.
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    /// One of `items`, each as likely as its weight among all the weights.
    mutating func weighted<T>(_ items: [(T, Int)]) -> T {
        var draw = int(0...(items.reduce(0) { $0 + $1.1 } - 1))
        for (item, weight) in items {
            if draw < weight { return item }
            draw -= weight
        }
        return items[items.count - 1].0
    }
}
