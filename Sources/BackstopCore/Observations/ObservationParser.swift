import BackstopGeo
import Foundation

/// Reads an observation from JSON, reporting every offending field with its path and reason.
public struct ObservationParser: Sendable {
    /// Observations time-stamped further ahead of the server clock than this are refused.
    public static let allowedClockSkew: TimeInterval = 10 * 60

    public var catalogue: WeaponCatalogue

    public init(catalogue: WeaponCatalogue = .standard) {
        self.catalogue = catalogue
    }

    /// Parses one observation. `now`, when given, refuses observations from the future.
    public func parse(_ value: JSONValue, path: FieldPath = FieldPath(), now: Date? = nil) throws(ValidationFailure) -> Observation {
        let sink = ErrorSink()
        let observation = read(value, path: path, sink: sink, now: now)
        try sink.check()
        guard let observation else { throw ValidationFailure([FieldError(path: path.description, reason: "is not a valid observation")]) }
        return observation
    }

    /// Reads into `sink`; returns nil when any field was refused.
    public func read(_ value: JSONValue, path: FieldPath, sink: ErrorSink, now: Date?) -> Observation? {
        guard let object = ObjectReader(value, path: path, sink: sink) else { return nil }
        return read(object, now: now)
    }

    /// Reads the object `object` reads into its sink; returns nil when any field was refused.
    public func read(_ object: ObjectReader, now: Date?) -> Observation? {
        let path = object.path, sink = object.sink
        let errorsBefore = sink.errors.count

        let id = object.uuid("id", required: true)
        let kind = object.choice("kind", ObservationKind.self, required: true)
        let subkind = readSubkind(object, kind: kind)
        let count = object.int("count", rule: .within(1...100_000, unit: "")) ?? 1
        // Kept to the millisecond, as stored: the record held in memory after intake is then
        // the record read back from the store, and fusion sees the same times either way.
        let observedAt = object.timestamp("observed_at", required: true).map(Timestamp.normalised)
        let observedUntil = object.timestamp("observed_until").map(Timestamp.normalised)
        if let observedAt, let observedUntil, observedUntil < observedAt {
            sink.add(path.key("observed_until"), "is before observed_at")
        }
        for (key, time) in [("observed_at", observedAt), ("observed_until", observedUntil)] {
            if let now, let time, time > now.addingTimeInterval(Self.allowedClockSkew) {
                sink.add(path.key(key), "is in the future (\(Timestamp.format(time)) is after the server's \(Timestamp.format(now)))")
            }
        }
        let timePrecision = object.choice("time_precision", TimePrecision.self, noun: "time precision")
        let modality = object.choice("modality", Modality.self, required: true)
        let observer = object.object("observer").flatMap(readObserver)
        let location = readLocation(object, hasObserver: observer != nil || object.has("observer"))
        let direction = object.choice("direction", FireDirection.self)
        let flight = object.object("flight").flatMap(readFlight)
        let weapon = object.object("weapon").flatMap(readWeapon)
        let liveFireTraining = object.bool("live_fire_training") ?? false
        let casualties = object.object("casualties").flatMap(readCasualties)
        let grading = object.object("grading").flatMap(readGrading)
        let notes = object.string("notes", maxLength: 10_000)
        object.finish(explanations: Self.serverFields)

        guard sink.errors.count == errorsBefore,
              let id, let kind, let observedAt, let modality, let location
        else {
            // Never refuse silently: a nil without a reason would read as "nothing to store".
            if sink.errors.count == errorsBefore { sink.add(path, "is not a valid observation") }
            return nil
        }
        return Observation(
            id: id, kind: kind, subkind: subkind, count: count, observedAt: observedAt,
            observedUntil: observedUntil, timePrecision: timePrecision, modality: modality,
            observer: observer, location: location, direction: direction, flight: flight,
            weapon: weapon, liveFireTraining: liveFireTraining, casualties: casualties,
            grading: grading, notes: notes
        )
    }

    /// Why a record may not carry what the server sets (made once, not for every record).
    private static let serverFields = [
        "reporter": "is taken from the authenticated identity and must not be sent",
        "resolved_location": "is computed by the server and must not be sent",
        "received_at": "is set by the server and must not be sent",
    ]
    private static let absoluteLocationFields = ["bearing_deg": "does not go with lat/lon: an absolute location has no bearing"]

    private func readSubkind(_ object: ObjectReader, kind: ObservationKind?) -> String? {
        guard let raw = object.string("subkind", maxLength: 64) else { return nil }
        if kind == .explosion {
            return ObjectReader.choice(raw, ExplosionSubkind.self, path: object.path.key("subkind"), sink: object.sink, noun: "explosion subkind")?.rawValue
        }
        return raw
    }

    private func readPoint(_ object: ObjectReader) -> GeoPoint? {
        let lat = object.double("lat", required: true, rule: .latitude)
        let lon = object.double("lon", required: true, rule: .longitude)
        guard let lat, let lon else { return nil }
        return GeoPoint(lat: lat, lon: lon)
    }

    private func readObserver(_ object: ObjectReader) -> ObserverPosition? {
        let point = readPoint(object)
        let accuracy = object.double("accuracy_m", rule: .within(0...100_000, unit: " m"))
        object.finish()
        return point.map { ObserverPosition(point: $0, accuracyMetres: accuracy) }
    }

