@testable import BackstopCore
import BackstopData
import Foundation
import Testing

@Suite struct PlacePhraseTests {
    @Test(arguments: Array(CompassDirection.abbreviations.enumerated()))
    func everyCompassPointReadsAsAbbreviationAndWords(index: Int, abbreviation: String) throws {
        let words = CompassDirection.words(for: abbreviation)
        for written in [abbreviation, abbreviation.lowercased(), words, words.replacingOccurrences(of: "-", with: ""), words.replacingOccurrences(of: "-", with: " ")] {
            let phrase = try PlacePhrase.parse("2 km \(written) of Avdiivka")
            #expect(phrase.bearingDegrees == Double(index) * 22.5, "\(written)")
            #expect(phrase.place == "Avdiivka")
            #expect(phrase.distance == DistanceBand(minKm: 2, maxKm: 2))
        }
    }

    @Test func rangesUnitsAndPrefixes() throws {
        #expect(try PlacePhrase.parse("3-5 km south-east of Marinka") == PlacePhrase(place: "Marinka", bearingDegrees: 135, distance: DistanceBand(minKm: 3, maxKm: 5)))
        #expect(try PlacePhrase.parse("1.5km NNW of Stanytsia Luhanska").distance == DistanceBand(minKm: 1.5, maxKm: 1.5))
        #expect(try PlacePhrase.parse("800 m W of Zolote").distance == DistanceBand(minKm: 0.8, maxKm: 0.8))
        #expect(try PlacePhrase.parse("4 km from Popasna") == PlacePhrase(place: "Popasna", bearingDegrees: nil, distance: DistanceBand(minKm: 4, maxKm: 4)))
        #expect(try PlacePhrase.parse("in Zolote") == PlacePhrase(place: "Zolote"))
        #expect(try PlacePhrase.parse("Horlivka") == PlacePhrase(place: "Horlivka"))
    }

    @Test func aBadPhraseSaysWhatIsWrong() {
        #expect(throws: FieldError.self) { try PlacePhrase.parse("2 km upward of Avdiivka") }
        #expect(throws: FieldError.self) { try PlacePhrase.parse("5-3 km N of Avdiivka") }
        #expect(throws: FieldError.self) { try PlacePhrase.parse("2 parsecs N of Avdiivka") }
        #expect(throws: FieldError.self) { try PlacePhrase.parse("  ") }
        #expect(throws: FieldError.self) { try PlacePhrase.parse("٣ km NW of Avdiivka") }
        #expect(throws: FieldError.self) { try PlacePhrase.parse("３ km NW of Avdiivka") }
        #expect(throws: FieldError.self) { try PlacePhrase.parse("5000 km N of Avdiivka") }
    }

    /// The common shapes are read without the pattern; whatever that quick reading accepts, it
    /// reads into the very parts the pattern reads, and the phrases it leaves alone include
    /// every shape the pattern reads differently or refuses.
    @Test func theQuickReadingAgreesWithThePattern() {
        let numbers = ["2", "2.5", "3,75", "10", "2.", "02"]
        let ranges = ["", "-4", " - 4", "-", " to 4", "\u{2013}4"]
        let units = ["km", "m", "KM", "Km", "mi", "kms", "km-"]
        let gaps = [" ", "", "  ", "\t"]
        let directions = ["NW", "n", "north-east", "NNE", "of", "from", "north east", "", "N\u{301}"]
        let connectors = [" of ", " from ", " OF ", "  of  ", " ofX", " of", " de "]
        let places = ["Avdiivka", "Cr\u{E9}py", "of Y", "", "\u{301}X", "Zolote\nX", "Novo Selo of Z"]
        var quick = 0
        for number in numbers { for range in ranges { for unit in units { for gap in gaps { for direction in directions {
            for connector in connectors { for place in places {
                let text = number + range + gap + unit + " " + direction + connector + place
                let pattern = PlacePhrase.patternOffsetParts(text)
                if let parts = PlacePhrase.quickOffsetParts(text) {
                    quick += 1
                    #expect(parts == pattern, "\(text.debugDescription)")
                }
            } }
        } } } } }
        #expect(quick > 1_000, "the quick reading took \(quick) phrases")
        // The phrases of the benchmark's records, all read without the pattern.
        for text in ["3 km SSE of Buhas", "2 km N of Pikuzy", "9 km E of Novobakhmutivka", "2-4 km north-east from Zolote"] {
            #expect(PlacePhrase.quickOffsetParts(text) != nil && PlacePhrase.quickOffsetParts(text) == PlacePhrase.patternOffsetParts(text))
        }
    }
}

