import BackstopCore
import BackstopStore
import Foundation
import PostgresNIO

extension PostgresStore {
    public func incidentChanges(after revision: Int64, limit: Int) async throws -> [StoredIncident] {
        try await rows("incident changes", "SELECT revision, document FROM incidents WHERE revision > \(revision) ORDER BY revision LIMIT \(limit)")
            .map(Self.decodeIncident)
    }

    public func storedIncident(id: UUID) async throws -> StoredIncident? {
        try await rows("incident", "SELECT revision, document FROM incidents WHERE id = \(id)").first.map(Self.decodeIncident)
    }

    public func fusionPins(after revision: Int64) async throws -> [FusionPin] {
        try await rows("incident pins", "SELECT observation_id, group_id, revision FROM incident_pins WHERE revision > \(revision) ORDER BY revision, observation_id")
            .map { row in
                do {
                    let (record, group, revision) = try row.decode((UUID, UUID, Int64).self)
                    return FusionPin(observationID: record, group: group, revision: revision)
                } catch {
                    throw StoreError.corrupt("an incident pin row is unreadable: \(error)")
                }
            }
    }

    public func incidentProgress() async throws -> IncidentProgress {
        let found = try await rows("incident progress", """
            SELECT COALESCE((SELECT position FROM work_leases WHERE name = \(IncidentWorkLease.name)), 0)::int8,
                   COALESCE((SELECT MAX(revision) FROM incidents), 0)::int8,
                   COALESCE((SELECT agreement_revision FROM work_leases WHERE name = \(IncidentWorkLease.name)), -1)::int8
            """)
        guard let row = found.first else { return IncidentProgress(position: 0, revision: 0, agreementRevision: -1) }
        let (position, revision, agreements) = try row.decode((Int64, Int64, Int64).self)
        return IncidentProgress(position: position, revision: revision, agreementRevision: Int(agreements))
    }

    public func changeIncidents(_ ids: [UUID], fence: LeaseFence?,
                                _ change: @escaping @Sendable ([UUID: StoredIncident]) throws -> IncidentWrite) async throws -> [StoredIncident]? {
        try await transaction("change incidents") { [logger] connection in
            // Waiting for the locks below must end (and roll back) before the store's own time
            // limit answers 503, or a decision reported as failed could still commit later.
            try await connection.query("SET LOCAL lock_timeout = '4s'", logger: logger)
            if let fence {
                // The row lock fences the write (see `recordFindings`).
                let held = try await connection.query("""
                    SELECT 1 FROM work_leases WHERE name = \(fence.lease) AND holder = \(fence.holder) AND expires_at > clock_timestamp() FOR UPDATE
                    """, logger: logger).collect()
                guard !held.isEmpty else { return nil }
            }
            // Writers of incidents take turns (readers carry on): revisions are then given in
            // commit order, so a node following them never misses one committed behind it.
            try await connection.query("LOCK TABLE incidents IN EXCLUSIVE MODE", logger: logger)
            var current: [UUID: StoredIncident] = [:]
            for chunk in ids.chunked(into: 1_000) {
                for row in try await connection.query("SELECT revision, document FROM incidents WHERE id = ANY(\(Array(chunk)))", logger: logger).collect() {
                    let incident = try Self.decodeIncident(row)
                    current[incident.id] = incident
                }
            }
            let write = try change(current)
            var head: Int64 = 0
            for try await value in try await connection.query("SELECT COALESCE(MAX(revision), 0)::int8 FROM incidents", logger: logger).decode(Int64.self) {
                head = value
            }
            let numbered = write.numbered(after: head)
            // Encoded on all cores and written 200 per statement: a page of derived incidents
            // took a statement (a round trip) and a serial encoding each.
            let documents = try await numbered.concurrentMap(minimumPart: 64) { incident in Result { try incident.document() } }.map { try $0.get() }
            for chunk in Array(zip(numbered, documents)).chunked(into: 200) {
                // One statement may not update a row twice: the later revision of an id wins.
                var latest: [UUID: Int] = [:]
                for (index, pair) in zip(chunk.indices, chunk) { latest[pair.0.id] = index }
                var binds = PostgresBindings(capacity: chunk.count * 4)
                var rows: [String] = []
                for (index, (incident, document)) in zip(chunk.indices, chunk) where latest[incident.id] == index {
                    let n = binds.count
                    binds.append(incident.id)
                    binds.append(incident.revision)
                    binds.append(incident.mergedInto)
                    binds.append(document)
                    rows.append(Self.row(after: n, count: 4))
                }
                try await connection.query(PostgresQuery(unsafeSQL: """
                    INSERT INTO incidents (id, revision, merged_into, document) VALUES \(rows.joined(separator: ", "))
                    ON CONFLICT (id) DO UPDATE SET revision = excluded.revision, merged_into = excluded.merged_into, document = excluded.document
                    """, binds: binds), logger: logger)
            }
            let pinRevision = numbered.last?.revision ?? head
            for (record, group) in write.pins {
                try await connection.query("""
                    INSERT INTO incident_pins (observation_id, group_id, revision) VALUES (\(record), \(group), \(pinRevision))
                    ON CONFLICT (observation_id) DO UPDATE SET group_id = excluded.group_id, revision = excluded.revision
                    """, logger: logger)
            }
            try await Self.logFindings(write.findings, by: fence?.holder ?? write.actor, on: connection, logger: logger)
            try await Self.appendAudit(write.audit, on: connection, logger: logger)
            if let fence {
                try await connection.query("""
                    UPDATE work_leases SET position = GREATEST(position, \(fence.position)), agreement_revision = GREATEST(agreement_revision, \(fence.agreementRevision))
                    WHERE name = \(fence.lease)
                    """, logger: logger)
            }
            if !numbered.isEmpty { try await connection.query("SELECT pg_notify(\(Self.channel), 'incidents')", logger: logger) }
            return numbered
        }
    }

    static func decodeIncident(_ row: PostgresRow) throws -> StoredIncident {
        let (revision, document): (Int64, String)
        do { (revision, document) = try row.decode((Int64, String).self) } catch {
            throw StoreError.corrupt("an incident row is unreadable: \(error)")
        }
        return try StoredIncident.decode(document: document, revision: revision)
    }
}
