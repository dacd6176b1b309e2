import Foundation
import Synchronization

/// A populated place from GeoNames (CC BY 4.0, geonames.org).
public struct GazetteerEntry: Sendable, Hashable {
    public var geonameID: Int
    public var name: String
    public var point: GeoPoint
    public var countryCode: String
    public var admin1: String
    public var population: Int
    public var alternateNames: [String]
}

/// Place names to places. Every name and alternate name (Latin transliterations, Cyrillic,
/// Hangul, Arabic, Hebrew) is indexed; a looser key catches transliteration variants the
/// data does not list (Avdiivka / Avdiyivka / Avdijivka).
public struct Gazetteer: Sendable {
    public let entries: [GazetteerEntry]
    private let exact: [String: [Int]]
    private let loose: [String: [Int]]

    /// Reads the TSV layout of `shared/data/gazetteer-*.tsv`: geonameid, name, latitude,
    /// longitude, country_code, admin1_code, population, timezone, alternate_names.
    public init(tsv: String) throws(ValidationFailure) {
        var entries: [GazetteerEntry] = []
        var errors: [FieldError] = []
        for (number, line) in tsv.split(separator: "\n", omittingEmptySubsequences: true).enumerated() where number > 0 {
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count >= 9, let id = Int(columns[0]), let lat = Double(columns[2]), let lon = Double(columns[3]) else {
                errors.append(FieldError(path: "line \(number + 1)", reason: "is not a gazetteer row"))
                continue
            }
            entries.append(GazetteerEntry(
                geonameID: id, name: String(columns[1]), point: GeoPoint(lat: lat, lon: lon),
                countryCode: String(columns[4]), admin1: String(columns[5]), population: Int(columns[6]) ?? 0,
                alternateNames: columns[8].split(separator: "|").map(String.init)
            ))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        self.init(entries: entries)
    }

    public init(entries: [GazetteerEntry]) {
        self.entries = entries
        // Each name folded once (its loose key made from the folded name), on every core: the
        // index of 8,000 places and their alternate names was a third of a node's start.
        let parts = max(1, min(ProcessInfo.processInfo.activeProcessorCount, entries.count / 1_000))
        let size = (entries.count + parts - 1) / parts
        let keyed = Mutex<[[(exact: String, loose: String, index: Int)]]>(Array(repeating: [], count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            var keys: [(exact: String, loose: String, index: Int)] = []
            for index in min(part * size, entries.count)..<min((part + 1) * size, entries.count) {
                let entry = entries[index]
                for name in [entry.name] + entry.alternateNames {
                    let normalised = PlaceName.normalise(name)
                    keys.append((normalised, PlaceName.looseKey(normalised: normalised), index))
                }
            }
            keyed.withLock { $0[part] = keys }
        }
        // Places come in order, so each list stays sorted and a repeat is its last element.
        var exact: [String: [Int]] = [:], loose: [String: [Int]] = [:]
        for part in keyed.withLock({ $0 }) {
            for key in part {
                exact[key.exact, default: []].appendUnlessLast(key.index)
                loose[key.loose, default: []].appendUnlessLast(key.index)
            }
        }
        self.exact = exact
        self.loose = loose
    }

    /// Every place the name may mean: exact (normalised) matches and transliteration-loose ones.
    public func candidates(named name: String) -> [GazetteerEntry] {
        let indices = Set(exact[PlaceName.normalise(name)] ?? []).union(loose[PlaceName.looseKey(name)] ?? [])
        return indices.sorted().map { entries[$0] }
    }
}

/// Folding of place names for matching.
public enum PlaceName {
    /// Lower case, no diacritics or apostrophes, hyphens and runs of spaces as one space.
    public static func normalise(_ name: String) -> String {
        normaliseASCII(name) ?? normaliseFolding(name)
    }

    /// `normalise` for any text: Foundation's folding, then grapheme by grapheme.
    static func normaliseFolding(_ name: String) -> String {
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var lastWasSpace = true
        for character in folded {
            switch character {
            case "'", "’", "ʼ", "`", "ʹ", "\"": continue
            default: break
            }
            if character == "-" || character.isWhitespace {
                if !lastWasSpace { result.append(" ") }
                lastWasSpace = true
            } else {
                result.append(character)
                lastWasSpace = false
            }
        }
        return result.trimmingCharacters(in: .whitespaces)
    }

    /// `normalise` of a name in ASCII (most of the gazetteer's), byte by byte: folding an
    /// ASCII text only lowers its case, and the grapheme-by-grapheme walk was most of the cost.
    /// Nil for any other name.
    static func normaliseASCII(_ name: String) -> String? {
        let utf8 = name.utf8
        guard utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count)
        var lastWasSpace = true
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "'"), UInt8(ascii: "`"), UInt8(ascii: "\""):
                continue
            case UInt8(ascii: "-"), UInt8(ascii: " "), 0x09...0x0D:   // Character.isWhitespace in ASCII
                if !lastWasSpace { result.append(UInt8(ascii: " ")) }
                lastWasSpace = true
            case UInt8(ascii: "A")...UInt8(ascii: "Z"):
                result.append(byte + 0x20)
                lastWasSpace = false
            default:
                result.append(byte)
                lastWasSpace = false
            }
        }
        if result.last == UInt8(ascii: " ") { result.removeLast() }
        return String(decoding: result, as: UTF8.self)
    }

    /// Cyrillic spelled in Latin letters, then without the letters transliteration systems
    /// disagree on (y, j) and without doubled letters: Авдеевка, Avdeyevka and Avdeevka meet.
    public static func looseKey(_ name: String) -> String {
        looseKey(normalised: normalise(name))
    }

    /// `looseKey` of a name already normalised.
    static func looseKey(normalised: String) -> String {
        looseKeyASCII(normalised: normalised) ?? looseKeyTransliterating(normalised: normalised)
    }

    /// `looseKey` of a normalised ASCII name: nothing to transliterate, the same walk over bytes.
    static func looseKeyASCII(normalised: String) -> String? {
        guard normalised.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(normalised.utf8.count)
        for byte in normalised.utf8 where byte != UInt8(ascii: "y") && byte != UInt8(ascii: "j") && byte != UInt8(ascii: " ") {
            if bytes.last != byte { bytes.append(byte) }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    static func looseKeyTransliterating(normalised: String) -> String {
        var result = ""
        let latin = normalised.map { cyrillicToLatin[$0] ?? String($0) }.joined()
        for character in latin where character != "y" && character != "j" && character != " " {
            if result.last != character { result.append(character) }
        }
        return result
    }

    /// Ukrainian and Russian letters (after diacritic folding) in a plain Latin spelling.
    static let cyrillicToLatin: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie", "ж": "zh", "з": "z",
        "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
        "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch",
        "ь": "", "ю": "iu", "я": "ia", "ы": "y", "э": "e", "ъ": "", "ё": "e",
    ]
}

private extension Array where Element: Equatable {
    mutating func appendUnlessLast(_ element: Element) {
        if last != element { append(element) }
    }
}