@Suite struct GazetteerTests {
    let gazetteer = try! BundledGazetteer.load()
    let donbas = try! AgreementParser().parse(SampleAgreements.documents().first { $0.name == "donbas-minsk-sample" }!.data)

    // MARK: Tests

    @Test(arguments: ["Avdiivka", "Avdiyivka", "Avdeevka", "Avdijivka", "Авдіївка", "Авдеевка", "AVDIIVKA"])
    func transliterationsFindTheThreeAvdiyivkas(name: String) {
        #expect(Set(gazetteer.candidates(named: name).map(\.geonameID)) == [713120, 713121, 713122])
    }

    @Test func theAreaOfOperationsPicksTheDonetskTown() throws {
        let resolver = PlaceResolver(gazetteer: gazetteer, areas: [AreaOfOperations(donbas)])
        let resolution = try resolver.resolve("Avdiivka")
        #expect(resolution.chosen.entry.geonameID == 713122)
        #expect(resolution.reason.contains("area of operations"))
        #expect(resolution.others.count == 2)
        #expect(!resolution.ambiguous)
    }

    @Test func anObserverNearbyPicksTheVillage() throws {
        let resolver = PlaceResolver(gazetteer: gazetteer)
        let resolution = try resolver.resolve("Avdiivka", near: GeoPoint(lat: 51.50, lon: 31.70))
        #expect(resolution.chosen.entry.geonameID == 713121)
        #expect(resolution.reason.contains("nearest to the observer"))
    }

    @Test func withoutContextPopulationDecidesAndSaysSo() throws {
        let resolution = try PlaceResolver(gazetteer: gazetteer).resolve("Avdiivka")
        #expect(resolution.chosen.entry.geonameID == 713122)
        #expect(resolution.reason.contains("largest population"))
        #expect(resolution.others.map(\.entry.geonameID).sorted() == [713120, 713121])
    }

    @Test func anUnknownPlaceIsAnError() {
        #expect(throws: FieldError(path: "place", reason: "unknown place 'Atlantis'")) { try PlaceResolver(gazetteer: gazetteer).resolve("Atlantis") }
    }
}

@Suite struct AgreementGeometryTests {
    func sample(_ name: String) throws -> AgreementGeometry {
        AgreementGeometry(try AgreementParser().parse(try SampleAgreements.documents().first { $0.name == name }!.data))
    }

    // MARK: Tests

    @Test(arguments: [
        ("donbas-minsk-sample", 48.14019, 37.75008, "ukraine"),          // Avdiivka, government-controlled
        ("donbas-minsk-sample", 48.29986, 38.01709, "armed-formations"), // Horlivka
        ("donbas-minsk-sample", 48.73784, 39.23047, "ukraine"),          // Shchastia
        ("donbas-minsk-sample", 48.56814, 39.30553, "armed-formations"), // Luhansk
        ("korea-dmz-sample", 37.97, 126.55, "kpa-cpv"),                  // Kaesong
        ("korea-dmz-sample", 37.89, 126.74, "unc"),                       // Munsan
        ("sinai-treaty-sample", 31.05, 33.85, "egypt"),                   // south of El Arish
        ("sinai-treaty-sample", 31.25, 34.79, "israel"),                  // Beersheba
    ])
    func realTownsLieOnTheRightSide(agreement: String, lat: Double, lon: Double, party: String) throws {
        #expect(try sample(agreement).position(of: GeoPoint(lat: lat, lon: lon)).party == party)
    }

