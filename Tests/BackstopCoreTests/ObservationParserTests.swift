import BackstopCore
import Foundation
import Testing

@Suite struct ObservationParserTests {
    let parser = ObservationParser()
    let now = Timestamp.parse("2021-03-02T00:00:00Z")!

    func json(_ text: String) -> JSONValue {
        try! JSONValue.parse(text)
    }

    /// A valid observation with `changes` merged over it (null removes a key).
    func observation(_ changes: [String: JSONValue] = [:]) -> JSONValue {
        var base = json("""
        {"id": "7d0b4c64-3a0b-4c6e-9a51-2c6f1f3f9b11", "kind": "explosion", "subkind": "impact", "count": 3,
         "observed_at": "2021-03-01T21:30:00Z", "modality": "heard",
         "observer": {"lat": 48.14, "lon": 37.75, "accuracy_m": 10},
         "location": {"bearing_deg": 135, "bearing_error_deg": 10, "distance_km": {"min": 3, "max": 5}}}
        """).objectValue!
        for (key, value) in changes {
            if value.isNull { base.removeValue(forKey: key) } else { base[key] = value }
        }
        return .object(base)
    }

    func errors(_ value: JSONValue) -> [FieldError] {
        do {
            _ = try parser.parse(value, now: now)
            return []
        } catch {
            return error.errors
        }
    }

    func reasons(at path: String, _ value: JSONValue) -> [String] {
        errors(value).filter { $0.path == path }.map(\.reason)
    }

    // MARK: Tests

    @Test func readsAnObservationRelativeToTheObserver() throws {
        let parsed = try parser.parse(observation(), now: now)
        #expect(parsed.kind == .explosion)
        #expect(parsed.count == 3)
        #expect(parsed.observer?.point.lat == 48.14)
        guard case .relativeToObserver(let fix) = parsed.location else {
            Issue.record("expected a bearing fix, got \(parsed.location)")
            return
        }
        #expect(fix.bearingDegrees == 135)
        #expect(fix.distance == DistanceBand(minKm: 3, maxKm: 5))
    }

