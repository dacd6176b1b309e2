import Foundation

/// An incident as the mission keeps it: what was derived about it, what people decided, and
/// whether a merge retired its id. Every change makes a new version (the ETag a write must
/// name) and takes the store's next revision (the order nodes follow changes in).
public struct StoredIncident: Sendable, Hashable, Codable {
    public var id: UUID
    /// The store's change counter when this was last written; set by the store.
    public var revision: Int64
    /// Set when a merge retired this id: the incident that holds its records now.
    public var mergedInto: UUID?
    /// As last derived (for a retired id: as it was when retired).
    public var summary: IncidentSummary
    public var workflow: IncidentWorkflow
    /// The intake sequence of its oldest record, which its id was minted from.
    public var firstSequence: Int64
    /// The findings the holding verified assessment confirmed, and that assessment's number
    /// (0 when none holds); what the findings log says is confirmed for this incident.
    public var confirmedFindings: [IncidentSummary.FindingSummary] = []
    public var confirmedRound = 0
    /// What the incident said (corrected) when the holding verified assessment was confirmed:
    /// what partners, parties and the public see, so evidence that arrived later (or a merge)
    /// reaches them only through a new confirmation.
    @Boxed public var confirmedSummary: IncidentSummary? = nil

    /// The summary an audience outside the mission sees: the confirmed one.
    public var released: IncidentSummary { confirmedSummary ?? corrected }
    public var updatedAt: Date

    public init(id: UUID, summary: IncidentSummary, firstSequence: Int64, at time: Date) {
        self.id = id
        revision = 0
        mergedInto = nil
        self.summary = summary
        workflow = IncidentWorkflow()
        self.firstSequence = firstSequence
        updatedAt = time
    }

    public var version: Int { workflow.version }
    public var state: IncidentState { workflow.state }
    public var isRetired: Bool { mergedInto != nil }

    /// Fusion derived it again: a different summary is a new version, and records that joined
    /// after a confirmation are new evidence.
    public mutating func derived(_ summary: IncidentSummary, joined: [UUID], at time: Date) {
        guard summary != self.summary else { return }
        self.summary = summary
        let before = workflow.version
        workflow.recordsJoined(joined)
        if workflow.version == before { workflow.touch() }
        updatedAt = time
    }

    /// A merge retired this id.
    public mutating func retire(into survivor: UUID, at time: Date) {
        mergedInto = survivor
        workflow.touch()
        updatedAt = time
    }
}
