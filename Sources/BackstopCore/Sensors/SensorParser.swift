import Foundation

/// Reads a sensor's registration (JSON, snake_case), reporting every problem by its path. The
/// `version` it may name (the version this change makes, as for agreements and policies) is
/// checked by the store, in the transaction that saves it.
public enum SensorParser {
    public static let idPattern = #"^[a-z0-9][a-z0-9._-]{0,63}$"#
    static let longestIntervalSeconds = 7.0 * 86_400

    public static func parse(_ value: JSONValue, by actor: String, at time: Date) throws(ValidationFailure) -> (sensor: Sensor, version: Int?) {
        let sink = ErrorSink()
        guard let reader = ObjectReader(value, path: FieldPath(), sink: sink) else {
            throw ValidationFailure([FieldError(path: "", reason: "must be an object")])
        }
        let id = reader.string("id", required: true, maxLength: 64)
        if let id, id.range(of: idPattern, options: .regularExpression) == nil {
            sink.add(FieldPath().key("id"), "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        let kind = reader.choice("kind", Sensor.Kind.self, required: true, noun: "sensor kind")
        let name = reader.string("name", required: true, maxLength: 200)
        var position: Sensor.Position?
        if let place = reader.object("position", required: true) {
            let lat = place.double("lat", required: true, rule: .latitude)
            let lon = place.double("lon", required: true, rule: .longitude)
            let accuracy = place.double("accuracy_m", required: true, rule: .within(0...10_000, unit: " m"))
            place.finish()
            if let lat, let lon, let accuracy { position = Sensor.Position(lat: lat, lon: lon, accuracyM: accuracy) }
        }
        var fieldOfView: Sensor.FieldOfView?
        if let view = reader.object("field_of_view") {
            let from = view.double("from_degrees", required: true, rule: .within(0...360, unit: "°"))
            let to = view.double("to_degrees", required: true, rule: .within(0...360, unit: "°"))
            let range = view.double("range_km", required: true, rule: .within(0.01...100, unit: " km"))
            view.finish()
            if let from, let to, let range {
                if from == to { sink.add(FieldPath().key("field_of_view").key("to_degrees"), "must differ from from_degrees (a camera sees an arc, clockwise from from_degrees)") }
                fieldOfView = Sensor.FieldOfView(fromDegrees: from, toDegrees: to, rangeKm: range)
            }
        } else if kind == .camera {
            sink.add(FieldPath().key("field_of_view"), "is required for a camera: from_degrees, to_degrees (clockwise) and range_km")
        }
        let interval = reader.double("expected_interval_seconds", required: true, rule: .within(1...longestIntervalSeconds, unit: " s"))
        let responsible = reader.string("responsible", maxLength: 200)
        let token = reader.string("token", required: true, maxLength: 200)
        let version = reader.int("version", rule: .within(1...Double(Int32.max), unit: ""))
        reader.finish()
        try sink.check()
        let sensor = Sensor(id: id!, kind: kind!, name: name!, position: position!, fieldOfView: fieldOfView, expectedIntervalSeconds: interval!,
                            responsible: responsible, token: token!, version: version ?? 1, registeredAt: time, updatedAt: time, updatedBy: actor)
        return (sensor, version)
    }
}
