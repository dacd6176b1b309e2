import BackstopGeo
import Foundation

extension Observation {
    /// The observation as JSON in the intake format; `ObservationParser` reads it back unchanged.
    public var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id.uuidString.lowercased()),
            "kind": .string(kind.rawValue),
            "count": .integer(Int(count)),
            "observed_at": .string(Timestamp.format(observedAt)),
            "modality": .string(modality.rawValue),
            "location": location.jsonValue,
            "live_fire_training": .bool(liveFireTraining),
        ]
        object["subkind"] = subkind.map(JSONValue.string)
        object["observed_until"] = observedUntil.map { .string(Timestamp.format($0)) }
        object["time_precision"] = timePrecision.map { .string($0.rawValue) }
        object["observer"] = observer.map { observer in
            .object(pointObject(observer.point).merging(["accuracy_m": observer.accuracyMetres.map(JSONValue.number)].compactMapValues { $0 }) { a, _ in a })
        }
        object["direction"] = direction.map { .string($0.rawValue) }
        object["flight"] = flight.map { flight in
            .object([
                "from_bearing_deg": flight.fromBearingDegrees.map(JSONValue.number),
                "to_bearing_deg": flight.toBearingDegrees.map(JSONValue.number),
            ].compactMapValues { $0 })
        }
        object["weapon"] = weapon.map { weapon in
            .object([
                "model": weapon.model.map(JSONValue.string),
                "class": weapon.weaponClass.map { .string($0.rawValue) },
                "calibre_mm": weapon.calibreMillimetres.map(JSONValue.number),
                "quantity": weapon.quantity.map { .integer(Int($0)) },
            ].compactMapValues { $0 })
        }
        object["casualties"] = casualties.map { casualties in
            .object([
                "killed": .integer(Int(casualties.killed)),
                "injured": .integer(Int(casualties.injured)),
                "civilian": casualties.civilian.map(JSONValue.bool),
            ].compactMapValues { $0 })
        }
        object["grading"] = grading.map { grade in
            .object([
                "source_reliability": .string(grade.reliability.rawValue),
                "information_credibility": .integer(Int(grade.credibility.rawValue) ?? 6),
            ])
        }
        object["notes"] = notes.map(JSONValue.string)
        return .object(object)
    }
}

func pointObject(_ point: GeoPoint) -> [String: JSONValue] {
    ["lat": .number(point.lat), "lon": .number(point.lon)]
}

extension DistanceBand {
    var jsonValue: JSONValue { .object(["min": .number(minKm), "max": .number(maxKm)]) }
}

extension ObservationLocation {
    public var jsonValue: JSONValue {
        switch self {
        case .absolute(let point, let accuracy):
            var object = pointObject(point)
            object["accuracy_m"] = accuracy.map(JSONValue.number)
            return .object(object)
        case .relativeToObserver(let fix):
            return .object([
                "bearing_deg": .number(fix.bearingDegrees),
                "bearing_error_deg": fix.bearingErrorDegrees.map(JSONValue.number),
                "distance_km": fix.distance?.jsonValue,
            ].compactMapValues { $0 })
        case .relativeToPlace(let place, let bearing, let distance):
            return .object([
                "place": .string(place),
                "bearing_deg": bearing.map(JSONValue.number),
                "distance_km": distance?.jsonValue,
            ].compactMapValues { $0 })
        }
    }
}
