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
        let prepared = ids.count >= Self.preparedWriteSize ? await prepareIncidentWrite(ids, change) : nil
        let written: [StoredIncident]? = try await writeTransaction { db in
            let now = Int(Timestamp.milliseconds(Date()))
            if let fence {
                let held = try await db.query("SELECT 1 FROM work_leases WHERE name = ? AND holder = ? AND expires_at_ms > ?",
                                              [.text(fence.lease), .text(fence.holder), .integer(now)])
                guard !held.isEmpty else { return nil }
            }
            let head = Int64(try await db.query("SELECT COALESCE(MAX(revision), 0) AS revision FROM incidents").first?.column("revision")?.integer ?? 0)
            let write: PreparedIncidentWrite
            if let prepared, prepared.head == head {
                write = prepared
            } else {
                write = try await PreparedIncidentWrite(head: head, current: try await self.currentIncidents(ids, head: head, in: db), change: change)
            }
            for chunk in write.rows.chunked(into: 200) {
                _ = try await db.query("""
                    INSERT INTO incidents (id, revision, merged_into, document) VALUES \(Array(repeating: "(?, ?, ?, ?)", count: chunk.count).joined(separator: ", "))
                    ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, merged_into = excluded.merged_into, document = excluded.document
                    """, Array(chunk.joined()))
            }
            let pinRevision = Int(write.numbered.last?.revision ?? head)
            for (record, group) in write.write.pins {
                _ = try await db.query("""
                    INSERT INTO incident_pins (observation_id, group_id, revision) VALUES (?, ?, ?)
                    ON CONFLICT (observation_id) DO UPDATE SET group_id = excluded.group_id, revision = excluded.revision
                    """, [.text(record.uuidString.lowercased()), .text(group.uuidString.lowercased()), .integer(pinRevision)])
            }
            try await Self.logFindings(write.write.findings, by: fence?.holder ?? write.write.actor, at: now, in: db)
            try await Self.appendAudit(prepared: write.audit, in: db)
            if let fence {
                _ = try await db.query("UPDATE work_leases SET position = MAX(position, ?), agreement_revision = MAX(agreement_revision, ?) WHERE name = ?",
                                       [.integer(Int(fence.position)), .integer(fence.agreementRevision), .text(fence.lease)])
            }
            return write.numbered
        }
        if let written, !written.isEmpty {
            recentIncidents.add(written)
            announcer.announce()
        }
        return written
    }

    /// Writes of at least this many incidents are prepared before the writer is taken.
    static let preparedWriteSize = 64

    /// A large write (a page of derived incidents) prepared outside the write transaction, on
    /// a reader and on all cores: the incidents as stored at the last revision `head`, the
    /// change applied to them, the documents encoded. The transaction uses it when the store is
    /// still at `head` (nothing was written in between, so the change would come out the same);
    /// otherwise it prepares again inside. Encoding a page's documents took longer than the
    /// rest of its write, and the intake waited for the writer meanwhile. Nil when preparing
    /// fails: the transaction then does it all, and reports what failed.
    private func prepareIncidentWrite(_ ids: [UUID], _ change: @escaping @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async -> PreparedIncidentWrite? {
        do {
            let head = Int64(try await read("SELECT COALESCE(MAX(revision), 0) AS revision FROM incidents").first?.column("revision")?.integer ?? 0)
            return try await PreparedIncidentWrite(head: head, current: try await currentIncidents(ids, head: head, in: reader), change: change)
        } catch {
            return nil
        }
    }

    /// The named incidents as stored at the last revision `head` (those this handle wrote last
    /// as written, see `RecentIncidents`; the others read on `db`).
    private func currentIncidents(_ ids: [UUID], head: Int64, in db: some SQLiteStatements) async throws -> [UUID: StoredIncident] {
        var current = recentIncidents.latest(ids, head: head)
        for chunk in ids.filter({ current[$0] == nil }).chunked(into: 500) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            for row in try await db.query("SELECT revision, document FROM incidents WHERE id IN (\(marks))", chunk.map { .text($0.uuidString.lowercased()) }) {
                let incident = try Self.decodeIncident(row)
                current[incident.id] = incident
            }
        }
        return current
    }

    /// One statement per 200 entries: a page of new incidents logs about as many findings, and
    /// a statement each held the single writer for most of the page's write.
    static func logFindings(_ findings: [FindingLogSubmission], by writer: String, at now: Int, in db: SQLiteWriter) async throws {
        for chunk in findings.chunked(into: 200) {
            var binds: [SQLiteData] = []
            binds.reserveCapacity(chunk.count * 11)
            for finding in chunk {
                binds += [.text(finding.incidentID.uuidString.lowercased()), .integer(Int(Timestamp.milliseconds(finding.incidentStart))),
                          .text(finding.agreementID), .text(finding.ruleID), .text(finding.kind), finding.party.map { .text($0) } ?? .null,
                          .text(finding.text), .text(finding.status.rawValue), .integer(finding.round), .integer(now), .text(writer)]
            }
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            _ = try await db.query("""
                INSERT INTO finding_log (incident_id, incident_start_ms, agreement_id, rule_id, kind, party, text, status, round, recorded_at_ms, recorded_by)
                VALUES \(rows)
                ON CONFLICT (incident_id, agreement_id, rule_id, kind, status, round) DO NOTHING
                """, binds)
        }
    }

    static func decodeIncident(_ row: some SQLiteColumns) throws -> StoredIncident {
        guard let revision = row.column("revision")?.integer, let document = row.column("document")?.string else {
            throw StoreError.corrupt("an incident row lacks a column")
        }
        return try StoredIncident.decode(document: document, revision: Int64(revision))
    }
}
