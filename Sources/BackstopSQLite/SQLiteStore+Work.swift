import BackstopCore
import BackstopStore
import Foundation
import SQLiteNIO

extension SQLiteStore {
    public func claimLease(_ name: String, holder: String, duration: TimeInterval) async throws -> WorkLease? {
        try await writeTransaction { db in
            let now = Int(Timestamp.milliseconds(Date()))
            let expires = now + Int(duration * 1000)
            let rows = try await db.query("""
                INSERT INTO work_leases (name, holder, position, expires_at_ms) VALUES (?, ?, 0, ?)
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at_ms = excluded.expires_at_ms
                  WHERE work_leases.holder = excluded.holder OR work_leases.expires_at_ms < ?
                RETURNING holder, position, expires_at_ms
                """, [.text(name), .text(holder), .integer(expires), .integer(now)])
            guard let row = rows.first, let position = row.column("position")?.integer else { return nil }
            return WorkLease(name: name, holder: holder, position: Int64(position), expiresAt: Timestamp.date(milliseconds: Int64(expires)))
        }
    }

    public func releaseLease(_ name: String, holder: String) async throws {
        try await writeTransaction { db in
            _ = try await db.query("UPDATE work_leases SET expires_at_ms = 0 WHERE name = ? AND holder = ?", [.text(name), .text(holder)])
        }
    }

    public func recordFindings(_ findings: [FindingLogSubmission], lease: String, holder: String, position: Int64) async throws -> Bool {
        try await writeTransaction { db in
            let now = Int(Timestamp.milliseconds(Date()))
            let held = try await db.query("SELECT 1 FROM work_leases WHERE name = ? AND holder = ? AND expires_at_ms > ?",
                                          [.text(lease), .text(holder), .integer(now)])
            guard !held.isEmpty else { return false }
            try await Self.logFindings(findings, by: holder, at: now, in: db)
            _ = try await db.query("UPDATE work_leases SET position = MAX(position, ?) WHERE name = ?", [.integer(Int(position)), .text(lease)])
            return true
        }
    }

    public func findingLog(after sequence: Int64, limit: Int) async throws -> [LoggedFinding] {
        try await read("SELECT * FROM finding_log WHERE seq > ? ORDER BY seq LIMIT ?", [.integer(Int(sequence)), .integer(limit)]).map { row in
            guard let seq = row.column("seq")?.integer, let incident = row.column("incident_id")?.string.flatMap(UUID.init(uuidString:)),
                  let start = row.column("incident_start_ms")?.integer, let agreement = row.column("agreement_id")?.string,
                  let rule = row.column("rule_id")?.string, let kind = row.column("kind")?.string, let text = row.column("text")?.string,
                  let recordedAt = row.column("recorded_at_ms")?.integer, let recordedBy = row.column("recorded_by")?.string
            else { throw StoreError.corrupt("a finding log row is unreadable") }
            let status = row.column("status")?.string.flatMap(FindingLogSubmission.Status.init(rawValue:)) ?? .detected
            let finding = FindingLogSubmission(incidentID: incident, incidentStart: Timestamp.date(milliseconds: Int64(start)), agreementID: agreement,
                                               ruleID: rule, kind: kind, party: row.column("party")?.string, text: text,
                                               status: status, round: row.column("round")?.integer ?? 0)
            return LoggedFinding(sequence: Int64(seq), finding: finding, recordedAt: Timestamp.date(milliseconds: Int64(recordedAt)), recordedBy: recordedBy)
        }
    }
}
