import BackstopCore
import Foundation

/// `truth.json`: the events, the records filed about each, the false reports, and who filed
/// every record (a server would know that from the token).
extension SimulationResult {
    public var truthJSON: JSONValue {
        .object([
            "agreement": .string(agreementID),
            "seed": .integer(Int(scenario.seed)),
            "start": .string(Timestamp.format(scenario.start)),
            "hours": .number(scenario.hours),
            "events": .array(events.map(\.jsonValue)),
            "false_reports": .array(falseReportIDs.map { .string($0.uuidString.lowercased()) }),
            "sensors": .array(sensors.map(\.jsonValue)),
            "reporters": .object(Dictionary(uniqueKeysWithValues: reporters.map { id, reporter in
                (id.uuidString.lowercased(), JSONValue.object(["reporter": .string(reporter.reporter), "team": reporter.team.map(JSONValue.string) ?? .null]))
            })),
        ])
    }

    /// One observation per line, as `POST /api/v1/observations` and `backstop import` take them.
    public var observationsNDJSON: Data {
        var data = Data()
        for observation in observations {
            data.append(observation.canonicalJSON)
            data.append(0x0A)
        }
        return data
    }
}

extension SimulatedSensor {
    var jsonValue: JSONValue {
        .object([
            "name": .string(name), "kind": .string(kind.rawValue), "lat": .number(point.lat), "lon": .number(point.lon),
            "bearing_noise_deg": .number(bearingNoiseDegrees),
            "outages": .array(outages.map { .object(["from": .string(Timestamp.format($0.start)), "to": .string(Timestamp.format($0.end))]) }),
        ])
    }

    init(json: JSONValue) throws(SimulationError) {
        guard let name = json["name"]?.stringValue, let kind = json["kind"]?.stringValue.flatMap(Sensor.Kind.init(rawValue:)),
              let lat = json["lat"]?.doubleValue, let lon = json["lon"]?.doubleValue, let noise = json["bearing_noise_deg"]?.doubleValue
        else { throw SimulationError("truth.json: a sensor is missing or malformed") }
        var outages: [DateInterval] = []
        for outage in json["outages"]?.arrayValue ?? [] {
            guard let from = outage["from"]?.stringValue.flatMap(Timestamp.parse), let to = outage["to"]?.stringValue.flatMap(Timestamp.parse), to >= from
            else { throw SimulationError("truth.json: an outage of sensor \(name) is malformed") }
            outages.append(DateInterval(start: from, end: to))
        }
        self.init(name: name, kind: kind, point: GeoPoint(lat: lat, lon: lon), bearingNoiseDegrees: noise, outages: outages)
    }
}

extension TruthEvent {
    var jsonValue: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "category": .string(category.rawValue), "kind": .string(kind.rawValue),
            "start": .string(Timestamp.format(start)), "end": .string(Timestamp.format(end)),
            "lat": .number(point.lat), "lon": .number(point.lon), "count": .integer(Int(count)),
            "live_fire_training": .bool(liveFireTraining),
            "findings": .array(findings.map { .object(["kind": .string($0.kind), "rule": .string($0.ruleID), "agreement": .string($0.agreementID)]) }),
            "observations": .array(observationIDs.map { .string($0.uuidString.lowercased()) }),
        ]
        if let direction { object["direction"] = .string(direction.rawValue) }
        if let weapon {
            object["weapon"] = .object([
                "class": weapon.weaponClass.map { .string($0.rawValue) } ?? .null,
                "model": weapon.model.map(JSONValue.string) ?? .null,
                "quantity": weapon.quantity.map { .integer(Int($0)) } ?? .null,
            ])
        }
        return .object(object)
    }
}

/// The parts of `truth.json` that evaluation needs.
public struct SimulationTruth: Sendable {
    public struct Event: Sendable {
        public var id: String
        public var category: String
        public var point: GeoPoint
        public var count: Int
        public var findings: [TruthFinding]
        public var observationIDs: [UUID]
    }

    public var agreementID: String
    public var events: [Event]
    public var falseReportIDs: Set<UUID>
    public var reporters: [UUID: SimulatedReporter]
    /// Bearing-only sensors by name (absent from files of older simulations).
    public var sensors: [String: SimulatedSensor]

    public init(json: JSONValue) throws(SimulationError) {
        func fail(_ path: String) -> SimulationError { SimulationError("truth.json: \(path) is missing or malformed") }
        guard let agreement = json["agreement"]?.stringValue else { throw fail("agreement") }
        agreementID = agreement
        guard let events = json["events"]?.arrayValue else { throw fail("events") }
        var parsed: [Event] = []
        for (index, event) in events.enumerated() {
            guard let id = event["id"]?.stringValue, let category = event["category"]?.stringValue,
                  let lat = event["lat"]?.doubleValue, let lon = event["lon"]?.doubleValue,
                  let findings = event["findings"]?.arrayValue, let observations = event["observations"]?.arrayValue
            else { throw fail("events[\(index)]") }
            parsed.append(Event(
                id: id, category: category, point: GeoPoint(lat: lat, lon: lon), count: event["count"]?.intValue ?? 1,
                findings: try findings.map { finding throws(SimulationError) in
                    guard let kind = finding["kind"]?.stringValue, let rule = finding["rule"]?.stringValue, let agreement = finding["agreement"]?.stringValue
                    else { throw fail("events[\(index)].findings") }
                    return TruthFinding(kind: kind, ruleID: rule, agreementID: agreement)
                },
                observationIDs: observations.compactMap { $0.stringValue.flatMap(UUID.init(uuidString:)) }
            ))
        }
        self.events = parsed
        falseReportIDs = Set((json["false_reports"]?.arrayValue ?? []).compactMap { $0.stringValue.flatMap(UUID.init(uuidString:)) })
        guard let reporters = json["reporters"]?.objectValue else { throw fail("reporters") }
        var byID: [UUID: SimulatedReporter] = [:]
        for (key, value) in reporters {
            guard let id = UUID(uuidString: key), let name = value["reporter"]?.stringValue else { throw fail("reporters.\(key)") }
            byID[id] = SimulatedReporter(reporter: name, team: value["team"]?.stringValue)
        }
        self.reporters = byID
        var sensors: [String: SimulatedSensor] = [:]
        for sensor in json["sensors"]?.arrayValue ?? [] {
            let parsed = try SimulatedSensor(json: sensor)
            sensors[parsed.name] = parsed
        }
        self.sensors = sensors
    }
}
