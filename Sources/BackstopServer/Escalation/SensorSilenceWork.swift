import BackstopCore
import BackstopStore
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Raises a `sensor_silent` alert through the escalation channel (the alerts list, CAP, the
/// Atom feed and the subscriptions that want `alert.sensor_silent`) when a registered sensor
/// has been silent past its limit; once per silence, on one node at a time (the
/// `sensor-silence` lease). The alert, its audit entry, its outbox message and the note that
/// this silence was announced are written in one fenced transaction, so a node taking the
/// work over announces nothing twice.
struct SensorSilenceWork: Service {
    static let lease = "sensor-silence"

    let store: any BackstopStore
    let node: String
    let leaseDuration: Double
    let interval: Duration
    let now: @Sendable () -> Date
    let logger = Logger(label: "backstop.sensors")

    func run() async throws {
        await LeasedLoop.run(every: interval, lease: Self.lease, holder: node, store: store, logger: logger,
                             failure: "sensor silence check failed") { try await tick() }
    }

    /// One pass; returns the alerts raised.
    @discardableResult
    func tick() async throws -> [Alert] {
        let time = now()
        let due = try await store.sensors().filter { $0.liveness.silenceToAnnounce(of: $0.sensor, at: time) != nil }
        guard !due.isEmpty, try await store.claimLease(Self.lease, holder: node, duration: leaseDuration) != nil else { return [] }
        var raised: [Alert] = []
        for stored in due {
            let (sensorKey, livenessKey) = (EscalationKey(.sensor, stored.sensor.id), EscalationKey(.sensorLiveness, stored.sensor.id))
            let actor = "sensor watch (\(node))"
            let written = try await store.changeEscalation([sensorKey, livenessKey], fence: WorkFence(lease: Self.lease, holder: node)) { current in
                // Decided again on the records as they are in the transaction: a report that
                // arrived meanwhile ended the silence.
                guard let sensor = try current[sensorKey]?.decode(Sensor.self) else { return EscalationWrite() }
                var liveness = try current[livenessKey]?.decode(SensorLiveness.self) ?? SensorLiveness()
                guard let from = liveness.silenceToAnnounce(of: sensor, at: time) else { return EscalationWrite() }
                liveness.alertedAfter = liveness.lastSeen ?? sensor.registeredAt
                var write = EscalationWrite()
                try write.put(.sensorLiveness, sensor.id, liveness)
                try write.raise(Alert.sensorSilent(sensor, lastSeen: liveness.lastSeen, from: from, at: time), actor: actor, releases: [:], now: time)
                return write
            }
            guard let written else { return raised }   // the lease was lost
            for record in written where record.key.kind == .alert {
                guard let alert = try? record.decode(Alert.self) else { continue }
                Counter(label: "backstop_alerts_total", dimensions: [("kind", alert.kind.rawValue)]).increment()
                logger.notice("alert", metadata: ["alert": "\(alert.id)", "headline": "\(alert.headline)"])
                raised.append(alert)
            }
        }
        return raised
    }
}
