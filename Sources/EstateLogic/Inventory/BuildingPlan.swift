import Foundation

/// What every room of one stack (position on the floor) of a planned building is like.
public struct StackSpec: Sendable, Hashable {
    /// What the rooms are (apartment by default).
    public var kind: RoomKind
    /// Layout from the layout dictionary, e.g. `3b2l`.
    public var layout: String?
    /// Orientation, e.g. `S`.
    public var orientation: String?
    /// View, e.g. `river`.
    public var view: String?
    /// Forecast built area of each room of the stack.
    public var builtArea: Area?
    /// Forecast internal area of each room of the stack.
    public var internalArea: Area?
    /// What the rooms' unit price is per.
    public var pricingBasis: PricingBasis

    /// A stack's spec; every attribute optional but the kind and basis.
    public init(kind: RoomKind = .apartment, layout: String? = nil, orientation: String? = nil, view: String? = nil,
                builtArea: Area? = nil, internalArea: Area? = nil, pricingBasis: PricingBasis = .builtArea) {
        self.kind = kind
        self.layout = layout
        self.orientation = orientation
        self.view = view
        self.builtArea = builtArea
        self.internalArea = internalArea
        self.pricingBasis = pricingBasis
    }
}

/// A room-number pattern such as `{entrance}-{floor}{index:02}` (entrance 2, floor 12, position 3 → `2-1203`).
///
/// Tokens, with any literal text around them:
/// - `{floor}`: the floor; a floor below ground renders as `B1`, `B2`, … (floor −1 is `B1`);
/// - `{entrance}`: the entrance, from 1;
/// - `{index}` or `{stack}`: the position on the floor within the entrance, from 1;
/// - a width such as `{floor:02}` or `{index:03}` pads the digits with zeros (floor −1 in `{floor:02}` is `B01`).
///
/// Braces cannot be escaped: a `{` or `}` outside a token is an error, as is an unknown token.
public struct NumberingPattern: Sendable, Hashable {
    /// One piece of a pattern.
    public enum Segment: Sendable, Hashable {
        case literal(String)
        case floor(width: Int)
        case entrance(width: Int)
        case index(width: Int)
    }

    /// The pattern as written.
    public let text: String
    /// The literal text and tokens, in order.
    public let segments: [Segment]

    /// Parses `text`; the error message says what is wrong (for the field `numbering`).
    public init(_ text: String) throws(BuildingPlanError) {
        func fail(_ message: String) -> BuildingPlanError {
            .invalid([FieldViolation(field: "numbering", message: message)])
        }
        guard !text.isEmpty else { throw fail("must not be empty") }
        var segments: [Segment] = []
        var literal = ""
        var rest = Substring(text)
        while let character = rest.first {
            rest = rest.dropFirst()
            switch character {
            case "}":
                throw fail("has a '}' without a matching '{'")
            case "{":
                guard let close = rest.firstIndex(of: "}") else { throw fail("has a '{' without a matching '}'") }
                let body = rest[..<close]
                rest = rest[rest.index(after: close)...]
                if body.contains("{") { throw fail("has a '{' inside the token {\(body)}") }
                let parts = body.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                var width = 0
                if parts.count == 2 {
                    let spec = parts[1]
                    guard (2...3).contains(spec.count), spec.first == "0", spec.allSatisfy({ $0.isASCII && $0.isNumber }),
                          let value = Int(spec), (1...9).contains(value) else {
                        throw fail("{\(body)}: a width is written as 01 to 09, e.g. {floor:02}")
                    }
                    width = value
                }
                if !literal.isEmpty { segments.append(.literal(literal)); literal = "" }
                switch parts[0] {
                case "floor": segments.append(.floor(width: width))
                case "entrance": segments.append(.entrance(width: width))
                case "index", "stack": segments.append(.index(width: width))
                default: throw fail("has the unknown token {\(body)}; known: {floor}, {entrance}, {index}, {stack}")
                }
            default:
                literal.append(character)
            }
        }
        if !literal.isEmpty { segments.append(.literal(literal)) }
        self.text = text
        self.segments = segments
    }

    /// The number of the room at `entrance`, `floor`, position `index`.
    public func number(entrance: Int, floor: Int, index: Int) -> String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value.magnitude)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var result = ""
        for segment in segments {
            switch segment {
            case .literal(let text): result += text
            case .floor(let width): result += (floor < 0 ? "B" : "") + padded(floor, width)
            case .entrance(let width): result += padded(entrance, width)
            case .index(let width): result += padded(index, width)
            }
        }
        return result
    }
}

/// Why a building plan cannot make rooms; the violations name the plan's fields.
public enum BuildingPlanError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid([FieldViolation])

    /// The violations the error carries.
    public var violations: [FieldViolation] {
        switch self {
        case .invalid(let list): list
        }
    }

    public var description: String {
        violations.map { "\($0.field): \($0.message)" }.joined(separator: "; ")
    }
}

/// A description of a building from which its rooms are generated: floors × entrances × rooms per floor,
/// every room of one position (stack) alike, numbered by a ``NumberingPattern``.
public struct BuildingPlan: Sendable, Hashable {
    /// The lowest floor (negative below ground, never 0).
    public var lowestFloor: Int
    /// The highest floor. Floor 0 never exists: from −2 to 30 means −2, −1, 1, …, 30.
    public var highestFloor: Int
    /// Floors in the range that are not built or not numbered (e.g. 4, 13, 14).
    public var skippedFloors: Set<Int>
    /// Entrances (units of the building), 1 to 99.
    public var entrances: Int
    /// Rooms per floor in each entrance, 1 to 99.
    public var roomsPerFloor: Int
    /// The room-number pattern (``NumberingPattern``).
    public var numbering: String
    /// One spec per position 1…roomsPerFloor.
    public var stacks: [StackSpec]

