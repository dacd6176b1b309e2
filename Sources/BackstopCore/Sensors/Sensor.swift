import Foundation

/// A fixed camera, acoustic sensor, radar or UAV of the mission: where it stands, what it can
/// see, how often it is expected to report, who answers for it, and the token it reports with.
public struct Sensor: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case camera, acoustic, radar, uav, other
    }

    public struct Position: Sendable, Hashable, Codable {
        public var lat: Double
        public var lon: Double
        public var accuracyM: Double

        public init(lat: Double, lon: Double, accuracyM: Double) {
            self.lat = lat
            self.lon = lon
            self.accuracyM = accuracyM
        }
    }

    /// What a camera sees: bearings from `fromDegrees` clockwise to `toDegrees` (0–360; across
    /// north when `from` > `to`), out to `rangeKm`.
    public struct FieldOfView: Sendable, Hashable, Codable {
        public var fromDegrees: Double
        public var toDegrees: Double
        public var rangeKm: Double

        public init(fromDegrees: Double, toDegrees: Double, rangeKm: Double) {
            self.fromDegrees = fromDegrees
            self.toDegrees = toDegrees
            self.rangeKm = rangeKm
        }

        /// Degrees of arc covered.
        public var widthDegrees: Double {
            let width = (toDegrees - fromDegrees).truncatingRemainder(dividingBy: 360)
            return width <= 0 ? width + 360 : width
        }

        public func contains(bearing: Double) -> Bool {
            let offset = (bearing - fromDegrees).truncatingRemainder(dividingBy: 360)
            return (offset < 0 ? offset + 360 : offset) <= widthDegrees
        }
    }

    public var id: String
    public var kind: Kind
    public var name: String
    public var position: Position
    public var fieldOfView: FieldOfView?
    /// How often it reports (a heartbeat or a detection) when it works.
    public var expectedIntervalSeconds: Double
    /// The team or operator who answers for it.
    public var responsible: String?
    /// The name of the access token it reports with.
    public var token: String
    /// Grows with every change; a change names the version it read.
    public var version: Int
    /// When it was first registered: a sensor never heard from is silent from then on.
    public var registeredAt: Date
    public var updatedAt: Date
    public var updatedBy: String

    public init(id: String, kind: Kind, name: String, position: Position, fieldOfView: FieldOfView?, expectedIntervalSeconds: Double,
                responsible: String?, token: String, version: Int, registeredAt: Date, updatedAt: Date, updatedBy: String) {
        self.id = id
        self.kind = kind
        self.name = name
        self.position = position
        self.fieldOfView = fieldOfView
        self.expectedIntervalSeconds = expectedIntervalSeconds
        self.responsible = responsible
        self.token = token
        self.version = version
        self.registeredAt = registeredAt
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }

    /// A sensor silent for longer than this many expected intervals is down.
    public static let missedIntervals = 2.0

    public var silenceLimitSeconds: Double { expectedIntervalSeconds * Self.missedIntervals }
}
