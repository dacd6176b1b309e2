import BackstopCore
import Foundation
import Testing

/// A batch's observation read member by member (`DeferredElements.flatObject`, then
/// `ObjectReader(_: FlatJSONObject…)`) must give what the tree gives: the same observation,
/// byte for byte in its stored form, or the same errors in the same order; and it must never
/// take a text the tree refuses.
@Suite struct FlatObjectReadingTests {
    private static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A member's value as JSON text: mostly valid for its field, sometimes not.
    private static func member(_ key: String, _ random: inout SplitMix64) -> String? {
        func pick(_ choices: [String]) -> String { choices.randomElement(using: &random)! }
        func quoted(_ raws: [String]) -> [String] { raws.map { "\"\($0)\"" } }
        let valid = Int.random(in: 0..<10, using: &random) < 8
        let odd = ["null", "\"\"", "\"  \"", "7", "true", "{}", "\"x\"", "-0", "1e400"]
        switch key {
        case "id":
            return valid ? "\"\(UUID().uuidString.lowercased())\"" : pick(odd + ["\"not-a-uuid\"", "\"\\u0030\(UUID().uuidString.dropFirst())\""])
        case "kind":
            return pick(quoted(ObservationKind.allCases.map(\.rawValue)) + (valid ? [] : odd + ["\"meteor\""]))
        case "subkind":
            return pick(quoted(ExplosionSubkind.allCases.map(\.rawValue)) + ["\"tracer\""] + (valid ? [] : odd + ["\"\(String(repeating: "s", count: 65))\""]))
        case "count":
            return pick(["1", "9", "100000"] + (valid ? [] : odd + ["0", "100001", "3.0", "2.5", "-1", "\"3\"", "1e2", "3E0"]))
        case "observed_at", "observed_until":
            return pick(quoted(["2021-01-01T00:03:39.018Z", "2021-01-01T00:09:39Z", "2021-01-01T02:03:39+02:00"])
                + (valid ? [] : odd + quoted(["2030-01-01T00:00:00Z", "yesterday", "2021-13-01T00:00:00Z"])))
        case "time_precision":
            return pick(quoted(TimePrecision.allCases.map(\.rawValue)) + (valid ? [] : odd + ["\"weekly\""]))
        case "modality":
            return pick(quoted(Modality.allCases.map(\.rawValue)) + (valid ? [] : odd + ["\"telepathy\""]))
        case "direction":
            return pick(quoted(FireDirection.allCases.map(\.rawValue)) + (valid ? [] : odd))
        case "observer":
            return pick(["{\"lat\":48.4285,\"lon\":38.2511,\"accuracy_m\":20}", "{\"lon\":38,\"lat\":48}"]
                + (valid ? [] : odd + ["{\"lat\":91,\"lon\":38}", "{\"lat\":48}", "{\"lat\":48,\"lon\":38,\"accuracy_m\":-1}",
                                       "{\"lat\":48,\"lon\":38,\"height\":3}", "{\"lat\":\"48\",\"lon\":38}"]))
        case "location":
            return pick(["{\"lat\":48.396315,\"lon\":38.427984,\"accuracy_m\":696}", "{\"lat\":48.1,\"lon\":37.8}",
                         "{\"bearing_deg\":37.1,\"bearing_error_deg\":10,\"distance_km\":{\"max\":3,\"min\":1}}",
                         "{\"bearing_deg\":0}", "{\"place\":\"2 km NW of Avdiivka\"}", "{\"place\":\"Мар'їнка\"}",
                         "{\"place\":\"Zolote\",\"bearing_deg\":90,\"distance_km\":{\"min\":2,\"max\":2.5}}"]
                + (valid ? [] : odd + ["{\"lat\":48,\"lon\":38,\"place\":\"Zolote\"}", "{\"bearing_deg\":360}",
                                       "{\"bearing_deg\":10,\"distance_km\":{\"min\":3,\"max\":1}}", "{\"lat\":null,\"bearing_deg\":10}",
                                       "{\"place\":\"Zolote\",\"bearing_error_deg\":5}", "{\"place\":\"Zolote\",\"bearing_deg\":5}",
                                       "{\"lat\":48,\"lon\":38,\"bearing_deg\":4}", "{\"distance_km\":{\"min\":1,\"max\":2,\"x\":1}}",
                                       "[48,38]", "{\"lat\":48,\"lon\":38,\"place\":null}"]))
        case "flight":
            return pick(["{\"from_bearing_deg\":10,\"to_bearing_deg\":200}", "{}"] + (valid ? [] : odd + ["{\"x\":1}", "{\"from_bearing_deg\":400}"]))
        case "weapon":
            return pick(["{\"class\":\"tank\",\"model\":\"T-72\",\"quantity\":4}", "{\"model\":\"T-72\"}", "{\"calibre_mm\":152}"]
                + (valid ? [] : odd + ["{\"calibre_mm\":0}", "{\"class\":\"spoon\"}", "{\"quantity\":1.5}"]))
        case "live_fire_training":
            return pick(["true", "false"] + (valid ? [] : odd + ["\"yes\""]))
        case "casualties":
            return pick(["{\"killed\":1,\"injured\":2,\"civilian\":true}", "{}"] + (valid ? [] : odd + ["{\"killed\":-1}"]))
        case "grading":
            return pick(["{\"information_credibility\":2,\"source_reliability\":\"B\"}", "{\"source_reliability\":\"A\",\"information_credibility\":\"3\"}"]
                + (valid ? [] : odd + ["{\"information_credibility\":2.0,\"source_reliability\":\"B\"}", "{\"information_credibility\":9,\"source_reliability\":\"B\"}",
                                       "{\"source_reliability\":\"Z\",\"information_credibility\":1}", "{\"source_reliability\":\"B\"}"]))
        case "notes":
            return pick(["\"heard from the school\"", "\"a \\\"quoted\\\" word and a \\n line \\u00e9\"", "\"Мар'їнка 🚀\""] + (valid ? [] : odd))
        default:
            return pick(["1", "\"patrol 9\"", "{}", "null"])
        }
    }

