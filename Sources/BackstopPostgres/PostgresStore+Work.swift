import BackstopCore
import BackstopStore
import Foundation
import PostgresNIO

/// Leases go by the database's clock, so nodes whose clocks disagree still agree on expiry.
extension PostgresStore {
    public func claimLease(_ name: String, holder: String, duration: TimeInterval) async throws -> WorkLease? {
        let milliseconds = Int64(duration * 1000)
        let found = try await rows("claim lease", """
            INSERT INTO work_leases (name, holder, position, expires_at)
            VALUES (\(name), \(holder), 0, clock_timestamp() + make_interval(secs => \(Double(milliseconds) / 1000)))
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
              WHERE work_leases.holder = excluded.holder OR work_leases.expires_at < clock_timestamp()
            RETURNING position, (extract(epoch FROM expires_at) * 1000)::int8 AS expires_ms
            """)
        guard let row = found.first else { return nil }
        let (position, expires) = try row.decode((Int64, Int64).self)
        return WorkLease(name: name, holder: holder, position: position, expiresAt: Timestamp.date(milliseconds: expires))
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        _ = try await rows("release lease", "UPDATE work_leases SET expires_at = '-infinity' WHERE name = \(name) AND holder = \(holder)")
    }

    public func recordFindings(_ findings: [FindingLogSubmission], lease: String, holder: String, position: Int64) async throws -> Bool {
        try await transaction("record findings") { [logger] connection in
            // The row lock fences the write: a node whose lease expired, or that another node
            // is taking over right now, writes nothing.
            let held = try await connection.query("""
                SELECT 1 FROM work_leases WHERE name = \(lease) AND holder = \(holder) AND expires_at > clock_timestamp() FOR UPDATE
                """, logger: logger).collect()
            guard !held.isEmpty else { return false }
            try await Self.logFindings(findings, by: holder, on: connection, logger: logger)
            try await connection.query("UPDATE work_leases SET position = GREATEST(position, \(position)) WHERE name = \(lease)", logger: logger)
            return true
        }
    }

    /// One statement per 200 entries (a page of new incidents logs about as many findings).
    static func logFindings(_ findings: [FindingLogSubmission], by writer: String, on connection: PostgresConnection, logger: Logger) async throws {
        let now = Timestamp.milliseconds(Date())
        for chunk in findings.chunked(into: 200) {
            var binds = PostgresBindings(capacity: chunk.count * 11)
            var rows: [String] = []
            for finding in chunk {
                let n = binds.count
                binds.append(finding.incidentID)
                binds.append(Timestamp.milliseconds(finding.incidentStart))
                binds.append(finding.agreementID)
                binds.append(finding.ruleID)
                binds.append(finding.kind)
                binds.append(finding.party)
                binds.append(finding.text)
                binds.append(finding.status.rawValue)
                binds.append(finding.round)
                binds.append(now)
                binds.append(writer)
                rows.append(Self.row(after: n, count: 11))
            }
            try await connection.query(PostgresQuery(unsafeSQL: """
                INSERT INTO finding_log (incident_id, incident_start_ms, agreement_id, rule_id, kind, party, text, status, round, recorded_at_ms, recorded_by)
                VALUES \(rows.joined(separator: ","))
                ON CONFLICT (incident_id, agreement_id, rule_id, kind, status, round) DO NOTHING
                """, binds: binds), logger: logger)
        }
    }

    public func findingLog(after sequence: Int64, limit: Int) async throws -> [LoggedFinding] {
        try await rows("finding log", "SELECT * FROM finding_log WHERE seq > \(sequence) ORDER BY seq LIMIT \(limit)").map { row in
            let columns = row.makeRandomAccess()
            do {
                let finding = FindingLogSubmission(
                    incidentID: try columns["incident_id"].decode(UUID.self),
                    incidentStart: Timestamp.date(milliseconds: try columns["incident_start_ms"].decode(Int64.self)),
                    agreementID: try columns["agreement_id"].decode(String.self), ruleID: try columns["rule_id"].decode(String.self),
                    kind: try columns["kind"].decode(String.self), party: try columns["party"].decode(String?.self),
                    text: try columns["text"].decode(String.self),
                    status: FindingLogSubmission.Status(rawValue: try columns["status"].decode(String.self)) ?? .detected,
                    round: try columns["round"].decode(Int.self))
                return LoggedFinding(sequence: try columns["seq"].decode(Int64.self), finding: finding,
                                     recordedAt: Timestamp.date(milliseconds: try columns["recorded_at_ms"].decode(Int64.self)),
                                     recordedBy: try columns["recorded_by"].decode(String.self))
            } catch {
                throw StoreError.corrupt("a finding log row is unreadable: \(error)")
            }
        }
    }
}
