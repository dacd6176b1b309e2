import BackstopCore
import BackstopGeo
import Foundation
import Testing

/// A resolution's stored JSON is written straight from its fields; it must stay the bytes the
/// `JSONValue` tree gives (what every store kept before, and what reads parse back).
@Suite struct LocationResolutionJSONTests {
    @Test func theWrittenFormIsTheTreesByteForByte() {
        var random = SplitMix64(seed: 21)
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &random) ? value() : nil }
        let numbers: [Double] = [0, -0.0, 1, 2.5, 0.1, 1e-7, 123456.789, 1e21, 9e15, 48.123456789, -37.75, .nan, .infinity]
        func number() -> Double {
            Bool.random(using: &random) ? numbers.randomElement(using: &random)! : Double.random(in: -100_000...100_000, using: &random)
        }
        let texts = ["", "nearest of 3 places named Avdiivka", "quote \" and backslash \\", "line\nbreak\ttab", "Мар'їнка", "emoji 🚀",
                     "\u{1}control", "bearing 270° from the observer, 2–3 km"]
        for _ in 0..<5_000 {
            let resolution: LocationResolution = Int.random(in: 0..<4, using: &random) == 0
                ? .unresolved(reason: texts.randomElement(using: &random)!)
                : .resolved(ResolvedLocation(point: GeoPoint(lat: number(), lon: number()), radiusMetres: maybe(number()),
                                             method: ResolutionMethod.allCases.randomElement(using: &random)!,
                                             detail: maybe(texts.randomElement(using: &random)!),
                                             geonameID: maybe(Int.random(in: -5...20_000_000, using: &random))))
            let tree = CanonicalJSON.bytes(resolution.jsonValue)
            #expect(resolution.canonicalJSON == tree, "\(String(decoding: tree, as: UTF8.self))")
            if resolution.canonicalJSON != tree { return }
        }
    }
}
