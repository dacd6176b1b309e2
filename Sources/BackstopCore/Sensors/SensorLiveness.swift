import Foundation

/// Whether a sensor is reporting: when it was last heard from, and the periods it was silent
/// for longer than its limit (`Sensor.silenceLimitSeconds`). A period of silence begins at the
/// limit after the last report and ends at the next report; one still open is the current one.
public struct SensorLiveness: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable, CaseIterable {
        /// Registered and never heard from.
        case unknown
        case up, down
    }

    public struct Silence: Sendable, Hashable, Codable {
        public var from: Date
        /// Nil while it lasts.
        public var to: Date?

        public init(from: Date, to: Date?) {
            self.from = from
            self.to = to
        }
    }

    public var lastSeen: Date?
    /// The report (or, for a sensor never heard from, the registration) after which a silence
    /// was announced: each silence is announced once, even if the sensor's interval changes
    /// while it lasts (which moves where the silence is counted from).
    public var alertedAfter: Date?
    /// Closed periods of silence, oldest first (the open one is derived from `lastSeen`).
    public var silences: [Silence]

    /// Silences older than this are forgotten.
    public static let keptDays = 400.0

    public init(lastSeen: Date? = nil, silences: [Silence] = []) {
        self.lastSeen = lastSeen
        self.silences = silences
    }

    public func state(of sensor: Sensor, at now: Date) -> State {
        guard let lastSeen else { return .unknown }
        return now.timeIntervalSince(lastSeen) > sensor.silenceLimitSeconds ? .down : .up
    }

    /// The sensor reported at `time` (a heartbeat or a record): a silence it broke is closed.
    /// A report older than the last one changes nothing.
    public mutating func seen(_ sensor: Sensor, at time: Date) {
        if let lastSeen {
            guard time > lastSeen else { return }
            let silentFrom = lastSeen.addingTimeInterval(sensor.silenceLimitSeconds)
            if time > silentFrom { silences.append(Silence(from: silentFrom, to: time)) }
        }
        lastSeen = time
        let horizon = time.addingTimeInterval(-Self.keptDays * 86_400)
        silences.removeAll { ($0.to ?? time) < horizon }
    }

    /// Every silence, the open one included (ending at `now`), as stored and derived; a sensor
    /// never heard from is silent from its registration.
    public func silences(of sensor: Sensor, at now: Date) -> [Silence] {
        guard let lastSeen else { return now > sensor.registeredAt ? [Silence(from: sensor.registeredAt, to: nil)] : [] }
        let silentFrom = lastSeen.addingTimeInterval(sensor.silenceLimitSeconds)
        return silences + (now > silentFrom ? [Silence(from: silentFrom, to: nil)] : [])
    }

    /// The start of the current silence when no alert was raised for it yet; nil when the
    /// sensor is reporting (or was never heard from: it is silent from its registration, and
    /// that is announced as well).
    public func silenceToAnnounce(of sensor: Sensor, at now: Date) -> Date? {
        guard let open = silences(of: sensor, at: now).last, open.to == nil, (lastSeen ?? sensor.registeredAt) != alertedAfter else { return nil }
        // A sensor never heard from is silent from its registration, but its limit still applies.
        guard lastSeen != nil || now.timeIntervalSince(sensor.registeredAt) > sensor.silenceLimitSeconds else { return nil }
        return open.from
    }

    /// How long the sensor was silent within the period (seconds), by the time `now`.
    public func silentSeconds(of sensor: Sensor, within period: ReportPeriod, at now: Date) -> Double {
        silences(of: sensor, at: now).reduce(0) { total, silence in
            let from = max(silence.from, period.start), to = min(silence.to ?? now, period.end)
            return total + max(0, to.timeIntervalSince(from))
        }
    }
}
