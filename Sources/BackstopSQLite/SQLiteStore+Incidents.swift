import BackstopCore
import BackstopStore
import Foundation
import SQLiteNIO

extension SQLiteStore {
    public func incidentChanges(after revision: Int64, limit: Int) async throws -> [StoredIncident] {
        if let recent = recentIncidents.changes(after: revision, limit: limit) { return recent }
        return try await read("SELECT revision, document FROM incidents WHERE revision > ? ORDER BY revision LIMIT ?",
                       [.integer(Int(revision)), .integer(limit)]).map(Self.decodeIncident)
    }

    public func storedIncident(id: UUID) async throws -> StoredIncident? {
        try await read("SELECT revision, document FROM incidents WHERE id = ?", [.text(id.uuidString.lowercased())]).first.map(Self.decodeIncident)
    }

    public func fusionPins(after revision: Int64) async throws -> [FusionPin] {
        try await read("SELECT observation_id, group_id, revision FROM incident_pins WHERE revision > ? ORDER BY revision, observation_id",
                       [.integer(Int(revision))]).map { row in
            guard let record = row.column("observation_id")?.string.flatMap(UUID.init(uuidString:)),
                  let group = row.column("group_id")?.string.flatMap(UUID.init(uuidString:)), let revision = row.column("revision")?.integer
            else { throw StoreError.corrupt("an incident pin row is unreadable") }
            return FusionPin(observationID: record, group: group, revision: Int64(revision))
        }
    }

    public func incidentProgress() async throws -> IncidentProgress {
        let lease = try await read("SELECT position, agreement_revision FROM work_leases WHERE name = ?", [.text(IncidentWorkLease.name)]).first
        let revision = try await read("SELECT COALESCE(MAX(revision), 0) AS revision FROM incidents", []).first?.column("revision")?.integer ?? 0
        return IncidentProgress(position: Int64(lease?.column("position")?.integer ?? 0), revision: Int64(revision),
                                agreementRevision: lease?.column("agreement_revision")?.integer ?? -1)
    }

    public func changeIncidents(_ ids: [UUID], fence: LeaseFence?,
                                _ change: @escaping @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async throws -> [StoredIncident]? {
        let written: [StoredIncident]? = try await writeTransaction { db in
            let now = Int(Timestamp.milliseconds(Date()))
            if let fence {
                let held = try await db.query("SELECT 1 FROM work_leases WHERE name = ? AND holder = ? AND expires_at_ms > ?",
                                              [.text(fence.lease), .text(fence.holder), .integer(now)])
                guard !held.isEmpty else { return nil }
            }
            // The incidents this handle wrote last are taken as written (see `RecentIncidents`).
            let head = try await db.query("SELECT COALESCE(MAX(revision), 0) AS revision FROM incidents").first?.column("revision")?.integer ?? 0
            var current = self.recentIncidents.latest(ids, head: Int64(head))
            for chunk in ids.filter({ current[$0] == nil }).chunked(into: 500) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                for row in try await db.query("SELECT revision, document FROM incidents WHERE id IN (\(marks))", chunk.map { .text($0.uuidString.lowercased()) }) {
                    let incident = try Self.decodeIncident(row)
                    current[incident.id] = incident
                }
            }
            let write = try change(current)
            let numbered = write.numbered(after: Int64(head))
            // Encoding the documents is most of a large write's time, and the writers wait: on all cores.
            let documents = await numbered.concurrentMap(minimumPart: 64) { incident in Result { try incident.document() } }
            let rows = try zip(numbered, documents).map { incident, document -> [SQLiteData] in
                [.text(incident.id.uuidString.lowercased()), .integer(Int(incident.revision)),
                 incident.mergedInto.map { .text($0.uuidString.lowercased()) } ?? .null, .text(try document.get())]
            }
            for chunk in rows.chunked(into: 200) {
                _ = try await db.query("""
                    INSERT INTO incidents (id, revision, merged_into, document) VALUES \(Array(repeating: "(?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
                    ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, merged_into = excluded.merged_into, document = excluded.document
                    """, Array(chunk.joined()))
            }
            let pinRevision = Int(numbered.last?.revision ?? Int64(head))
            for (record, group) in write.pins {
                _ = try await db.query("""
                    INSERT INTO incident_pins (observation_id, group_id, revision) VALUES (?, ?, ?)
                    ON CONFLICT (observation_id) DO UPDATE SET group_id = excluded.group_id, revision = excluded.revision
                    """, [.text(record.uuidString.lowercased()), .text(group.uuidString.lowercased()), .integer(pinRevision)])
            }
            try await Self.logFindings(write.findings, by: fence?.holder ?? write.actor, at: now, in: db)
            try await Self.appendAudit(write.audit, in: db)
            if let fence {
                _ = try await db.query("UPDATE work_leases SET position = MAX(position, ?), agreement_revision = MAX(agreement_revision, ?) WHERE name = ?",
                                       [.integer(Int(fence.position)), .integer(fence.agreementRevision), .text(fence.lease)])
            }
            return numbered
        }
        if let written, !written.isEmpty {
            recentIncidents.add(written)
            announcer.announce()
        }
        return written
    }

    static func logFindings(_ findings: [FindingLogSubmission], by writer: String, at now: Int, in db: SQLiteConnection) async throws {
        for finding in findings {
            _ = try await db.query("""
                INSERT INTO finding_log (incident_id, incident_start_ms, agreement_id, rule_id, kind, party, text, status, round, recorded_at_ms, recorded_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (incident_id, agreement_id, rule_id, kind, status, round) DO NOTHING
                """, [.text(finding.incidentID.uuidString.lowercased()), .integer(Int(Timestamp.milliseconds(finding.incidentStart))),
                      .text(finding.agreementID), .text(finding.ruleID), .text(finding.kind), finding.party.map { .text($0) } ?? .null,
                      .text(finding.text), .text(finding.status.rawValue), .integer(finding.round), .integer(now), .text(writer)])
        }
    }

    static func decodeIncident(_ row: SQLiteRow) throws -> StoredIncident {
        guard let revision = row.column("revision")?.integer, let document = row.column("document")?.string else {
            throw StoreError.corrupt("an incident row lacks a column")
        }
        return try StoredIncident.decode(document: document, revision: Int64(revision))
    }
}
