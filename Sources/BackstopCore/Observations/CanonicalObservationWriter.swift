import BackstopGeo
import Foundation

/// Writes an observation's canonical JSON straight from its fields: the bytes
/// `jsonValue.canonicalData()` writes (keys in the order of their UTF-8 bytes, numbers and
/// strings written as `SortedKeysJSONWriter` writes them), without building the `JSONValue`
/// and sorting its keys. Every record on the intake is written so (its digest is the SHA-256 of
/// these bytes), and the tree took a tenth of the intake's time. `CanonicalObservationWriterTests`
/// holds the two to the same bytes; a field added to `jsonValue` must be added here in its
/// place in the order.
enum CanonicalObservationWriter {
    /// False (with `output` partly written) for a number that is not finite: the caller then
    /// writes the tree, as before.
    static func write(_ observation: Observation, to output: inout [UInt8]) -> Bool {
        var object = OrderedObjectWriter(output: output)
        defer { output = object.output }
        // Top-level keys in order: casualties, count, direction, flight, grading, id, kind,
        // live_fire_training, location, modality, notes, observed_at, observed_until, observer,
        // subkind, time_precision, weapon.
        object.open()
        if let casualties = observation.casualties {
            object.key("casualties")
            object.open()
            if let civilian = casualties.civilian { object.key("civilian"); object.bool(civilian) }
            object.key("injured"); object.integer(casualties.injured)
            object.key("killed"); object.integer(casualties.killed)
            object.close()
        }
        object.key("count"); object.integer(observation.count)
        if let direction = observation.direction { object.key("direction"); object.string(direction.rawValue) }
        if let flight = observation.flight {
            object.key("flight")
            object.open()
            if let from = flight.fromBearingDegrees { object.key("from_bearing_deg"); guard object.number(from) else { return false } }
            if let to = flight.toBearingDegrees { object.key("to_bearing_deg"); guard object.number(to) else { return false } }
            object.close()
        }
        if let grade = observation.grading {
            object.key("grading")
            object.open()
            object.key("information_credibility"); object.integer(Int(grade.credibility.rawValue) ?? 6)
            object.key("source_reliability"); object.string(grade.reliability.rawValue)
            object.close()
        }
        object.key("id"); object.id(observation.id)
        object.key("kind"); object.string(observation.kind.rawValue)
        object.key("live_fire_training"); object.bool(observation.liveFireTraining)
        object.key("location")
        guard location(observation.location, to: &object) else { return false }
        object.key("modality"); object.string(observation.modality.rawValue)
        if let notes = observation.notes { object.key("notes"); object.string(notes) }
        object.key("observed_at"); object.string(Timestamp.format(observation.observedAt))
        if let until = observation.observedUntil { object.key("observed_until"); object.string(Timestamp.format(until)) }
        if let observer = observation.observer {
            object.key("observer")
            object.open()
            if let accuracy = observer.accuracyMetres { object.key("accuracy_m"); guard object.number(accuracy) else { return false } }
            guard point(observer.point, to: &object) else { return false }
            object.close()
        }
        if let subkind = observation.subkind { object.key("subkind"); object.string(subkind) }
        if let precision = observation.timePrecision { object.key("time_precision"); object.string(precision.rawValue) }
        if let weapon = observation.weapon {
            object.key("weapon")
            object.open()
            if let calibre = weapon.calibreMillimetres { object.key("calibre_mm"); guard object.number(calibre) else { return false } }
            if let weaponClass = weapon.weaponClass { object.key("class"); object.string(weaponClass.rawValue) }
            if let model = weapon.model { object.key("model"); object.string(model) }
            if let quantity = weapon.quantity { object.key("quantity"); object.integer(quantity) }
            object.close()
        }
        object.close()
        return true
    }

    /// The members of `pointObject`: lat, lon.
    private static func point(_ point: GeoPoint, to object: inout OrderedObjectWriter) -> Bool {
        object.key("lat")
        guard object.number(point.lat) else { return false }
        object.key("lon")
        return object.number(point.lon)
    }

    private static func location(_ location: ObservationLocation, to object: inout OrderedObjectWriter) -> Bool {
        object.open()
        switch location {
        case .absolute(let position, let accuracy):
            if let accuracy { object.key("accuracy_m"); guard object.number(accuracy) else { return false } }
            guard point(position, to: &object) else { return false }
        case .relativeToObserver(let fix):
            object.key("bearing_deg")
            guard object.number(fix.bearingDegrees) else { return false }
            if let error = fix.bearingErrorDegrees { object.key("bearing_error_deg"); guard object.number(error) else { return false } }
            if let distance = fix.distance { object.key("distance_km"); guard band(distance, to: &object) else { return false } }
        case .relativeToPlace(let place, let bearing, let distance):
            if let bearing { object.key("bearing_deg"); guard object.number(bearing) else { return false } }
            if let distance { object.key("distance_km"); guard band(distance, to: &object) else { return false } }
            object.key("place"); object.string(place)
        }
        object.close()
        return true
    }

    /// `DistanceBand.jsonValue`: max, min.
    private static func band(_ band: DistanceBand, to object: inout OrderedObjectWriter) -> Bool {
        object.open()
        object.key("max")
        guard object.number(band.maxKm) else { return false }
        object.key("min")
        guard object.number(band.minKm) else { return false }
        object.close()
        return true
    }
}
