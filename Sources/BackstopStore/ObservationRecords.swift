import BackstopCore
import BackstopGeo
import Foundation

/// An observation on its way into the store, with who sent it and when it arrived.
public struct ObservationSubmission: Sendable, Hashable {
    public var observation: Observation
    public var reporter: String
    public var reporterTeam: String?
    public var receivedAt: Date
    public var digest: String
    public var resolution: LocationResolution

    public init(observation: Observation, reporter: String, reporterTeam: String?, receivedAt: Date) {
        self.observation = observation
        self.reporter = reporter
        self.reporterTeam = reporterTeam
        self.receivedAt = receivedAt
        self.digest = observation.contentDigest
        self.resolution = LocationResolution.initial(for: observation)
    }
}

/// An observation as stored: the record as given, plus what the server added.
public struct StoredObservation: Sendable, Hashable {
    public var observation: Observation
    public var reporter: String
    public var reporterTeam: String?
    public var receivedAt: Date
    public var digest: String
    public var resolution: LocationResolution

    public init(_ submission: ObservationSubmission) {
        observation = submission.observation
        reporter = submission.reporter
        reporterTeam = submission.reporterTeam
        receivedAt = submission.receivedAt
        digest = submission.digest
        resolution = submission.resolution
    }

    public init(observation: Observation, reporter: String, reporterTeam: String?, receivedAt: Date, digest: String, resolution: LocationResolution) {
        self.observation = observation
        self.reporter = reporter
        self.reporterTeam = reporterTeam
        self.receivedAt = receivedAt
        self.digest = digest
        self.resolution = resolution
    }

    /// Whether a new submission repeats this record exactly (a retry).
    public func isReplay(of submission: ObservationSubmission) -> Bool {
        digest == submission.digest && reporter == submission.reporter
    }

    /// The record as the API returns it: the intake fields plus reporter, received_at and
    /// resolved_location.
    public var jsonValue: JSONValue {
        guard case .object(var object) = observation.jsonValue else { return observation.jsonValue }
        object["reporter"] = .string(reporter)
        object["reporter_team"] = reporterTeam.map(JSONValue.string) ?? .null
        object["received_at"] = .string(Timestamp.format(receivedAt))
        object["resolved_location"] = resolution.jsonValue
        return .object(object)
    }
}

/// Where the store places an observation on the map. Relative forms wait for the geometry
/// engine; until then they carry the reason and no point.
public enum LocationResolution: Sendable, Hashable {
    case resolved(point: GeoPoint, radiusMetres: Double?, method: String)
    case unresolved(reason: String)

    public static func initial(for observation: Observation) -> LocationResolution {
        switch observation.location {
        case .absolute(let point, let accuracy):
            .resolved(point: point, radiusMetres: accuracy, method: "as_reported")
        case .relativeToObserver:
            .unresolved(reason: "relative locations are kept as given; resolving bearings and distances needs the geometry engine")
        case .relativeToPlace:
            .unresolved(reason: "place references are kept as given; resolving them needs the gazetteer")
        }
    }

    public var point: GeoPoint? {
        if case .resolved(let point, _, _) = self { return point }
        return nil
    }

    public var jsonValue: JSONValue {
        switch self {
        case .resolved(let point, let radius, let method):
            .object(["status": .string("resolved"), "lat": .number(point.lat), "lon": .number(point.lon),
                     "radius_m": radius.map(JSONValue.number) ?? .null, "method": .string(method)])
        case .unresolved(let reason):
            .object(["status": .string("unresolved"), "reason": .string(reason)])
        }
    }

    public init(json: JSONValue) throws {
        guard let object = json.objectValue, let status = object["status"]?.stringValue else {
            throw StoreError.corrupt("resolved_location is not an object with a status")
        }
        if status == "resolved", let lat = object["lat"]?.doubleValue, let lon = object["lon"]?.doubleValue {
            self = .resolved(point: GeoPoint(lat: lat, lon: lon), radiusMetres: object["radius_m"]?.doubleValue, method: object["method"]?.stringValue ?? "unknown")
        } else {
            self = .unresolved(reason: object["reason"]?.stringValue ?? "unknown")
        }
    }
}

public struct SubmissionResult: Sendable, Hashable {
    public enum Outcome: String, Sendable {
        /// Stored by this call.
        case created
        /// Stored earlier with the same content; this call was a retry.
        case replayed
    }

    public var stored: StoredObservation
    public var outcome: Outcome

    public init(stored: StoredObservation, outcome: Outcome) {
        self.stored = stored
        self.outcome = outcome
    }
}
