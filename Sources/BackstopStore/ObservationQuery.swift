import BackstopCore
import BackstopGeo
import Foundation

/// A rectangle in longitude/latitude, as `minLon,minLat,maxLon,maxLat`.
public struct BoundingBox: Sendable, Hashable {
    public var minLon: Double
    public var minLat: Double
    public var maxLon: Double
    public var maxLat: Double

    public init(minLon: Double, minLat: Double, maxLon: Double, maxLat: Double) {
        self.minLon = minLon
        self.minLat = minLat
        self.maxLon = maxLon
        self.maxLat = maxLat
    }

    public func contains(_ point: GeoPoint) -> Bool {
        (minLat...maxLat).contains(point.lat) && (minLon...maxLon).contains(point.lon)
    }

    /// Parses `minLon,minLat,maxLon,maxLat`; the error names what is wrong.
    public static func parse(_ text: String) -> Result<BoundingBox, FieldError> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let minLon = parts[0], let minLat = parts[1], let maxLon = parts[2], let maxLat = parts[3] else {
            return .failure(FieldError(path: "bbox", reason: "must be four numbers: minLon,minLat,maxLon,maxLat"))
        }
        guard (-180...180).contains(minLon), (-180...180).contains(maxLon), (-90...90).contains(minLat), (-90...90).contains(maxLat) else {
            return .failure(FieldError(path: "bbox", reason: "longitudes must be within ±180 and latitudes within ±90"))
        }
        guard minLon <= maxLon, minLat <= maxLat else {
            return .failure(FieldError(path: "bbox", reason: "the minimum must not exceed the maximum (minLon,minLat,maxLon,maxLat)"))
        }
        return .success(BoundingBox(minLon: minLon, minLat: minLat, maxLon: maxLon, maxLat: maxLat))
    }
}

/// Where a page of observations ends: the listing continues after (observed_at, id).
public struct ObservationCursor: Sendable, Hashable {
    public var observedAtMilliseconds: Int64
    public var id: UUID

    public init(observedAtMilliseconds: Int64, id: UUID) {
        self.observedAtMilliseconds = observedAtMilliseconds
        self.id = id
    }

    public init(after stored: StoredObservation) {
        self.init(observedAtMilliseconds: Timestamp.milliseconds(stored.observation.observedAt), id: stored.observation.id)
    }

    /// Opaque to clients: base64url of "v1|milliseconds|uuid".
    public var token: String {
        Base64URL.encode(Data("v1|\(observedAtMilliseconds)|\(id.uuidString.lowercased())".utf8))
    }

    public init?(token: String) {
        guard let data = Base64URL.decode(token), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: "|")
        guard parts.count == 3, parts[0] == "v1", let milliseconds = Int64(parts[1]), let id = UUID(uuidString: String(parts[2])) else { return nil }
        self.init(observedAtMilliseconds: milliseconds, id: id)
    }

    /// The order of listings: (observed_at, lowercase id text), the same in every store.
    public static func precedes(_ stored: StoredObservation, _ cursor: ObservationCursor) -> Bool {
        let milliseconds = Timestamp.milliseconds(stored.observation.observedAt)
        if milliseconds != cursor.observedAtMilliseconds { return milliseconds < cursor.observedAtMilliseconds }
        return stored.observation.id.uuidString.lowercased() <= cursor.id.uuidString.lowercased()
    }
}

public struct ObservationQuery: Sendable, Hashable {
    public static let maximumLimit = 1_000
    public static let defaultLimit = 100

    /// observed_at ≥ from
    public var from: Date?
    /// observed_at < to
    public var to: Date?
    /// Only observations whose resolved location lies inside.
    public var bbox: BoundingBox?
    public var kinds: Set<ObservationKind>
    public var reporter: String?
    public var reporterTeam: String?
    public var limit: Int
    public var after: ObservationCursor?

    public init(from: Date? = nil, to: Date? = nil, bbox: BoundingBox? = nil, kinds: Set<ObservationKind> = [],
                reporter: String? = nil, reporterTeam: String? = nil, limit: Int = defaultLimit, after: ObservationCursor? = nil) {
        self.from = from
        self.to = to
        self.bbox = bbox
        self.kinds = kinds
        self.reporter = reporter
        self.reporterTeam = reporterTeam
        self.limit = limit
        self.after = after
    }

    /// Whether a record passes every filter except the cursor (used by the in-memory store
    /// and as the reference the database stores are tested against).
    public func matches(_ stored: StoredObservation) -> Bool {
        let observedAt = stored.observation.observedAt
        if let from, observedAt < from { return false }
        if let to, observedAt >= to { return false }
        if !kinds.isEmpty, !kinds.contains(stored.observation.kind) { return false }
        if let reporter, stored.reporter != reporter { return false }
        if let reporterTeam, stored.reporterTeam != reporterTeam { return false }
        if let bbox {
            guard let point = stored.resolution.point, bbox.contains(point) else { return false }
        }
        return true
    }
}

public struct ObservationPage: Sendable, Hashable {
    public var items: [StoredObservation]
    /// Present when more records may follow.
    public var next: ObservationCursor?

    public init(items: [StoredObservation], next: ObservationCursor?) {
        self.items = items
        self.next = next
    }
}