    private func readDistanceBand(_ object: ObjectReader) -> DistanceBand? {
        let min = object.double("min", required: true, rule: .within(0...1_000, unit: " km"))
        let max = object.double("max", required: true, rule: .within(0...1_000, unit: " km"))
        object.finish()
        guard let min, let max else { return nil }
        if max < min {
            object.sink.add(object.path.key("max"), "must not be less than min (\(NumberRule.format(max)) < \(NumberRule.format(min)))")
            return nil
        }
        return DistanceBand(minKm: min, maxKm: max)
    }

    /// Every key of every location form (absolute, from the observer, from a place).
    static let locationKeys: Set<String> = ["lat", "lon", "accuracy_m", "bearing_deg", "bearing_error_deg", "distance_km", "place"]

    private func readLocation(_ parent: ObjectReader, hasObserver: Bool) -> ObservationLocation? {
        guard let object = parent.object("location", required: true) else { return nil }
        let forms = [
            object.has("lat") || object.has("lon") ? "lat/lon" : nil,
            object.has("place") ? "place" : nil,
        ].compactMap { $0 }
        if forms.count > 1 {
            parent.sink.add(object.path, "gives both lat/lon and place; use one form: absolute (lat, lon), relative to the observer (bearing_deg, distance_km) or relative to a place (place)")
            return nil
        }
        if object.has("lat") || object.has("lon") {
            let point = readPoint(object)
            let accuracy = object.double("accuracy_m", rule: .within(0...100_000, unit: " m"))
            object.finish(explanations: Self.absoluteLocationFields, absentIfNull: Self.locationKeys)
            return point.map { .absolute(point: $0, accuracyMetres: accuracy) }
        }
        let bearing = object.double("bearing_deg", rule: .bearing)
        let bearingError = object.double("bearing_error_deg", rule: .within(0...180, unit: " degrees"))
        let distance = object.object("distance_km").flatMap(readDistanceBand)
        if let place = object.string("place", maxLength: 200) {
            if object.has("bearing_error_deg") {
                parent.sink.add(object.path.key("bearing_error_deg"), "applies to a bearing from the observer, not from a place")
                return nil
            }
            if object.has("bearing_deg") && !object.has("distance_km") {
                parent.sink.add(object.path.key("distance_km"), "is required with bearing_deg: a direction from a place needs a distance")
                return nil
            }
            object.finish(absentIfNull: Self.locationKeys)
            if object.has("bearing_deg") && bearing == nil { return nil }
            if object.has("distance_km") && distance == nil { return nil }
            return .relativeToPlace(place: place, bearingDegrees: bearing, distance: distance)
        }
        object.finish(absentIfNull: Self.locationKeys)
        guard object.has("bearing_deg") else {
            parent.sink.add(object.path, "needs lat and lon, a bearing_deg from the observer, or a place")
            return nil
        }
        if !hasObserver {
            parent.sink.add(parent.path.key("observer"), "is required when the location is a bearing from the observer")
        }
        guard let bearing else { return nil }
        if object.has("distance_km") && distance == nil { return nil }
        return .relativeToObserver(BearingFix(bearingDegrees: bearing, bearingErrorDegrees: bearingError, distance: distance))
    }

    private func readFlight(_ object: ObjectReader) -> Flight? {
        let from = object.double("from_bearing_deg", rule: .bearing)
        let to = object.double("to_bearing_deg", rule: .bearing)
        object.finish()
        // `{}` (or both null) says no more than leaving flight out.
        guard from != nil || to != nil else { return nil }
        return Flight(fromBearingDegrees: from, toBearingDegrees: to)
    }

    private func readWeapon(_ object: ObjectReader) -> WeaponReport? {
        let model = object.string("model", maxLength: 100)
        var weaponClass = object.choice("class", WeaponClass.self, noun: "weapon class")
        var calibre = object.double("calibre_mm", rule: .within(1...1_000, unit: " mm"))
        let quantity = object.int("quantity", rule: .within(1...100_000, unit: ""))
        object.finish()
        if let model, let entry = catalogue.entry(forModel: model) {
            weaponClass = weaponClass ?? entry.weaponClass
            calibre = calibre ?? entry.calibreMillimetres
        }
        return WeaponReport(model: model, weaponClass: weaponClass, calibreMillimetres: calibre, quantity: quantity)
    }

    private func readCasualties(_ object: ObjectReader) -> Casualties? {
        let killed = object.int("killed", rule: .nonNegative) ?? 0
        let injured = object.int("injured", rule: .nonNegative) ?? 0
        let civilian = object.bool("civilian")
        object.finish()
        return Casualties(killed: killed, injured: injured, civilian: civilian)
    }

    private func readGrading(_ object: ObjectReader) -> AdmiraltyGrade? {
        let reliability = object.choice("source_reliability", SourceReliability.self, required: true, noun: "source reliability")
        let credibility: InformationCredibility?
        // Credibility is a digit; accept it as a number or a string.
        if let value = object.value("information_credibility", required: true) {
            let raw = value.intValue.map(String.init) ?? value.stringValue ?? value.typeName
            credibility = ObjectReader.choice(raw, InformationCredibility.self, path: object.path.key("information_credibility"), sink: object.sink, noun: "information credibility")
        } else {
            credibility = nil
        }
        object.finish()
        guard let reliability, let credibility else { return nil }
        return AdmiraltyGrade(reliability: reliability, credibility: credibility)
    }
}
