import BackstopCore
import BackstopStore
import Foundation
import HTTPTypes
import Hummingbird

/// The sensor registry: admins and supervisors register and change sensors (versioned and
/// audited); the mission's staff list them with whether each is reporting; a sensor's own
/// token sends its heartbeat, as its detections also count.
struct SensorsController: Sendable {
    let store: any BackstopStore
    let now: @Sendable () -> Date
    let resolvers: LocationResolverCache
    let bodyLimit = 64 * 1024

    /// A sensor as shown: its registration, whether it is reporting, and its recent silences.
    struct SensorView: Encodable, Sendable {
        struct Status: Encodable, Sendable {
            var state: SensorLiveness.State
            var lastSeen: Date?
            /// The newest silences first (at most 20), the current one without an end.
            var silences: [SensorLiveness.Silence]
        }

        var sensor: Sensor
        var status: Status
        /// What looks wrong with the registration (a position outside every area of operations).
        var warnings: [String]

        init(_ stored: StoredSensor, at time: Date, areas: [AreaOfOperations]) {
            sensor = stored.sensor
            warnings = stored.sensor.registrationWarnings(areas: areas)
            status = Status(state: stored.liveness.state(of: stored.sensor, at: time), lastSeen: stored.liveness.lastSeen,
                            silences: Array(stored.liveness.silences(of: stored.sensor, at: time).reversed().prefix(20)))
        }

        func encode(to encoder: any Encoder) throws {
            try sensor.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(status, forKey: .status)
            try container.encode(warnings, forKey: .warnings)
        }

        enum Keys: String, CodingKey { case status, warnings }
    }

    struct SensorList: Encodable, Sendable {
        var sensors: [SensorView]
    }

    func register(with routes: RouteRegistrar) {
        routes.add(.registerSensor) { request, _, identity in try await save(request, identity: identity!) }
        routes.add(.listSensors) { request, _, _ in try await list(request) }
        routes.add(.getSensor) { _, context, _ in try await get(context) }
        routes.add(.sensorHeartbeat) { _, context, identity in try await heartbeat(context, identity: identity!) }
    }

    func save(_ request: Request, identity: Identity) async throws -> Response {
        let body = try await RequestBody.json(request, limit: bodyLimit)
        let time = now()
        let (sensor, version) = try SensorParser.parse(body, by: identity.name, at: time)
        let existed = try await store.sensor(id: sensor.id) != nil
        let saved = try await store.saveSensor(sensor, version: version, audit: AuditDraft(
            actor: identity.name, action: existed ? "sensor.changed" : "sensor.registered", subject: "sensor/\(sensor.id)",
            body: (try? JSONValue.parse(EscalationJSON.data(sensor))) ?? .object([:])))
        let stored = try await store.sensor(id: saved.id) ?? StoredSensor(sensor: saved, liveness: SensorLiveness())
        return try EscalationResponse.make(status: saved.version == 1 ? .created : .ok, SensorView(stored, at: time, areas: try await areas()),
                                           headers: [.location: "/api/v1/sensors/\(saved.id)", .eTag: "\"\(saved.version)\""])
    }

    func list(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listSensors.queryParameters)
        var states: Set<SensorLiveness.State> = []
        for raw in parameters.values("status") {
            if let state = SensorLiveness.State(rawValue: raw) { states.insert(state) } else {
                parameters.fail("status", "unknown status '\(raw)'; expected one of: \(SensorLiveness.State.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        var kinds: Set<Sensor.Kind> = []
        for raw in parameters.values("kind") {
            if let kind = Sensor.Kind(rawValue: raw) { kinds.insert(kind) } else {
                parameters.fail("kind", "unknown sensor kind '\(raw)'; expected one of: \(Sensor.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
        }
        try parameters.check()
        let time = now()
        let areas = try await areas()
        let views = try await store.sensors().map { SensorView($0, at: time, areas: areas) }.filter { view in
            (states.isEmpty || states.contains(view.status.state)) && (kinds.isEmpty || kinds.contains(view.sensor.kind))
        }
        return try EscalationResponse.make(SensorList(sensors: views))
    }

    func get(_ context: AppRequestContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let stored = try await store.sensor(id: id) else { throw APIError.notFound("no sensor '\(id)'") }
        return try EscalationResponse.make(SensorView(stored, at: now(), areas: try await areas()), headers: [.eTag: "\"\(stored.sensor.version)\""])
    }

    /// The areas of operations of the agreements in force, as intake knows them.
    private func areas() async throws -> [AreaOfOperations] {
        try await resolvers.resolver().places?.areas ?? []
    }

    /// Tiny and cheap: no body, an answer of a few fields. Only the sensor's own token (or an admin's).
    func heartbeat(_ context: AppRequestContext, identity: Identity) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        guard let registered = try await store.sensor(id: id) else { throw APIError.notFound("no sensor '\(id)'") }
        guard identity.role == .admin || registered.sensor.token == identity.name else {
            throw APIError(.forbidden, code: "not_this_sensor", message: "sensor \(id) reports with token '\(registered.sensor.token)', not '\(identity.name)'")
        }
        let time = now()
        guard let stored = try await store.sensorSeen(id: id, at: time) else { throw APIError.notFound("no sensor '\(id)'") }
        return try EscalationResponse.make(SensorView.Status(state: stored.liveness.state(of: stored.sensor, at: time), lastSeen: stored.liveness.lastSeen,
                                                             silences: []))
    }
}
