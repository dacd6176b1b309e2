import BackstopCore
import BackstopGeo
import Foundation

/// An observation on its way into the store, with who sent it and when it arrived, and what a
/// store writes for it already encoded: a batch's submissions are made on all cores (see
/// `ObservationsController.submit`), the store's single writer then only binds them.
public struct ObservationSubmission: Sendable, Hashable {
    public let observation: Observation
    public let reporter: String
    public let reporterTeam: String?
    public let receivedAt: Date
    public let digest: String
    public let resolution: LocationResolution
    /// The observation's canonical JSON (what the digest covers), as a store keeps it.
    public let storedBody: String
    /// The resolution's canonical JSON, as a store keeps it.
    public let storedResolution: String
    /// The audit entry that accepting it appends.
    public let acceptedAudit: PreparedAuditDraft

    /// `resolution` defaults to what needs no gazetteer: coordinates as given, bearings and
    /// distances from the observer.
    public init(observation: Observation, reporter: String, reporterTeam: String?, receivedAt: Date, resolution: LocationResolution? = nil) {
        self.observation = observation
        self.reporter = reporter
        self.reporterTeam = reporterTeam
        self.receivedAt = receivedAt
        let canonicalJSON = observation.canonicalJSON
        self.digest = Observation.digest(ofCanonicalJSON: canonicalJSON)
        self.storedBody = String(decoding: canonicalJSON, as: UTF8.self)
        let resolution = resolution ?? LocationResolver().resolve(observation)
        self.resolution = resolution
        self.storedResolution = String(decoding: resolution.canonicalJSON, as: UTF8.self)
        self.acceptedAudit = AuditDrafts.preparedObservationAccepted(
            observation: observation, reporter: reporter, reporterTeam: reporterTeam, receivedAt: receivedAt, digest: digest)
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

extension StoredObservation {
    /// Rebuilds a record from the columns a database store keeps: the canonical JSON as given
    /// and the resolved location as JSON.
    public static func decode(body: String, resolution: String, reporter: String, reporterTeam: String?,
                              receivedAtMilliseconds: Int64, digest: String) throws -> StoredObservation {
        do {
            let observation = try ObservationParser().parse(try JSONValue.parse(body))
            return StoredObservation(
                observation: observation, reporter: reporter, reporterTeam: reporterTeam,
                receivedAt: Timestamp.date(milliseconds: receivedAtMilliseconds), digest: digest,
                resolution: try LocationResolution(json: try JSONValue.parse(resolution))
            )
        } catch {
            throw StoreError.corrupt("observation body: \(error)")
        }
    }

}
