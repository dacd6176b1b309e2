import BackstopCore
import BackstopGeo
import BackstopStore
import Foundation
import SQLiteNIO

extension SQLiteStore {
    /// Ids per lookup statement; well under SQLite's bound-variable limit.
    static let insertChunk = 500

    public func submit(_ submissions: [ObservationSubmission]) async throws -> [SubmissionResult] {
        guard !submissions.isEmpty else { return [] }
        let results = try await submissionQueue.submit(submissions) { groups in await self.insert(groups: groups) }
        if results.contains(where: { $0.outcome == .created }) { announcer.announce() }
        return results
    }

    /// A batch written while it is still being read: its parts go into one transaction as they
    /// arrive, so the writer inserts the first while the cores read the next. As in `insert`,
    /// the parts are written as if every record were new, each checked as it goes in; a retry
    /// (an id stored already) or an id named twice ends that, and once the last part is read
    /// the whole batch is planned against what is stored, after the parts written are undone.
    /// The caller holds the writer from the first part to the last: a caller should have its
    /// first part ready when it calls.
    public func submit(parts: AsyncThrowingStream<[ObservationSubmission], any Error>) async throws -> [SubmissionResult] {
        let (answers, committed) = try await writeTransaction { db -> ([SubmissionResult]?, [(sequence: Int64, stored: StoredObservation)]) in
            let handOver = PartHandOver<[ObservationSubmission]>()
            let receiving = Task(executorPreference: EventLoopTaskExecutor.writer) { await handOver.take(from: parts) }
            defer { receiving.cancel() }
            // One visit to the writer's thread for the whole batch: it waits there for each part.
            let (batch, written) = try await db.statements { connection -> ([ObservationSubmission], [(sequence: Int64, stored: StoredObservation)]?) in
                try connection.execute("SAVEPOINT all_new", [])
                var next = try Self.nextSequence(on: &connection)
                var audited = try Self.auditHead(on: &connection)
                // The parts as they came (one reference each, not a copy of every record):
                // needed again only if the batch turns out not all new.
                var received: [[ObservationSubmission]] = []
                var ids: Set<UUID> = []
                var committed: [(sequence: Int64, stored: StoredObservation)] = []
                var allNew = true
                while let part = try handOver.next() {
                    received.append(part)
                    guard allNew else { continue }
                    for submission in part where !ids.insert(submission.observation.id).inserted { allNew = false }
                    guard allNew, let written = try Self.writePart(part, from: next, after: audited, on: &connection) else {
                        allNew = false
                        continue
                    }
                    committed += written.committed
                    audited = written.audited
                    next += Int64(part.count)
                }
                if allNew {
                    try connection.execute("RELEASE all_new", [])
                    freeLater(consume received)
                    return ([], committed)
                }
                try connection.execute("ROLLBACK TO all_new", [])
                try connection.execute("RELEASE all_new", [])
                return (received.flatMap { $0 }, nil)
            }
            // All new: answered from the rows once committed, off the writer's thread (what it
            // still has to do once the last part is read delays the commit and the answer).
            if let written { return (nil, written) }
            let known = try await Self.stored(ids: batch.map(\.observation.id), in: db)
            guard let (answers, written) = try await Self.write([batch], known: known, in: db) else {
                throw StoreError.unavailable("an observation was stored while this transaction held the writer")
            }
            return (try answers[0].get(), written)
        }
        let results = answers ?? committed.map { SubmissionResult(stored: $0.stored, outcome: .created) }
        // Remembered by a task of its own: adding a thousand records took 2–6 ms before the
        // answer left, and the feed reads what is not remembered yet from the database. At
        // background priority, so that it runs on a thread of its own rather than take one of
        // the cooperative threads that answer this batch and read the client's next one.
        if let last = committed.last { recentIntake.committed(through: last.sequence) }
        Task(priority: .background) { [recentIntake] in recentIntake.add(committed) }
        if results.contains(where: { $0.outcome == .created }) { announcer.announce() }
        return results
    }

    /// Rows one group commit takes at most.
    static let groupCommitRows = 20_000

    /// The submissions of several requests in one transaction. Each request is planned on its
    /// own, in arrival order, against what is stored and what the requests before it in the
    /// group send: one request's conflicting id refuses that request, not the others.
    ///
    /// Usually every record is new: the group is first planned as if nothing were stored and
    /// written without looking its ids up; the unique index on the ids tells whether one was
    /// stored already (a retry), and then that attempt is undone and the group planned against
    /// the stored records it names.
    func insert(groups: [[ObservationSubmission]]) async -> [Result<[SubmissionResult], any Error>] {
        await GroupCommit.eachAnswered(groups) { groups in
            let (answers, committed) = try await writeTransaction { db in
                _ = try await db.query("SAVEPOINT all_new")
                if let written = try await Self.write(groups, known: [:], in: db) {
                    _ = try await db.query("RELEASE all_new")
                    return written
                }
                _ = try await db.query("ROLLBACK TO all_new")
                _ = try await db.query("RELEASE all_new")
                let known = try await Self.stored(ids: groups.joined().map(\.observation.id), in: db)
                guard let written = try await Self.write(groups, known: known, in: db) else {
                    throw StoreError.unavailable("an observation was stored while this transaction held the writer")
                }
                return written
            }
            recentIntake.add(committed)
            return answers
        }
    }

