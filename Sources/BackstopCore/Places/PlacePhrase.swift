import Foundation
import Synchronization

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

    /// Phrases read before, with what they read as (or why not). A mission's records name the
    /// same few hundred places in the same words, and reading a phrase again cost more than
    /// looking it up: in the intake profile the reading took a tenth of a record's time.
    /// Each with the text as it was written: two spellings Swift counts as equal strings (a
    /// composed and a decomposed "é") are read each on its own.
    private static let remembered = Mutex<[String: (text: String, result: Result<PlacePhrase, FieldError>)]>([:])
    /// Past this many phrases the memory starts again (it never grows with the intake).
    static let rememberedLimit = 10_000

    /// Reads a phrase; the error says which part could not be read.
    public static func parse(_ text: String) throws(FieldError) -> PlacePhrase {
        if let known = remembered.withLock({ $0[text] }), known.text.utf8.elementsEqual(text.utf8) { return try known.result.get() }
        let result = Result { () throws(FieldError) in try read(text) }
        remembered.withLock { phrases in
            if phrases.count >= rememberedLimit { phrases.removeAll(keepingCapacity: true) }
            phrases[text] = (text, result)
        }
        return try result.get()
    }

    private static func read(_ text: String) throws(FieldError) -> PlacePhrase {
        var rest = text.trimmingWhiteSpace
        guard !rest.isEmpty else { throw FieldError(path: "place", reason: "is empty") }
        let lowercased = rest.lowercased()
        for prefix in ["on the outskirts of ", "outskirts of ", "centre of ", "center of ", "in ", "near ", "at "] where lowercased.hasPrefix(prefix) {
            rest = String(rest.dropFirst(prefix.count))
            return PlacePhrase(place: rest.trimmingCharacters(in: .whitespaces))
        }
        // The pattern begins with an ASCII digit: a bare name ("Popasna") need not be matched
        // against it (the match was most of the time a place record took to resolve).
        guard rest.utf8.first.map({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) == true,
              let match = rest.wholeMatch(of: offsetPattern) else {
            if rest.first?.isNumber == true {
                throw FieldError(path: "place", reason: "could not read '\(text)'; write it as 'N km DIRECTION of PLACE', e.g. '2 km NW of Avdiivka'")
            }
            return PlacePhrase(place: rest)
        }
        let scale = match.output.unit.lowercased() == "m" ? 0.001 : 1
        func kilometres(_ digits: Substring) -> Double? {
            Double(digits.replacingOccurrences(of: ",", with: ".")).map { $0 * scale }
        }
        guard let minimum = kilometres(match.output.min), let maximum = match.output.max.map(kilometres) ?? minimum else {
            throw FieldError(path: "place", reason: "could not read the distance in '\(text)'")
        }
        guard maximum >= minimum else { throw FieldError(path: "place", reason: "the distance range '\(text)' runs backwards") }
        guard maximum <= maximumKm else { throw FieldError(path: "place", reason: "a distance from a place must be at most \(Int(maximumKm)) km") }
        var bearing: Double?
        if let word = match.output.direction.map(String.init), !word.trimmingCharacters(in: .whitespaces).isEmpty {
            guard let degrees = CompassDirection.degrees(word) else {
                throw FieldError(path: "place", reason: "'\(word.trimmingCharacters(in: .whitespaces))' is not a compass direction (N, NNE, NE, ENE, …, north-east, south-south-west, …)")
            }
            bearing = degrees
        }
        return PlacePhrase(place: String(match.output.place).trimmingCharacters(in: .whitespaces), bearingDegrees: bearing,
                           distance: DistanceBand(minKm: minimum, maxKm: maximum))
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
        let compact = text.lowercased().filter { $0.isLetter }
        for (index, abbreviation) in abbreviations.enumerated() {
            let spelled = words(for: abbreviation).filter { $0.isLetter }
            if compact == abbreviation.lowercased() || compact == spelled { return Double(index) * 22.5 }
        }
        return nil
    }
}
