import BackstopCore
import BackstopStore
import Foundation
import SQLiteNIO

/// A change to incidents worked out against the store at revision `head`: what the change
/// writes, its incidents numbered after `head`, their rows with the documents encoded (on all
/// cores) and its audit drafts prepared. Valid for a write transaction that finds the store
/// still at `head` (see `SQLiteStore.changeIncidents`).
struct PreparedIncidentWrite: Sendable {
    let head: Int64
    let write: IncidentWrite
    let numbered: [StoredIncident]
    /// `(id, revision, merged_into, document)` per incident.
    let rows: [[SQLiteData]]
    let audit: [PreparedAuditDraft]

    init(head: Int64, current: [UUID: StoredIncident], change: @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async throws {
        self.head = head
        write = try change(current)
        numbered = write.numbered(after: head)
        let documents = await numbered.concurrentMap(minimumPart: 64) { incident in Result { try incident.document() } }
        rows = try zip(numbered, documents).map { incident, document -> [SQLiteData] in
            [.text(incident.id.uuidString.lowercased()), .integer(Int(incident.revision)),
             incident.mergedInto.map { .text($0.uuidString.lowercased()) } ?? .null, .text(try document.get())]
        }
        audit = write.audit.map(PreparedAuditDraft.init)
    }
}
