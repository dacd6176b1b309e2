import BackstopCore
import BackstopStore
import Foundation
import PostgresNIO

extension PostgresStore {
    /// Rows per INSERT; 11 parameters each stays far below PostgreSQL's 65,535.
    static let insertChunk = 1_000
    static let observationColumns = "reporter, reporter_team, received_at_ms, digest, body, resolution"

    public func submit(_ submissions: [ObservationSubmission]) async throws -> [SubmissionResult] {
        guard !submissions.isEmpty else { return [] }
        return try await submissionQueue.submit(submissions) { groups in await self.insert(groups: groups) }
    }

    /// Rows one group commit takes at most.
    static let groupCommitRows = 20_000

    /// The batches of requests that arrived together, in one transaction and one commit (a
    /// sensor network's single records each paid a commit of their own before); each request
    /// planned on its own (see `SubmissionPlan.groups`).
    func insert(groups: [[ObservationSubmission]]) async -> [Result<[SubmissionResult], any Error>] {
        await GroupCommit.eachAnswered(groups) { groups in
            try await transaction("submit") { [logger] connection in
                // One writer at a time (readers carry on): sequences then commit in order.
                try await connection.query("LOCK TABLE observations IN SHARE ROW EXCLUSIVE MODE", logger: logger)
                let ids = Array(Set(groups.joined().map(\.observation.id)))
                var existing: [UUID: StoredObservation] = [:]
                let found = try await connection.query("SELECT \(unescaped: Self.observationColumns) FROM observations WHERE id = ANY(\(ids))", logger: logger)
                for try await row in found {
                    let stored = try Self.decodeObservation(row)
                    existing[stored.observation.id] = stored
                }
                let (answers, fresh) = SubmissionPlan.groups(groups, existing: existing)
                for chunk in fresh.chunked(into: Self.insertChunk) {
                    try await connection.query(Self.insertQuery(chunk), logger: logger)
                }
                if !fresh.isEmpty {
                    try await Self.appendAudit(prepared: fresh.map(\.acceptedAudit), on: connection, logger: logger)
                    try await connection.query("SELECT pg_notify(\(Self.channel), 'observations')", logger: logger)
                }
                return answers
            }
        }
    }

    static func insertQuery(_ chunk: ArraySlice<ObservationSubmission>) throws -> PostgresQuery {
        var binds = PostgresBindings(capacity: chunk.count * 11)
        var rows: [String] = []
        rows.reserveCapacity(chunk.count)
        for submission in chunk {
            let n = binds.count
            let observation = submission.observation
            let point = submission.resolution.point
            binds.append(observation.id)
            binds.append(observation.kind.rawValue)
            binds.append(Timestamp.milliseconds(observation.observedAt))
            binds.append(Timestamp.milliseconds(submission.receivedAt))
            binds.append(submission.reporter)
            binds.append(submission.reporterTeam)
            binds.append(submission.digest)
            binds.append(point?.lat)
            binds.append(point?.lon)
            binds.append(submission.storedBody)
            binds.append(submission.storedResolution)
            let p = Self.placeholders(after: n, count: 11)
            rows.append("(\(p.joined(separator: ",")), CASE WHEN \(p[7])::float8 IS NULL THEN NULL ELSE ST_SetSRID(ST_MakePoint(\(p[8])::float8, \(p[7])::float8), 4326) END)")
        }
        return PostgresQuery(unsafeSQL: """
            INSERT INTO observations (id, kind, observed_at_ms, received_at_ms, reporter, reporter_team, digest, lat, lon, body, resolution, location)
            VALUES \(rows.joined(separator: ","))
            """, binds: binds)
    }

    public func observation(id: UUID) async throws -> StoredObservation? {
        try await rows("observation", "SELECT \(unescaped: Self.observationColumns) FROM observations WHERE id = \(id)").first.map(Self.decodeObservation)
    }

