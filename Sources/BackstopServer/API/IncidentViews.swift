import BackstopCore
import Foundation

/// An incident as the mission's staff see it: what fusion derived, with the holding
/// assessment's corrections applied, and where it stands in verification.
struct IncidentView: Encodable, Sendable {
    var summary: IncidentSummary
    var state: IncidentState
    var version: Int
    var releaseLevel: ReleaseLevel
    var newEvidence: Bool
    var unassessedObservationIDs: [UUID]
    var assessment: AssessmentView?
    var pendingAssessment: AssessmentView?
    /// The detail view only: every assessment, and the member records.
    var assessments: [AssessmentView]?
    var observations: [JSONValue]?

    enum Keys: String, CodingKey {
        case state, version
        case releaseLevel = "release_level"
        case newEvidence = "new_evidence"
        case unassessedObservationIDs = "unassessed_observation_ids"
        case assessment
        case pendingAssessment = "pending_assessment"
        case assessments, observations
    }

    init(_ incident: StoredIncident, detail: Bool = false, observations: [JSONValue]? = nil) {
        summary = incident.corrected
        state = incident.state
        version = incident.version
        releaseLevel = incident.workflow.releaseLevel
        newEvidence = incident.workflow.hasNewEvidence
        unassessedObservationIDs = incident.workflow.unassessedRecords
        assessment = incident.workflow.holding.map { AssessmentView($0, withPeople: true) }
        pendingAssessment = incident.workflow.pending.map { AssessmentView($0, withPeople: true) }
        assessments = detail ? incident.workflow.assessments.map { AssessmentView($0, withPeople: true) } : nil
        self.observations = detail ? observations ?? [] : nil
    }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(state, forKey: .state)
        try container.encode(version, forKey: .version)
        try container.encode(releaseLevel, forKey: .releaseLevel)
        try container.encode(newEvidence, forKey: .newEvidence)
        try container.encode(unassessedObservationIDs.map { $0.uuidString.lowercased() }, forKey: .unassessedObservationIDs)
        try container.encode(assessment, forKey: .assessment)
        try container.encode(pendingAssessment, forKey: .pendingAssessment)
        if let assessments { try container.encode(assessments, forKey: .assessments) }
        if let observations { try container.encode(observations, forKey: .observations) }
    }
}

/// One assessment; partners and parties see the verdict and corrections, not who wrote what.
struct AssessmentView: Encodable, Sendable {
    var assessment: Assessment
    var withPeople: Bool

    init(_ assessment: Assessment, withPeople: Bool) {
        self.assessment = assessment
        self.withPeople = withPeople
    }

    enum Keys: String, CodingKey {
        case number, verdict, status, corrections, note
        case proposedBy = "proposed_by", proposedAt = "proposed_at", decidedBy = "decided_by", decidedAt = "decided_at"
        case returnReason = "return_reason"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(assessment.number, forKey: .number)
        try container.encode(assessment.verdict, forKey: .verdict)
        try container.encode(assessment.status.rawValue, forKey: .status)
        try container.encode(assessment.corrections, forKey: .corrections)
        try container.encode(assessment.decidedAt.map(Timestamp.format), forKey: .decidedAt)
        guard withPeople else { return }
        try container.encode(assessment.note, forKey: .note)
        try container.encode(assessment.proposedBy, forKey: .proposedBy)
        try container.encode(Timestamp.format(assessment.proposedAt), forKey: .proposedAt)
        try container.encode(assessment.decidedBy, forKey: .decidedBy)
        try container.encode(assessment.returnReason, forKey: .returnReason)
    }
}

/// What partners and parties see of a released incident: the derived incident (corrected) and
/// the confirmed verdict, without member records or who assessed it. The parties to the
/// conflict do not see which teams or sensors reported either (only how many): a patrol named
/// to a party could be targeted.
struct ReleasedIncidentView: Encodable, Sendable {
    var summary: IncidentSummary
    var state: IncidentState
    var releaseLevel: ReleaseLevel
    var assessment: AssessmentView?

    enum Keys: String, CodingKey {
        case state
        case releaseLevel = "release_level"
        case assessment
    }

    init(_ incident: StoredIncident, audience: ReleaseLevel) {
        var summary = incident.released
        summary.observationIDs = []
        if audience == .parties {
            // The parties learn neither who reported nor the lines of bearing: a fix's ellipse
            // gives the angle and the bisector of the lines that made it, and several fixes by
            // one pair of cameras would point at where the cameras stand.
            summary.sources = []
            summary.location?.triangulation = nil
            summary.unlocatedReason = nil
        }
        self.summary = summary
        state = incident.state
        releaseLevel = incident.workflow.releaseLevel
        assessment = incident.workflow.holding.map { AssessmentView($0, withPeople: false) }
    }

    func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(state, forKey: .state)
        try container.encode(releaseLevel, forKey: .releaseLevel)
        try container.encode(assessment, forKey: .assessment)
    }
}

/// What the public sees: see `PublicRedaction`.
struct PublicIncidentView: Encodable, Sendable {
    struct Place: Encodable, Sendable {
        var lat: Double?
        var lon: Double?
        var near: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(lat, forKey: .lat)
            try container.encode(lon, forKey: .lon)
            try container.encode(near, forKey: .near)
        }

        enum CodingKeys: String, CodingKey { case lat, lon, near }
    }

    struct PublicFinding: Encodable, Sendable {
        var kind: String
        var agreement: String
        var rule: String
        var party: String?

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(kind, forKey: .kind)
            try container.encode(agreement, forKey: .agreement)
            try container.encode(rule, forKey: .rule)
            try container.encode(party, forKey: .party)
        }

        enum CodingKeys: String, CodingKey { case kind, agreement, rule, party }
    }

    var id: String
    var kind: String
    var start: String
    var end: String
    var place: Place?
    var estimatedEvents: Int
    var direction: String?
    var verdict: String
    var findings: [PublicFinding]

    enum CodingKeys: String, CodingKey {
        case id, kind, start, end, place
        case estimatedEvents = "estimated_events"
        case direction, verdict, findings
    }

    init(_ incident: StoredIncident, redaction: PublicRedaction, settlements: SettlementIndex?) {
        let summary = incident.released
        id = incident.id.uuidString.lowercased()
        kind = summary.kind
        start = Timestamp.format(PublicRedaction.hour(summary.startDate))
        end = Timestamp.format(PublicRedaction.hour(summary.endDate))
        place = summary.location.map { location in
            let coarse = redaction.coarsen(GeoPoint(lat: location.lat, lon: location.lon), settlements: settlements)
            return Place(lat: coarse.point?.lat, lon: coarse.point?.lon, near: coarse.near)
        }
        estimatedEvents = summary.estimatedEvents
        direction = summary.direction
        verdict = incident.workflow.holding?.verdict.rawValue ?? incident.state.rawValue
        findings = incident.confirmedFindings.map { PublicFinding(kind: $0.kind, agreement: $0.agreement, rule: $0.rule, party: $0.party) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(kind, forKey: .kind)
        try container.encode(start, forKey: .start)
        try container.encode(end, forKey: .end)
        try container.encode(place, forKey: .place)
        try container.encode(estimatedEvents, forKey: .estimatedEvents)
        try container.encode(direction, forKey: .direction)
        try container.encode(verdict, forKey: .verdict)
        try container.encode(findings, forKey: .findings)
    }
}
