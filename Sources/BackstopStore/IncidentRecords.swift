import BackstopCore
import Foundation

/// One change to incidents, written in one transaction with its audit entries and the
/// findings-log entries it makes (a finding confirmed or retracted).
public struct IncidentWrite: Sendable {
    public var incidents: [StoredIncident]
    public var audit: [AuditDraft]
    public var findings: [FindingLogSubmission]
    /// Who the findings entries are recorded by when no lease fences the write (a person).
    public var actor: String
    /// An analyst's merge or split: records pinned to a group (see `AssociationRule`), which
    /// the node deriving incidents applies.
    public var pins: [UUID: UUID]

    public init(incidents: [StoredIncident] = [], audit: [AuditDraft] = [], findings: [FindingLogSubmission] = [], actor: String = "fusion",
                pins: [UUID: UUID] = [:]) {
        self.incidents = incidents
        self.pins = pins
        self.actor = actor
        self.audit = audit
        self.findings = findings
    }
}

/// Writes of the node that derives incidents are fenced by its lease, and move the lease's
/// position (the intake sequence the incidents reflect) in the same transaction.
public struct LeaseFence: Sendable, Hashable {
    public var lease: String
    public var holder: String
    public var position: Int64
    /// The agreement revision the incidents were checked against.
    public var agreementRevision: Int

    public init(lease: String, holder: String, position: Int64, agreementRevision: Int) {
        self.lease = lease
        self.holder = holder
        self.position = position
        self.agreementRevision = agreementRevision
    }
}

/// How far the stored incidents go: the intake sequence they reflect and the last revision.
public struct IncidentProgress: Sendable, Hashable {
    public var position: Int64
    public var revision: Int64
    /// The agreement revision their findings were checked against (-1 before any).
    public var agreementRevision: Int

    public init(position: Int64, revision: Int64, agreementRevision: Int) {
        self.position = position
        self.revision = revision
        self.agreementRevision = agreementRevision
    }
}

/// The incidents capability: identity, membership (in each incident's summary) and people's
/// decisions, written whole per incident with a revision every node follows.
public protocol IncidentRecords: Sendable {
    /// Incidents written after `revision` (live and retired), in revision order.
    func incidentChanges(after revision: Int64, limit: Int) async throws -> [StoredIncident]
    func storedIncident(id: UUID) async throws -> StoredIncident?
    func incidentProgress() async throws -> IncidentProgress
    /// In one transaction: reads the named incidents as they are now, lets `change` decide
    /// (it throws to refuse, and then nothing is written), and writes what it returns with its
    /// audit and findings entries, each incident with the next revision. With a fence, only
    /// while its holder holds the lease (nil when it does not), moving the lease's position.
    /// Records pinned by analysts' decisions after `revision` (the incident revision their
    /// write reached), in that order.
    func fusionPins(after revision: Int64) async throws -> [FusionPin]
    func changeIncidents(_ ids: [UUID], fence: LeaseFence?,
                         _ change: @escaping @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async throws -> [StoredIncident]?
}

/// A record an analyst pinned to a group, with the revision of the write that pinned it.
public struct FusionPin: Sendable, Hashable {
    public var observationID: UUID
    public var group: UUID
    public var revision: Int64

    public init(observationID: UUID, group: UUID, revision: Int64) {
        self.observationID = observationID
        self.group = group
        self.revision = revision
    }
}

/// The lease under which one node derives the mission's incidents.
public enum IncidentWorkLease {
    public static let name = "incident-work"
}

extension IncidentWrite {
    /// The incidents with the revisions that follow `revision`, in order.
    public func numbered(after revision: Int64) -> [StoredIncident] {
        incidents.enumerated().map { offset, incident in
            var numbered = incident
            numbered.revision = revision + Int64(offset) + 1
            return numbered
        }
    }
}

extension StoredIncident {
    /// The stored form: the whole incident as JSON, which every store keeps in one column.
    /// Written by `IncidentDocument` (`JSONEncoder` only for what it cannot write).
    public func document() throws -> String {
        try IncidentDocument.text(self) ?? String(decoding: try JSONEncoder().encode(self), as: UTF8.self)
    }

    public static func decode(document: String, revision: Int64) throws -> StoredIncident {
        do {
            var incident = try IncidentDocument.incident(from: document)
            incident.revision = revision
            return incident
        } catch {
            throw StoreError.corrupt("incident at revision \(revision) is unreadable: \(error)")
        }
    }
}