    /// A plan; the rooms come from ``rooms()``.
    public init(lowestFloor: Int = 1, highestFloor: Int, skippedFloors: Set<Int> = [], entrances: Int = 1,
                roomsPerFloor: Int, numbering: String, stacks: [StackSpec]) {
        self.lowestFloor = lowestFloor
        self.highestFloor = highestFloor
        self.skippedFloors = skippedFloors
        self.entrances = entrances
        self.roomsPerFloor = roomsPerFloor
        self.numbering = numbering
        self.stacks = stacks
    }

    /// Most rooms one plan may generate.
    public static let maximumRooms = 10_000

    /// The floors that get rooms, bottom up (empty when the range is invalid).
    public var floors: [Int] {
        guard lowestFloor <= highestFloor else { return [] }
        return (lowestFloor...highestFloor).filter { $0 != 0 && !skippedFloors.contains($0) }
    }

    /// Every rule the plan breaks; empty when ``rooms()`` succeeds.
    public func violations() -> [FieldViolation] {
        var result: [FieldViolation] = []
        func add(_ field: String, _ message: String) { result.append(FieldViolation(field: field, message: message)) }
        let floorRange = -9...200
        if lowestFloor == 0 || !floorRange.contains(lowestFloor) { add("lowestFloor", "must be between -9 and 200, and not 0") }
        if highestFloor == 0 || !floorRange.contains(highestFloor) { add("highestFloor", "must be between -9 and 200, and not 0") }
        if lowestFloor > highestFloor {
            add("highestFloor", "must not be below lowestFloor")
        } else {
            let outside = skippedFloors.filter { $0 == 0 || $0 < lowestFloor || $0 > highestFloor }.sorted()
            if !outside.isEmpty {
                add("skippedFloors", "floors \(outside.map(String.init).joined(separator: ", ")) are not floors of the range \(lowestFloor) to \(highestFloor)")
            } else if floors.isEmpty {
                add("skippedFloors", "leave no floor to build on")
            }
        }
        if !(1...99).contains(entrances) { add("entrances", "must be between 1 and 99") }
        if !(1...99).contains(roomsPerFloor) { add("roomsPerFloor", "must be between 1 and 99") }
        if stacks.count != roomsPerFloor {
            add("stacks", "must have one entry per room of a floor (\(roomsPerFloor)), not \(stacks.count)")
        }
        for (index, spec) in stacks.enumerated() {
            let prefix = "stacks[\(index)]."
            let attributes = RoomAttributes(number: "1", floor: 1, stack: 1, kind: spec.kind, layout: spec.layout,
                                            orientation: spec.orientation, view: spec.view,
                                            areas: RoomAreas(builtForecast: spec.builtArea, internalForecast: spec.internalArea),
                                            pricingBasis: spec.pricingBasis)
            for violation in attributes.violations(prefix: prefix) {
                let field = violation.field
                    .replacingOccurrences(of: prefix + "builtAreaForecast", with: prefix + "builtArea")
                    .replacingOccurrences(of: prefix + "internalAreaForecast", with: prefix + "internalArea")
                result.append(FieldViolation(field: field, message: violation.message))
            }
        }
        let roomCount = floors.count * max(0, entrances) * max(0, roomsPerFloor)
        if roomCount > Self.maximumRooms {
            add("roomsPerFloor", "the plan makes \(roomCount) rooms; at most \(Self.maximumRooms) at once")
        }
        let pattern: NumberingPattern
        do {
            pattern = try NumberingPattern(numbering)
        } catch {
            return result + error.violations
        }
        // Numbers are checked only for a plan that is otherwise sound: the examples would mislead otherwise.
        guard result.isEmpty else { return result }
        var seen: [String: (entrance: Int, floor: Int, index: Int)] = [:]
        for room in generate(pattern) {
            let number = room.number
            if number.count > 32 || number.trimmingCharacters(in: .whitespacesAndNewlines) != number {
                add("numbering", "gives '\(number)' (entrance \(room.entrance), floor \(room.floor), position \(room.stack)), "
                    + "but a room number has 1 to 32 characters without surrounding spaces")
                break
            }
            if let other = seen[number] {
                add("numbering", "gives the number '\(number)' to two rooms (entrance \(other.entrance), floor \(other.floor), "
                    + "position \(other.index) and entrance \(room.entrance), floor \(room.floor), position \(room.stack))")
                break
            }
            seen[number] = (room.entrance, room.floor, room.stack)
        }
        return result
    }

    /// The rooms of the plan: by entrance, then floor bottom up, then position; each with its entrance,
    /// floor, stack, number and the stack's kind, attributes, forecast areas and pricing basis.
    public func rooms() throws(BuildingPlanError) -> [RoomAttributes] {
        let violations = violations()
        guard violations.isEmpty else { throw .invalid(violations) }
        return generate(try NumberingPattern(numbering))
    }

    private func generate(_ pattern: NumberingPattern) -> [RoomAttributes] {
        var result: [RoomAttributes] = []
        result.reserveCapacity(floors.count * entrances * roomsPerFloor)
        for entrance in 1...max(1, entrances) {
            for floor in floors {
                for (offset, spec) in stacks.enumerated() {
                    result.append(RoomAttributes(
                        number: pattern.number(entrance: entrance, floor: floor, index: offset + 1),
                        entrance: entrance, floor: floor, stack: offset + 1, kind: spec.kind, layout: spec.layout,
                        orientation: spec.orientation, view: spec.view,
                        areas: RoomAreas(builtForecast: spec.builtArea, internalForecast: spec.internalArea),
                        pricingBasis: spec.pricingBasis))
                }
            }
        }
        return result
    }
}
