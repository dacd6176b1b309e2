import BackstopCore
import BackstopGeo
import Foundation
import Testing

/// An observation's canonical JSON is written straight from its fields; its digest (the
/// idempotency check of every retry, and the audit log's) must stay the bytes the `JSONValue`
/// tree gives.
@Suite struct CanonicalObservationWriterTests {
    @Test func theWrittenFormIsTheTreesByteForByte() {
        var random = SplitMix64(seed: 16)
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &random) ? value() : nil }
        // Numbers as monitors and sensors send them, and the awkward ones: whole, negative
        // zero, tiny, huge, long fractions.
        let numbers: [Double] = [0, -0.0, 1, 2.5, 0.1, 1e-7, 123456.789, 1e21, 9e15, 8.999999e15, 48.123456789, -37.75, 359.99, 0.000123]
        func number() -> Double {
            Bool.random(using: &random) ? numbers.randomElement(using: &random)! : Double.random(in: -1_000...1_000, using: &random)
        }
        let texts = ["", "Avdiivka", "2 km NW of Avdiivka", "quote \" and backslash \\", "line\nbreak\ttab", "Мар'їнка", "emoji 🚀", "\u{1}control", "slash / here"]
        func text() -> String { texts.randomElement(using: &random)! }
        func point() -> GeoPoint { GeoPoint(lat: number(), lon: number()) }
        func band() -> DistanceBand { DistanceBand(minKm: number(), maxKm: number()) }
        for _ in 0..<5_000 {
            let location: ObservationLocation = switch Int.random(in: 0..<3, using: &random) {
            case 0: .absolute(point: point(), accuracyMetres: maybe(number()))
            case 1: .relativeToObserver(BearingFix(bearingDegrees: number(), bearingErrorDegrees: maybe(number()), distance: maybe(band())))
            default: .relativeToPlace(place: text(), bearingDegrees: maybe(number()), distance: maybe(band()))
            }
            let observation = Observation(
                id: UUID(), kind: ObservationKind.allCases.randomElement(using: &random)!, subkind: maybe(text()),
                count: Int.random(in: 0...1_000_000, using: &random),
                observedAt: Date(timeIntervalSince1970: Double.random(in: 0...2e9, using: &random)),
                observedUntil: maybe(Date(timeIntervalSince1970: Double.random(in: 0...2e9, using: &random))),
                timePrecision: maybe(TimePrecision.allCases.randomElement(using: &random)!),
                modality: Modality.allCases.randomElement(using: &random)!,
                observer: maybe(ObserverPosition(point: point(), accuracyMetres: maybe(number()))),
                location: location, direction: maybe(FireDirection.allCases.randomElement(using: &random)!),
                flight: maybe(Flight(fromBearingDegrees: maybe(number()), toBearingDegrees: maybe(number()))),
                weapon: maybe(WeaponReport(model: maybe(text()), weaponClass: maybe(WeaponClass.allCases.randomElement(using: &random)!),
                                           calibreMillimetres: maybe(number()), quantity: maybe(Int.random(in: 0...50, using: &random)))),
                liveFireTraining: Bool.random(using: &random),
                casualties: maybe(Casualties(killed: Int.random(in: 0...9, using: &random), injured: Int.random(in: 0...9, using: &random),
                                             civilian: maybe(Bool.random(using: &random)))),
                grading: maybe(AdmiraltyGrade(reliability: SourceReliability.allCases.randomElement(using: &random)!,
                                              credibility: InformationCredibility.allCases.randomElement(using: &random)!)),
                notes: maybe(text()))
            let tree = observation.jsonValue.canonicalData()
            #expect(observation.canonicalJSON == tree, "\(String(decoding: tree, as: UTF8.self))")
            if observation.canonicalJSON != tree { return }
        }
    }

    /// A number the tree cannot write either (not finite) leaves it to the tree, as before.
    @Test func aNumberThatIsNotFiniteIsLeftToTheTree() {
        let observation = Observation(id: UUID(), kind: .explosion, observedAt: Date(timeIntervalSince1970: 0), modality: .heard,
                                      location: .absolute(point: GeoPoint(lat: .nan, lon: 1), accuracyMetres: nil))
        #expect(observation.canonicalJSON == observation.jsonValue.canonicalData())
    }
}