    /// Plans each group against `known` (stored records by id) and writes what is fresh, with
    /// the sequences after the last stored one, their R*Tree rows and audit entries, in one visit
    /// to the writer's thread. Nil, with rows written, when an id planned as fresh is stored
    /// already: the caller undoes them.
    static func write(_ groups: [[ObservationSubmission]], known: [UUID: StoredObservation],
                      in db: SQLiteWriter) async throws -> ([Result<[SubmissionResult], any Error>], [(sequence: Int64, stored: StoredObservation)])? {
        let (answers, fresh) = SubmissionPlan.groups(groups, existing: known)
        let committed = try await db.statements { connection in
            try writePart(fresh, from: try nextSequence(on: &connection), after: try auditHead(on: &connection), on: &connection)?.committed
        }
        return committed.map { (answers, $0) }
    }

    /// Writes `fresh` as the rows numbered from `first`, with their R*Tree rows and their audit
    /// entries chained after `audited`; answers the rows and the new head of the log. Nil as
    /// soon as a row's id is stored already (the caller undoes what was written).
    static func writePart(_ fresh: [ObservationSubmission], from first: Int64, after audited: AuditHead?,
                          on connection: inout WriterConnection) throws -> (committed: [(sequence: Int64, stored: StoredObservation)], audited: AuditHead?)? {
        var next = first
        var committed: [(sequence: Int64, stored: StoredObservation)] = []
        committed.reserveCapacity(fresh.count)
        for submission in fresh {
            let inserted = try connection.execute("""
                INSERT INTO observations (seq, id, kind, observed_at_ms, received_at_ms, reporter, reporter_team, digest, lat, lon, body, resolution)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING
                """, insertBinds(submission, sequence: next))
            guard inserted == 1 else { return nil }
            if let point = submission.resolution.point {
                try connection.execute("INSERT INTO observations_rtree (seq, min_lat, max_lat, min_lon, max_lon) VALUES (?, ?, ?, ?, ?)",
                                       [.integer(Int(next)), .float(point.lat), .float(point.lat), .float(point.lon), .float(point.lon)])
            }
            var stored = StoredObservation(submission)
            stored.receivedAt = Timestamp.normalised(stored.receivedAt)
            committed.append((next, stored))
            next += 1
        }
        return (committed, try appendAudit(prepared: fresh.map(\.acceptedAudit), after: audited, on: &connection))
    }

    /// The single writer numbers the rows itself (as SQLite would: after the largest).
    static func nextSequence(on connection: inout WriterConnection) throws -> Int64 {
        Int64(try connection.rows("SELECT COALESCE(MAX(seq), 0) AS seq FROM observations", []).first?.column("seq")?.integer ?? 0) + 1
    }

    /// The stored records among `ids`, by id: in the writer's transaction, or on the reader.
    static func stored(ids: [UUID], in db: some SQLiteStatements) async throws -> [UUID: StoredObservation] {
        var known: [UUID: StoredObservation] = [:]
        for chunk in Array(Set(ids.map { $0.uuidString.lowercased() })).chunked(into: insertChunk) {
            let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
            let rows = try await db.query("SELECT \(observationColumns) FROM observations WHERE id IN (\(placeholders))", chunk.map { .text($0) })
            for row in rows {
                let stored = try decodeObservation(row)
                known[stored.observation.id] = stored
            }
        }
        return known
    }

    public func observation(id: UUID) async throws -> StoredObservation? {
        let rows = try await read("SELECT \(Self.observationColumns) FROM observations WHERE id = ?", [.text(id.uuidString.lowercased())])
        return try rows.first.map(Self.decodeObservation)
    }

    public func observations(ids: [UUID]) async throws -> [UUID: StoredObservation] {
        do {
            return try await Self.stored(ids: ids, in: reader)
        } catch let error as SQLiteError {
            throw StoreError.unavailable(error.message)
        }
    }

