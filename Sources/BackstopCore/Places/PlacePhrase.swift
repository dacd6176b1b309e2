import Foundation

/// A location written as monitors write it: "2 km NW of Avdiivka", "3-5 km south-east of
/// Marinka", "in Zolote", "Popasna".
public struct PlacePhrase: Sendable, Hashable {
    public var place: String
    public var bearingDegrees: Double?
    public var distance: DistanceBand?

    public init(place: String, bearingDegrees: Double? = nil, distance: DistanceBand? = nil) {
        self.place = place
        self.bearingDegrees = bearingDegrees
        self.distance = distance
    }

    /// The same limit as `distance_km` in the intake format.
    public static let maximumKm = 1_000.0

    /// "2–3 km NW of Avdiivka". Built once: compiling it on every call showed in the intake
    /// profile. A regex holds no mutable state, so sharing it between threads is safe.
    nonisolated(unsafe) private static let offsetPattern = #/^(?<min>[0-9]+(?:[.,][0-9]+)?)\s*(?:(?:-|–|to)\s*(?<max>[0-9]+(?:[.,][0-9]+)?))?\s*(?<unit>km|m)\b\s*(?<direction>[A-Za-z][A-Za-z\- ]*?)?\s+(?:of|from)\s+(?<place>.+)$/#
        .ignoresCase()

    /// Reads a phrase; the error says which part could not be read.
    public static func parse(_ text: String) throws(FieldError) -> PlacePhrase {
        var rest = text.trimmingWhiteSpace
        guard !rest.isEmpty else { throw FieldError(path: "place", reason: "is empty") }
        let lowercased = rest.lowercased()
        for prefix in ["on the outskirts of ", "outskirts of ", "centre of ", "center of ", "in ", "near ", "at "] where lowercased.hasPrefix(prefix) {
            rest = String(rest.dropFirst(prefix.count))
            return PlacePhrase(place: rest.trimmingSpaces)
        }
        // The pattern begins with an ASCII digit: a bare name ("Popasna") need not be matched
        // against it (the match was most of the time a place record took to resolve).
        guard rest.utf8.first.map({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) == true,
              let match = quickOffsetParts(rest) ?? patternOffsetParts(rest) else {
            if rest.first?.isNumber == true {
                throw FieldError(path: "place", reason: "could not read '\(text)'; write it as 'N km DIRECTION of PLACE', e.g. '2 km NW of Avdiivka'")
            }
            return PlacePhrase(place: rest)
        }
        let scale = match.unit.lowercased() == "m" ? 0.001 : 1
        func kilometres(_ digits: Substring) -> Double? {
            // A decimal comma read as a point (without Foundation's replacing, which bridges
            // through NSString).
            Double(String(digits.map { $0 == "," ? "." : $0 })).map { $0 * scale }
        }
        guard let minimum = kilometres(match.min), let maximum = match.max.map(kilometres) ?? minimum else {
            throw FieldError(path: "place", reason: "could not read the distance in '\(text)'")
        }
        guard maximum >= minimum else { throw FieldError(path: "place", reason: "the distance range '\(text)' runs backwards") }
        guard maximum <= maximumKm else { throw FieldError(path: "place", reason: "a distance from a place must be at most \(Int(maximumKm)) km") }
        var bearing: Double?
        if let word = match.direction.map(String.init), !word.trimmingSpaces.isEmpty {
            guard let degrees = CompassDirection.degrees(word) else {
                throw FieldError(path: "place", reason: "'\(word.trimmingSpaces)' is not a compass direction (N, NNE, NE, ENE, …, north-east, south-south-west, …)")
            }
            bearing = degrees
        }
        return PlacePhrase(place: String(match.place).trimmingSpaces, bearingDegrees: bearing,
                           distance: DistanceBand(minKm: minimum, maxKm: maximum))
    }

    /// The parts of "2–3 km NW of Avdiivka" as `offsetPattern` names them.
    struct OffsetParts: Equatable {
        var min: Substring
        var max: Substring?
        var unit: Substring
        var direction: Substring?
        var place: Substring
    }

    static func patternOffsetParts(_ text: String) -> OffsetParts? {
        guard let match = text.wholeMatch(of: offsetPattern) else { return nil }
        return OffsetParts(min: match.output.min, max: match.output.max, unit: match.output.unit,
                           direction: match.output.direction, place: match.output.place)
    }

    /// The parts of the phrases monitors write most ("3 km SSE of Buhas", "2-4 km north-east
    /// from Zolote": ASCII up to the place, spaces, a one-word direction) read byte by byte,
    /// as the pattern reads them; nil for any other shape, which the pattern then reads. The
    /// pattern took about 100 µs a phrase, most of a place record's reading.
    static func quickOffsetParts(_ text: String) -> OffsetParts? {
        let bytes = text.utf8
        var index = bytes.startIndex
        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
        func skip(while accepted: (UInt8) -> Bool) -> Substring {
            let start = index
            while index < bytes.endIndex, accepted(bytes[index]) { index = bytes.index(after: index) }
            return text[start..<index]
        }
        func spaces() -> Int { skip { $0 == UInt8(ascii: " ") }.utf8.count }
        func number() -> Substring? {
            let start = index
            guard !skip(while: isDigit).isEmpty else { return nil }
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                index = bytes.index(after: index)
                guard !skip(while: isDigit).isEmpty else { return nil }
            }
            return text[start..<index]
        }
        func word() -> Substring { skip { isLetter($0) || $0 == UInt8(ascii: "-") } }

        guard let min = number() else { return nil }
        _ = spaces()
        var max: Substring?
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") {
            index = bytes.index(after: index)
            _ = spaces()
            guard let upper = number() else { return nil }
            max = upper
            _ = spaces()
        }
        let unit = word()
        guard ["km", "m"].contains(unit.lowercased()), spaces() > 0, index < bytes.endIndex, isLetter(bytes[index]) else { return nil }
        let direction = word()
        guard !["of", "from"].contains(direction.lowercased()), spaces() > 0 else { return nil }
        guard ["of", "from"].contains(word().lowercased()), spaces() > 0, index < bytes.endIndex,
              // A mark after the space would join it in one character; a line break ends the pattern's place.
              bytes[index] < 0x80, !text[index...].contains(where: \.isNewline) else { return nil }
        return OffsetParts(min: min, max: max, unit: unit, direction: direction, place: text[index...])
    }
}