    @Test func readsAbsoluteAndPlaceForms() throws {
        let absolute = try parser.parse(observation(["location": json(#"{"lat": 48.1, "lon": 37.7, "accuracy_m": 50}"#)]), now: now)
        #expect(absolute.location.absolutePoint?.lat == 48.1)
        let place = try parser.parse(observation(["location": json(#"{"place": "Avdiivka", "bearing_deg": 315, "distance_km": {"min": 2, "max": 2}}"#), "observer": .null]), now: now)
        #expect(place.location == .relativeToPlace(place: "Avdiivka", bearingDegrees: 315, distance: DistanceBand(minKm: 2, maxKm: 2)))
    }

    @Test func theJSONFormReadsBackToTheSameObservation() throws {
        let full = observation([
            "observed_until": .string("2021-03-01T23:40:00.250+02:00"), "time_precision": .string("minute"),
            "direction": .string("outgoing"), "flight": json(#"{"from_bearing_deg": 90, "to_bearing_deg": 270}"#),
            "weapon": json(#"{"model": "2B11", "quantity": 2}"#), "live_fire_training": .bool(true),
            "casualties": json(#"{"killed": 0, "injured": 2, "civilian": true}"#),
            "grading": json(#"{"source_reliability": "B", "information_credibility": 2}"#), "notes": .string("heard from the checkpoint"),
        ])
        let parsed = try parser.parse(full, now: now)
        #expect(parsed.weapon?.weaponClass == .mortar, "the catalogue fills the class of a known model")
        #expect(parsed.weapon?.calibreMillimetres == 120)
        let reread = try parser.parse(parsed.jsonValue, now: now)
        #expect(reread == parsed)
        #expect(reread.contentDigest == parsed.contentDigest)
    }

    @Test func theDigestIgnoresKeyOrderAndTimeNotation() throws {
        let a = try parser.parse(json(#"{"id":"7d0b4c64-3a0b-4c6e-9a51-2c6f1f3f9b11","kind":"tracer","observed_at":"2021-03-01T21:30:00Z","modality":"saw","location":{"lat":1,"lon":2}}"#))
        let b = try parser.parse(json(#"{"location":{"lon":2,"lat":1},"modality":"saw","observed_at":"2021-03-01T23:30:00+02:00","kind":"tracer","id":"7D0B4C64-3A0B-4C6E-9A51-2C6F1F3F9B11"}"#))
        #expect(a.contentDigest == b.contentDigest)
        var c = a
        c.count = 2
        #expect(c.contentDigest != a.contentDigest)
    }

    @Test func reportsEveryBadFieldAtOnce() {
        let bad = json("""
        {"kind": "boom", "count": 0, "observed_at": "yesterday", "modality": "smelled",
         "observer": {"lat": 95, "lon": 37.75},
         "location": {"bearing_deg": 400, "distance_km": {"min": 5, "max": 3}}, "reporter": "someone"}
        """)
        let paths = Set(errors(bad).map(\.path))
        #expect(paths == ["id", "kind", "count", "observed_at", "modality", "observer.lat", "location.bearing_deg", "location.distance_km.max", "reporter"])
    }

    @Test(arguments: [
        ("location", #"{"lat": 91, "lon": 0}"#, "location.lat", "must be between -90 and 90"),
        ("location", #"{"lat": 0, "lon": -181}"#, "location.lon", "must be between -180 and 180"),
        ("location", #"{"bearing_deg": 360}"#, "location.bearing_deg", "less than 360"),
        ("location", #"{"bearing_deg": -1}"#, "location.bearing_deg", "at least 0"),
        ("location", #"{"bearing_deg": 10, "distance_km": {"min": 5, "max": 3}}"#, "location.distance_km.max", "must not be less than min"),
        ("location", #"{"bearing_deg": 10, "bearing_error_deg": 200}"#, "location.bearing_error_deg", "between 0 and 180"),
        ("location", #"{"lat": 1, "lon": 2, "place": "Avdiivka"}"#, "location", "use one form"),
        ("location", #"{}"#, "location", "needs lat and lon"),
        ("location", #""north""#, "location", "must be an object"),
        ("count", "0", "count", "between 1 and"),
        ("count", "2.5", "count", "whole number"),
        ("count", #""3""#, "count", "whole number"),
        ("kind", #""boom""#, "kind", "unknown kind 'boom'"),
        ("subkind", #""kaboom""#, "subkind", "unknown explosion subkind"),
        ("modality", #""smelled""#, "modality", "unknown modality"),
        ("observed_at", #""2021-03-01 21:30""#, "observed_at", "not an RFC 3339 time"),
        ("observed_at", #""2021-03-01T21:30:00""#, "observed_at", "not an RFC 3339 time"),
        ("observed_at", #""2031-03-01T21:30:00Z""#, "observed_at", "in the future"),
        ("observed_until", #""2021-03-01T20:00:00Z""#, "observed_until", "before observed_at"),
        ("id", #""not-a-uuid""#, "id", "is not a UUID"),
        ("direction", #""sideways""#, "direction", "unknown direction"),
        ("weapon", #"{"class": "laser"}"#, "weapon.class", "unknown weapon class"),
        ("weapon", #"{"quantity": 0}"#, "weapon.quantity", "between 1 and"),
        ("casualties", #"{"killed": -1}"#, "casualties.killed", "must not be negative"),
        ("grading", #"{"source_reliability": "G", "information_credibility": 7}"#, "grading.source_reliability", "unknown source reliability"),
        ("grading", #"{"source_reliability": "A", "information_credibility": 7}"#, "grading.information_credibility", "unknown information credibility"),
        ("live_fire_training", #""yes""#, "live_fire_training", "true or false"),
        ("colour", #""red""#, "colour", "is not a known field"),
        ("resolved_location", #"{"lat": 1}"#, "resolved_location", "computed by the server"),
        ("location", #"{"place": "Avdiivka", "bearing_error_deg": 5}"#, "location.bearing_error_deg", "not from a place"),
        ("location", #"{"place": "Avdiivka", "bearing_deg": 45}"#, "location.distance_km", "needs a distance"),
        ("location", #"{"lat": 1, "lon": 2, "accuracy_m": 1e300}"#, "location.accuracy_m", "between 0 and 100000"),
        ("observed_until", #""2999-01-01T00:00:00Z""#, "observed_until", "in the future"),
    ] as [(String, String, String, String)])
    func refusesABadField(key: String, value: String, path: String, reason: String) {
        let found = reasons(at: path, observation([key: json(value)]))
        #expect(found.contains { $0.contains(reason) }, "at \(path) expected '\(reason)', got \(found)")
    }

    @Test func aBearingFromTheObserverNeedsTheObserver() {
        #expect(reasons(at: "observer", observation(["observer": .null])).first?.contains("required") == true)
    }

    @Test func missingRequiredFieldsAreNamed() {
        let paths = Set(errors(json("{}")).map(\.path))
        #expect(paths == ["id", "kind", "observed_at", "modality", "location"])
    }

    @Test func timesKeepRoundedMillisecondsBothWays() throws {
        let text = #"{"id":"7d0b4c64-3a0b-4c6e-9a51-2c6f1f3f9b11","kind":"tracer","observed_at":"2021-03-01T21:30:00.0009Z","modality":"saw","location":{"lat":1,"lon":2}}"#
        let parsed = try parser.parse(json(text))
        #expect(Timestamp.format(parsed.observedAt) == "2021-03-01T21:30:00.001Z")
        #expect(try parser.parse(parsed.jsonValue).observedAt == parsed.observedAt)
        let whole = try parser.parse(json(text.replacingOccurrences(of: "00.0009Z", with: "00.000Z")))
        #expect(whole.contentDigest != parsed.contentDigest)
        #expect(Timestamp.format(Timestamp.parse("1969-12-31T23:59:59.999Z")!) == "1969-12-31T23:59:59.999Z")
    }

    @Test func aNonObjectIsRefused() {
        #expect(errors(json("[1, 2]")).first?.reason.contains("must be an object") == true)
    }
}
