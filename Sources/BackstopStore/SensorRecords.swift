import BackstopCore
import Foundation

/// A registered sensor with when it last reported and when it was silent.
public struct StoredSensor: Sendable, Hashable {
    public var sensor: Sensor
    public var liveness: SensorLiveness

    public init(sensor: Sensor, liveness: SensorLiveness) {
        self.sensor = sensor
        self.liveness = liveness
    }
}

/// The sensors capability: the registry (each change versioned and audited in its own
/// transaction) and each sensor's liveness. Stored as documents beside escalation's, so every
/// store that keeps those keeps these.
public protocol SensorRecords: Sendable {
    /// Every registered sensor, by id.
    func sensors() async throws -> [StoredSensor]
    func sensor(id: String) async throws -> StoredSensor?
    /// Registers or changes a sensor, as agreements and policies are saved: `version`, when
    /// given, must be the one this write makes (the stored one + 1, 1 for a new sensor), else
    /// `StoreError.staleVersion`. Its registration time stays the first one.
    func saveSensor(_ sensor: Sensor, version: Int?, audit: AuditDraft) async throws -> Sensor
    /// The sensor reported at `time` (a heartbeat or a record); nil when no sensor has that id.
    func sensorSeen(id: String, at time: Date) async throws -> StoredSensor?
}

extension SensorRecords where Self: EscalationRecords {
    public func sensors() async throws -> [StoredSensor] {
        let sensors = try await escalationRecords(.sensor, ids: nil).map { try $0.decode(Sensor.self) }
        let liveness = try await escalationRecords(.sensorLiveness, ids: nil)
        var seen: [String: SensorLiveness] = [:]
        for record in liveness { seen[record.key.id] = try record.decode(SensorLiveness.self) }
        return sensors.map { StoredSensor(sensor: $0, liveness: seen[$0.id] ?? SensorLiveness()) }.sorted { $0.sensor.id < $1.sensor.id }
    }

    public func sensor(id: String) async throws -> StoredSensor? {
        guard let sensor = try await escalationRecords(.sensor, ids: [id]).first?.decode(Sensor.self) else { return nil }
        let liveness = try await escalationRecords(.sensorLiveness, ids: [id]).first?.decode(SensorLiveness.self)
        return StoredSensor(sensor: sensor, liveness: liveness ?? SensorLiveness())
    }

    public func saveSensor(_ sensor: Sensor, version: Int?, audit: AuditDraft) async throws -> Sensor {
        let key = EscalationKey(.sensor, sensor.id)
        let saved = Decided<Sensor>()
        _ = try await changeEscalation([key], fence: nil) { current in
            let stored = try current[key]?.decode(Sensor.self)
            guard version == nil || version == (stored?.version ?? 0) + 1 else {
                throw StoreError.staleVersion(what: "sensor \(sensor.id)", current: stored?.version ?? 0)
            }
            var next = sensor
            next.version = (stored?.version ?? 0) + 1
            next.registeredAt = stored?.registeredAt ?? sensor.registeredAt
            var write = EscalationWrite(audit: [audit])
            try write.put(.sensor, sensor.id, next)
            saved.set(next)
            return write
        }
        return saved.get()!
    }

    public func sensorSeen(id: String, at time: Date) async throws -> StoredSensor? {
        let (sensorKey, livenessKey) = (EscalationKey(.sensor, id), EscalationKey(.sensorLiveness, id))
        let result = Decided<StoredSensor>()
        _ = try await changeEscalation([sensorKey, livenessKey], fence: nil) { current in
            guard let sensor = try current[sensorKey]?.decode(Sensor.self) else { return EscalationWrite() }
            var liveness = try current[livenessKey]?.decode(SensorLiveness.self) ?? SensorLiveness()
            liveness.seen(sensor, at: time)
            var write = EscalationWrite()
            try write.put(.sensorLiveness, id, liveness)
            result.set(StoredSensor(sensor: sensor, liveness: liveness))
            return write
        }
        return result.get()
    }
}