    /// One record as JSON text, its members in a random order with random whitespace; now and
    /// then a member twice, an unknown one, or one the server sets.
    private static func record(_ random: inout SplitMix64) -> String {
        let required = ["id", "kind", "observed_at", "modality", "location"]
        let optional = ["subkind", "count", "observed_until", "time_precision", "observer", "direction", "flight", "weapon",
                        "live_fire_training", "casualties", "grading", "notes"]
        var keys = required.filter { _ in Int.random(in: 0..<30, using: &random) > 0 }
            + optional.filter { _ in Bool.random(using: &random) }
        if Int.random(in: 0..<15, using: &random) == 0 { keys.append(["reporter", "resolved_location", "received_at", "colour"].randomElement(using: &random)!) }
        if Int.random(in: 0..<20, using: &random) == 0, let twice = keys.randomElement(using: &random) { keys.append(twice) }
        keys.shuffle(using: &random)
        func space() -> String { ["", "", "", " ", "\n", "\t ", "\r\n"].randomElement(using: &random)! }
        let members = keys.compactMap { key in member(key, &random).map { "\(space())\"\(key)\"\(space()):\(space())\($0)\(space())" } }
        return "{" + members.joined(separator: ",") + "}"
    }

    /// The same text with a few bytes deleted, doubled or replaced by JSON's own characters.
    private static func mutated(_ text: String, _ random: inout SplitMix64) -> [UInt8] {
        var bytes = Array(text.utf8)
        let alphabet = Array("{}[]\",:0123456789-+.eEtrufalsn \\\u{0}".utf8) + [0xC3, 0xFF]
        for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: bytes.remove(at: at)
            case 1: bytes.insert(bytes[at], at: at)
            default: bytes[at] = alphabet.randomElement(using: &random)!
            }
        }
        return bytes
    }

    /// What a tree element may be that the flat reading takes: objects and scalars only.
    private static func isFlat(_ value: JSONValue, depth: Int = 2) -> Bool {
        guard case .object(let members) = value, members.count <= FlatJSONObject.maximumMembers, depth <= StrictJSONParser.flatMaximumDepth else { return false }
        return members.values.allSatisfy { member in
            if case .object = member { return isFlat(member, depth: depth + 1) }
            if case .array = member { return false }
            return true
        }
    }

    /// Checks one element both ways; answers whether it was read flat.
    @discardableResult
    private static func compare(_ element: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        let body = Data("{\"observations\":[".utf8) + Data(element) + Data("]}".utf8)
        guard let (_, deferred) = try? StrictJSONParser.parse(body, deferringElementsOf: "observations"),
              let deferred, deferred.count == 1 else { return false }
        let tree = try? deferred.element(0)
        let text = String(decoding: element, as: UTF8.self)
        guard let flat = deferred.flatObject(0) else {
            if let tree { #expect(!isFlat(tree), "read as a tree though flat: \(text)", sourceLocation: sourceLocation) }
            return false
        }
        guard let tree else {
            Issue.record("read flat though not JSON: \(text)", sourceLocation: sourceLocation)
            return true
        }
        #expect(flat.jsonValue == tree, "\(text)", sourceLocation: sourceLocation)
        let path = FieldPath("observations").index(0)
        let flatSink = ErrorSink(), treeSink = ErrorSink()
        let fromFlat = ObservationParser().read(ObjectReader(flat, path: path, sink: flatSink), now: now)
        let fromTree = ObservationParser().read(tree, path: path, sink: treeSink, now: now)
        #expect(fromFlat == fromTree, "\(text)", sourceLocation: sourceLocation)
        #expect(fromFlat?.canonicalJSON == fromTree?.canonicalJSON, "\(text)", sourceLocation: sourceLocation)
        #expect(flatSink.errors == treeSink.errors, "\(text)", sourceLocation: sourceLocation)
        return true
    }

    @Test func recordsReadFlatAsTheTreeReadsThem() {
        var random = SplitMix64(seed: 16)
        var flat = 0, accepted = 0, refused = 0
        for _ in 0..<4_000 {
            let text = Self.record(&random)
            if Self.compare(Array(text.utf8)) { flat += 1 }
            let sink = ErrorSink()
            if let tree = try? JSONValue.parse(text), ObservationParser().read(tree, path: FieldPath(), sink: sink, now: Self.now) != nil {
                accepted += 1
            } else {
                refused += 1
            }
        }
        // Most records are read flat, and both kinds, accepted and refused, are many.
        #expect(flat > 3_000)
        #expect(accepted > 300)
        #expect(refused > 300)
    }

    @Test func aBrokenTextIsNeverReadFlat() {
        var random = SplitMix64(seed: 17)
        var flat = 0
        for _ in 0..<4_000 {
            let bytes = Self.mutated(Self.record(&random), &random)
            if Self.compare(bytes) { flat += 1 }
        }
        // Some mutations leave valid JSON (a digit for a digit), which is then read flat.
        #expect(flat > 100)
    }

    @Test func otherShapesAreLeftToTheTree() {
        let many = (0...FlatJSONObject.maximumMembers).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        let shapes = [
            "{\"id\":1,\"id\":2}",                      // a key twice: the tree names it
            "{\"id\":1,\"\\u0069d\":2}",                 // the same key, escaped
            "{\"location\":[48,38]}",                    // an array
            "{\(many)}",                                 // more members than one word marks
            "{\"a\":{\"b\":{\"c\":{\"d\":1}}}}",         // deeper than an observation
            "[1]", "7", "\"text\"", "{\"a\":1} x", "{\"a\":1,}", "{\"a\" 1}",
        ]
        for shape in shapes {
            #expect(!Self.compare(Array(shape.utf8)), "\(shape)")
        }
        // The limits themselves are read flat.
        let most = (0..<FlatJSONObject.maximumMembers).map { "\"k\($0)\":\($0)" }.joined(separator: ",")
        #expect(Self.compare(Array("{\(most)}".utf8)))
        #expect(Self.compare(Array("{\"a\":{\"b\":{\"c\":1}}}".utf8)))
        #expect(Self.compare(Array(" {} ".utf8)))
    }
}