    @Test func zoneMembershipOnTheSamples() throws {
        let sinai = try sample("sinai-treaty-sample")
        #expect(try sinai.position(of: GeoPoint(lat: 31.05, lon: 33.85)).zones == ["zone-c"], "south of El Arish")
        #expect(try sinai.position(of: GeoPoint(lat: 30.5, lon: 32.6)).zones == ["zone-a"])
        #expect(try sinai.position(of: GeoPoint(lat: 30.11, lon: 34.71)).zones == ["zone-d"])
        #expect(try sinai.position(of: GeoPoint(lat: 31.25, lon: 34.79)).zones == [])
        let korea = try sample("korea-dmz-sample")
        #expect(try korea.position(of: GeoPoint(lat: 37.9559, lon: 126.6772)).zones == ["dmz"], "Panmunjom")
        #expect(try korea.position(of: GeoPoint(lat: 37.89, lon: 126.74)).zones == [], "Munsan is outside the DMZ")
        let donbas = try sample("donbas-minsk-sample")
        #expect(try donbas.position(of: GeoPoint(lat: 48.645, lon: 39.49)).zones == ["stanytsia-luhanska"])
    }

    @Test func theDMZCanBeDrawn() throws {
        let korea = try sample("korea-dmz-sample")
        let area = try korea.area(of: korea.agreement.zones[0])
        #expect(try area.contains { try LineGeometry.contains($0, GeoPoint(lat: 37.9559, lon: 126.6772)) })
    }

    @Test func aWithdrawalAreaIsOnThePartysOwnSide() throws {
        let donbas = try sample("donbas-minsk-sample")
        let rule = donbas.agreement.withdrawalRules.first { $0.weaponClasses.contains(.mlrs) }!
        let ukraine = donbas.agreement.parties.first { $0.id == "ukraine" }!
        let area = try donbas.withdrawalArea(rule, party: ukraine)
        // Kostiantynivka, about 30 km behind the line on the government side
        #expect(try area.contains { try LineGeometry.contains($0, GeoPoint(lat: 48.5277, lon: 37.7069)) })
        #expect(try !area.contains { try LineGeometry.contains($0, GeoPoint(lat: 48.023, lon: 37.80224)) }, "Donetsk is on the other side")
    }
}

@Suite struct LocationResolverTests {
    let resolver = LocationResolver(places: PlaceResolver(gazetteer: try! BundledGazetteer.load()))

    func observation(_ location: ObservationLocation, observer: GeoPoint? = GeoPoint(lat: 48.14, lon: 37.75)) -> Observation {
        Observation(id: UUID(), kind: .explosion, observedAt: Date(), modality: .heard, observer: observer.map { ObserverPosition(point: $0) }, location: location)
    }

    // MARK: Tests

    @Test func aBearingAndBandIsResolvedWithTheAssumedErrorStated() throws {
        let resolution = resolver.resolve(observation(.relativeToObserver(BearingFix(bearingDegrees: 135, distance: DistanceBand(minKm: 3, maxKm: 5)))))
        guard case .resolved(let location) = resolution else { Issue.record("\(resolution)"); return }
        #expect(location.method == .bearingAndDistance)
        #expect(location.detail?.contains("assumed ±15°") == true)
        #expect(abs(Geodesic.wgs84.distance(from: GeoPoint(lat: 48.14, lon: 37.75), to: location.point) - 4_000) < 1)
    }

    @Test func aBearingWithoutDistanceIsKeptUnresolvedWithTheReason() {
        let resolution = resolver.resolve(observation(.relativeToObserver(BearingFix(bearingDegrees: 135))))
        guard case .unresolved(let reason) = resolution else { Issue.record("\(resolution)"); return }
        #expect(reason.contains("second bearing"))
    }

    @Test func aPlacePhraseIsResolvedFromTheGazetteer() {
        let resolution = resolver.resolve(observation(.relativeToPlace(place: "2 km NW of Avdiivka", bearingDegrees: nil, distance: nil)))
        guard case .resolved(let location) = resolution else { Issue.record("\(resolution)"); return }
        #expect(location.geonameID == 713122, "the observer stands in Avdiivka")
        let inverse = Geodesic.wgs84.inverse(from: GeoPoint(lat: 48.14019, lon: 37.75008), to: location.point)
        #expect(abs(inverse.distanceMetres - 2_000) < 1)
        #expect(abs(inverse.initialAzimuth - -45) < 1e-6)
    }

    @Test func anUnknownPlaceIsStoredUnresolvedNotRejected() {
        let resolution = resolver.resolve(observation(.relativeToPlace(place: "Atlantis", bearingDegrees: nil, distance: nil)))
        #expect(resolution == .unresolved(reason: "unknown place 'Atlantis'"))
    }
}