/// The 16 points of the compass, as abbreviations and as words.
public enum CompassDirection {
    public static let abbreviations = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
    static let words = ["n": "north", "e": "east", "s": "south", "w": "west"]

    /// The word form of an abbreviation: "NNE" → "north-north-east".
    public static func words(for abbreviation: String) -> String {
        let letters = abbreviation.lowercased().map { words[String($0)]! }
        switch letters.count {
        case 3: return "\(letters[0])-\(letters[1])-\(letters[2])"
        case 2: return "\(letters[0])-\(letters[1])"
        default: return letters[0]
        }
    }

    /// Degrees clockwise from north for "NW", "north-west", "northwest", "north west", "south-south-east"…
    public static func degrees(_ text: String) -> Double? {
        degreesByLetters[text.lowercased().filter { $0.isLetter }]
    }

    /// Each point's abbreviation and its words, lower case and letters only ("nw",
    /// "northwest"), with its degrees: made once, not for every record's direction.
    private static let degreesByLetters: [String: Double] = {
        var degrees: [String: Double] = [:]
        for (index, abbreviation) in abbreviations.enumerated() {
            degrees[abbreviation.lowercased()] = Double(index) * 22.5
            degrees[words(for: abbreviation).filter { $0.isLetter }] = Double(index) * 22.5
        }
        return degrees
    }()
}
