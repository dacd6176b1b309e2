import Foundation

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
        var exact: [String: Set<Int>] = [:], loose: [String: Set<Int>] = [:]
        for (index, entry) in entries.enumerated() {
            for name in [entry.name] + entry.alternateNames {
                exact[PlaceName.normalise(name), default: []].insert(index)
                loose[PlaceName.looseKey(name), default: []].insert(index)
            }
        }
        self.exact = exact.mapValues { $0.sorted() }
        self.loose = loose.mapValues { $0.sorted() }
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
        let folded = name.folding(options: [.caseInsensitive, .diacriticInsensitive, .widthInsensitive], locale: nil)
        var result = ""
        var lastWasSpace = true
        for character in folded {
            if "'’ʼ`ʹ\"".contains(character) { continue }
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

    /// Cyrillic spelled in Latin letters, then without the letters transliteration systems
    /// disagree on (y, j) and without doubled letters: Авдеевка, Avdeyevka and Avdeevka meet.
    public static func looseKey(_ name: String) -> String {
        var result = ""
        let latin = normalise(name).map { cyrillicToLatin[$0] ?? String($0) }.joined()
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