    public func observations(ids: [UUID]) async throws -> [UUID: StoredObservation] {
        var found: [UUID: StoredObservation] = [:]
        for chunk in Array(Set(ids)).chunked(into: Self.insertChunk) {
            for row in try await rows("observations", "SELECT \(unescaped: Self.observationColumns) FROM observations WHERE id = ANY(\(Array(chunk)))") {
                let stored = try Self.decodeObservation(row)
                found[stored.observation.id] = stored
            }
        }
        return found
    }

    public func observations(matching query: ObservationQuery) async throws -> ObservationPage {
        var conditions: [String] = []
        var binds = PostgresBindings()
        func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
            binds.append(value)
            return "$\(binds.count)"
        }
        if let from = query.from { conditions.append("observed_at_ms >= \(bind(Timestamp.milliseconds(from)))") }
        if let to = query.to { conditions.append("observed_at_ms < \(bind(Timestamp.milliseconds(to)))") }
        if !query.kinds.isEmpty { conditions.append("kind = ANY(\(bind(query.kinds.map(\.rawValue).sorted())))") }
        if let reporter = query.reporter { conditions.append("reporter = \(bind(reporter))") }
        if let team = query.reporterTeam { conditions.append("reporter_team = \(bind(team))") }
        if let bbox = query.bbox {
            // The GiST index finds the candidates; the exact comparison keeps the edges inclusive
            // exactly as the other stores do.
            let (minLon, minLat, maxLon, maxLat) = (bind(bbox.minLon), bind(bbox.minLat), bind(bbox.maxLon), bind(bbox.maxLat))
            conditions.append("location && ST_MakeEnvelope(\(minLon), \(minLat), \(maxLon), \(maxLat), 4326)")
            conditions.append("lat BETWEEN \(minLat) AND \(maxLat) AND lon BETWEEN \(minLon) AND \(maxLon)")
        }
        if let after = query.after {
            conditions.append("(observed_at_ms, id) > (\(bind(after.observedAtMilliseconds)), \(bind(after.id)))")
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let limit = bind(query.limit + 1)
        let found = try await rows("list observations", PostgresQuery(
            unsafeSQL: "SELECT \(Self.observationColumns) FROM observations \(whereClause) ORDER BY observed_at_ms, id LIMIT \(limit)", binds: binds))
        let items = try found.prefix(query.limit).map(Self.decodeObservation)
        let next = found.count > query.limit ? items.last.map(ObservationCursor.init(after:)) : nil
        return ObservationPage(items: items, next: next)
    }

    public func observationCount() async throws -> Int {
        try await rows("count observations", "SELECT COUNT(*) FROM observations").first?.decode(Int.self) ?? 0
    }

    public func intake(after sequence: Int64, limit: Int) async throws -> [IntakeEntry] {
        try await rows("intake", "SELECT seq, \(unescaped: Self.observationColumns) FROM observations WHERE seq > \(sequence) ORDER BY seq LIMIT \(limit)")
            .map { row in IntakeEntry(sequence: try row.makeRandomAccess()["seq"].decode(Int64.self), stored: try Self.decodeObservation(row)) }
    }

    public func latestIntakeSequence() async throws -> Int64 {
        try await rows("latest sequence", "SELECT COALESCE(MAX(seq), 0)::int8 FROM observations").first?.decode(Int64.self) ?? 0
    }

    static func decodeObservation(_ row: PostgresRow) throws -> StoredObservation {
        let columns = row.makeRandomAccess()
        do {
            return try StoredObservation.decode(
                body: columns["body"].decode(String.self), resolution: columns["resolution"].decode(String.self),
                reporter: columns["reporter"].decode(String.self), reporterTeam: columns["reporter_team"].decode(String?.self),
                receivedAtMilliseconds: columns["received_at_ms"].decode(Int64.self), digest: columns["digest"].decode(String.self))
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError.corrupt("an observation row is unreadable: \(error)")
        }
    }
}