    public func observations(matching query: ObservationQuery) async throws -> ObservationPage {
        var conditions: [String] = []
        var binds: [SQLiteData] = []
        if let from = query.from {
            conditions.append("observed_at_ms >= ?")
            binds.append(.integer(Int(Timestamp.milliseconds(from))))
        }
        if let to = query.to {
            conditions.append("observed_at_ms < ?")
            binds.append(.integer(Int(Timestamp.milliseconds(to))))
        }
        if !query.kinds.isEmpty {
            let kinds = query.kinds.map(\.rawValue).sorted()
            conditions.append("kind IN (\(Array(repeating: "?", count: kinds.count).joined(separator: ",")))")
            binds.append(contentsOf: kinds.map { .text($0) })
        }
        if let reporter = query.reporter {
            conditions.append("reporter = ?")
            binds.append(.text(reporter))
        }
        if let team = query.reporterTeam {
            conditions.append("reporter_team = ?")
            binds.append(.text(team))
        }
        if let bbox = query.bbox {
            // The R*Tree narrows the search; its 32-bit bounds are rounded outwards, so the exact
            // comparison on the stored coordinates follows.
            conditions.append("seq IN (SELECT seq FROM observations_rtree WHERE max_lat >= ? AND min_lat <= ? AND max_lon >= ? AND min_lon <= ?)")
            conditions.append("lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?")
            binds.append(contentsOf: [bbox.minLat, bbox.maxLat, bbox.minLon, bbox.maxLon, bbox.minLat, bbox.maxLat, bbox.minLon, bbox.maxLon].map { .float($0) })
        }
        if let after = query.after {
            conditions.append("(observed_at_ms > ? OR (observed_at_ms = ? AND id > ?))")
            binds.append(contentsOf: [.integer(Int(after.observedAtMilliseconds)), .integer(Int(after.observedAtMilliseconds)), .text(after.id.uuidString.lowercased())])
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        binds.append(.integer(query.limit + 1))
        let rows = try await read("SELECT \(Self.observationColumns) FROM observations \(whereClause) ORDER BY observed_at_ms, id LIMIT ?", binds)
        let items = try rows.prefix(query.limit).map(Self.decodeObservation)
        let next = rows.count > query.limit ? items.last.map(ObservationCursor.init(after:)) : nil
        return ObservationPage(items: items, next: next)
    }

    public func intake(after sequence: Int64, limit: Int) async throws -> [IntakeEntry] {
        let recent = recentIntake.entries(after: sequence, limit: limit)
        guard let reached = recent.last?.sequence else { return try await storedIntake(after: sequence, limit: limit) }
        // A run cut short by rows committed but not remembered yet (a batch's rows are added
        // after its answer): the rest from the database, so that a short page still means the
        // feed is drained (the incident work then stops its pass).
        if recent.count < limit, recentIntake.committedThrough > reached {
            return recent + (try await storedIntake(after: reached, limit: limit - recent.count))
        }
        return recent
    }

    private func storedIntake(after sequence: Int64, limit: Int) async throws -> [IntakeEntry] {
        try await read("SELECT seq, \(Self.observationColumns) FROM observations WHERE seq > ? ORDER BY seq LIMIT ?",
                       [.integer(Int(sequence)), .integer(limit)]).map { row in
            guard let seq = row.column("seq")?.integer else { throw StoreError.corrupt("an observation row lacks its sequence") }
            return IntakeEntry(sequence: Int64(seq), stored: try Self.decodeObservation(row))
        }
    }

    public func latestIntakeSequence() async throws -> Int64 {
        Int64(try await read("SELECT COALESCE(MAX(seq), 0) AS n FROM observations").first?.column("n")?.integer ?? 0)
    }

    public func observationCount() async throws -> Int {
        try await read("SELECT COUNT(*) AS n FROM observations").first?.column("n")?.integer ?? 0
    }

    func read(_ sql: String, _ binds: [SQLiteData] = []) async throws -> [SQLiteRow] {
        do {
            return try await reader.query(sql, binds)
        } catch let error as SQLiteError {
            throw StoreError.unavailable(error.message)
        }
    }

    static let observationColumns = "reporter, reporter_team, received_at_ms, digest, body, resolution"

    static func insertBinds(_ submission: ObservationSubmission, sequence: Int64) -> [SQLiteData] {
        let observation = submission.observation
        let point = submission.resolution.point
        return [
            .integer(Int(sequence)),
            .text(observation.id.lowercasedText),
            .text(observation.kind.rawValue),
            .integer(Int(Timestamp.milliseconds(observation.observedAt))),
            .integer(Int(Timestamp.milliseconds(submission.receivedAt))),
            .text(submission.reporter),
            submission.reporterTeam.map { .text($0) } ?? .null,
            .text(submission.digest),
            point.map { .float($0.lat) } ?? .null,
            point.map { .float($0.lon) } ?? .null,
            .text(submission.storedBody),
            .text(submission.storedResolution),
        ]
    }

    static func decodeObservation(_ row: some SQLiteColumns) throws -> StoredObservation {
        guard let body = row.column("body")?.string, let resolution = row.column("resolution")?.string,
              let reporter = row.column("reporter")?.string, let digest = row.column("digest")?.string,
              let receivedAt = row.column("received_at_ms")?.integer
        else { throw StoreError.corrupt("an observation row lacks a column") }
        return try StoredObservation.decode(body: body, resolution: resolution, reporter: reporter, reporterTeam: row.column("reporter_team")?.string,
                                            receivedAtMilliseconds: Int64(receivedAt), digest: digest)
    }
}
