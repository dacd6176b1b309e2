import Foundation

/// What a registered sensor's registration says about its records and its place: accepted
/// either way, but said out loud, so an analyst can see a camera that was turned, a bearing
/// mistyped, or a sensor registered in the wrong place.
extension Sensor {
    /// Why a record from this sensor does not fit what it can see: a bearing outside a
    /// camera's field of view, or a distance beyond its reach. Nil when it fits (or the sensor
    /// has no field of view registered).
    public func viewProblem(of observation: Observation) -> String? {
        guard let view = fieldOfView, case .relativeToObserver(let fix) = observation.location else { return nil }
        let span = "\(NumberRule.format(view.fromDegrees))°–\(NumberRule.format(view.toDegrees))° out to \(NumberRule.format(view.rangeKm)) km"
        if !view.contains(bearing: fix.bearingDegrees) {
            return "bearing \(NumberRule.format(fix.bearingDegrees))° is outside the field of view of \(kind.rawValue) \(id) (\(span))"
        }
        if let distance = fix.distance, distance.minKm > view.rangeKm {
            return "distance \(NumberRule.format(distance.minKm))–\(NumberRule.format(distance.maxKm)) km is beyond the field of view of \(kind.rawValue) \(id) (\(span))"
        }
        return nil
    }

    /// Warnings about the registration itself: a sensor standing outside every area of
    /// operations sees nothing any agreement covers.
    public func registrationWarnings(areas: [AreaOfOperations]) -> [String] {
        let point = GeoPoint(lat: position.lat, lon: position.lon)
        guard !areas.isEmpty, !areas.contains(where: { $0.contains(point) }) else { return [] }
        return ["position \(NumberRule.format(position.lat)), \(NumberRule.format(position.lon)) is outside every area of operations (\(areas.map(\.name).joined(separator: ", "))): check it; its records will be checked against no agreement"]
    }
}

extension LocationResolution {
    /// The same resolution with a flag an analyst should see, kept with the record.
    public func flagged(_ note: String?) -> LocationResolution {
        guard let note else { return self }
        switch self {
        case .resolved(var location):
            location.detail = [location.detail, "flagged: \(note)"].compactMap { $0 }.joined(separator: "; ")
            return .resolved(location)
        case .unresolved(let reason):
            return .unresolved(reason: "\(reason); flagged: \(note)")
        }
    }
}

extension Alert {
    /// The alert for a sensor's silence that began at `from`, raised at `now`: for the mission
    /// only, once per silence (its id follows the sensor and the report the silence followed).
    public static func sensorSilent(_ sensor: Sensor, lastSeen: Date?, from: Date, at now: Date) -> Alert {
        let minutes = NumberRule.format((sensor.expectedIntervalSeconds / 60 * 10).rounded() / 10)
        let since = lastSeen.map { "has not reported since \(Timestamp.format($0))" } ?? "has not reported since it was registered (\(Timestamp.format(sensor.registeredAt)))"
        var alert = Alert(
            id: id(policy: "sensors", sector: sensor.id, request: nil, kind: .sensorSilent, from: nil, to: nil, at: lastSeen ?? sensor.registeredAt),
            kind: .sensorSilent, policyId: "sensors", policyVersion: sensor.version,
            reasons: ["\(sensor.name) (\(sensor.kind.rawValue) \(sensor.id)) \(since); it reports every \(minutes) min, so it is counted silent from \(Timestamp.format(from))"
                      + (sensor.responsible.map { "; responsible: \($0)" } ?? "")],
            raisedAt: now, exercise: false, release: .internal,
            area: .circle(lat: sensor.position.lat, lon: sensor.position.lon, radiusKm: sensor.fieldOfView?.rangeKm ?? 1))
        alert.sensorId = sensor.id
        return alert
    }
}
