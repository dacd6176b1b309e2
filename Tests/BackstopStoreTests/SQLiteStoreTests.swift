import BackstopCore
import BackstopSQLite
import BackstopStore
import Foundation
import Testing

/// What only a file-backed store can show: data outlives the connection, and migrations rerun safely.
@Suite struct SQLiteStoreTests {
    @Test func dataSurvivesClosingAndReopening() async throws {
        let directory = TemporaryDirectory.make()
        let store = try await SQLiteStore.open(directory: directory)
        try await store.migrate()
        let observation = Observation(id: UUID(), kind: .tracer, observedAt: Date(timeIntervalSince1970: 1_600_000_000), modality: .saw,
                                      location: .absolute(point: GeoPoint(lat: 48, lon: 38), accuracyMetres: nil))
        _ = try await store.submit([ObservationSubmission(observation: observation, reporter: "r", reporterTeam: nil, receivedAt: Date())])
        try await store.close()

        let reopened = try await SQLiteStore.open(directory: directory)
        try await reopened.migrate()
        try await reopened.migrate()
        #expect(try await reopened.observation(id: observation.id)?.observation == observation)
        #expect(try await reopened.observationCount() == 1)
        try await reopened.close()
    }

    /// The intake feed is served from what the store just committed (`RecentIntake`); another
    /// handle on the file reads the rows: both must give the same records, as parsed from the
    /// request on one side and from the stored JSON on the other.
    @Test func theFeedFromMemoryEqualsTheFeedFromTheFile() async throws {
        let directory = TemporaryDirectory.make()
        let writer = try await SQLiteStore.open(directory: directory)
        try await writer.migrate()
        let parser = ObservationParser()
        let resolver = LocationResolver()
        let texts = [
            #"{"id":"\#(UUID())","kind":"explosion","observed_at":"2021-03-01T10:00:00.123456Z","observed_until":"2021-03-01T10:01:00.9999Z","modality":"heard","observer":{"lat":48.14,"lon":37.75,"accuracy_m":20},"location":{"bearing_deg":216.4,"bearing_error_deg":10,"distance_km":{"min":4,"max":9}},"count":3}"#,
            #"{"id":"\#(UUID())","kind":"weapon_sighting","observed_at":"2021-03-01T10:00:00Z","modality":"saw","location":{"lat":48.0123456789,"lon":37.7,"accuracy_m":300},"weapon":{"class":"tank","quantity":2}}"#,
        ]
        let submissions = try texts.map { text in
            let observation = try parser.parse(try JSONValue.parse(text))
            return ObservationSubmission(observation: observation, reporter: "r", reporterTeam: "t", receivedAt: Date(timeIntervalSince1970: 1_700_000_000.123456),
                                         resolution: resolver.resolve(observation))
        }
        _ = try await writer.submit(submissions)
        let fromMemory = try await writer.intake(after: 0, limit: 10)
        let reader = try await SQLiteStore.open(directory: directory)
        let fromFile = try await reader.intake(after: 0, limit: 10)
        #expect(fromMemory.count == 2)
        #expect(fromMemory.map(\.sequence) == fromFile.map(\.sequence))
        #expect(fromMemory.map(\.stored) == fromFile.map(\.stored))
        try await reader.close()
        try await writer.close()
    }

    /// The WAL is checkpointed beside the writer (`WALCheckpointer`), and under writes back to
    /// back the log must still start again from its beginning (or it grows without end: a
    /// passive checkpoint beside a write never finds every frame copied when the next write
    /// begins). Each restart counts up the checkpoint sequence in the log's header.
    @Test func theLogStartsAgainUnderWritesBackToBack() async throws {
        let directory = TemporaryDirectory.make()
        let store = try await SQLiteStore.open(directory: directory)
        try await store.migrate()
        @Sendable func batch() -> [ObservationSubmission] {
            (0..<200).map { index in
                let observation = Observation(id: UUID(), kind: .explosion, observedAt: Date(timeIntervalSince1970: 1_600_000_000 + Double(index)),
                                              modality: .heard, location: .absolute(point: GeoPoint(lat: 48 + Double(index) / 1000, lon: 37.7), accuracyMetres: 100))
                return ObservationSubmission(observation: observation, reporter: "r", reporterTeam: nil, receivedAt: Date())
            }
        }
        // Four writers at once keep the writer busy: 40 batches, about four times the frames
        // after which the checkpoint is finished at the gate.
        let writers = 4, batchesEach = 10
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<writers {
                group.addTask { for _ in 0..<batchesEach { _ = try await store.submit(batch()) } }
            }
            try await group.waitForAll()
        }
        let log = URL(fileURLWithPath: directory).appendingPathComponent(SQLiteStore.fileName + "-wal").path
        let header = try #require(FileManager.default.contents(atPath: log)?.prefix(16))
        let restarts = header.suffix(4).reduce(0) { $0 << 8 | Int($1) }
        #expect(restarts >= 3, "the log started again \(restarts) times")
        #expect(try await store.observationCount() == writers * batchesEach * 200)
        try await store.close()
    }

    @Test func anUnwritableDirectoryIsAClearError() async throws {
        await #expect(throws: StoreError.self) {
            _ = try await SQLiteStore.open(directory: "/proc/backstop-cannot-be-here")
        }
    }
}

/// The incidents' changes are served from what the store just wrote (`RecentIncidents`).
@Suite struct RecentIncidentsTests {
    static let start = Date(timeIntervalSince1970: 1_614_634_200.25)

    func incident(_ n: Int) -> StoredIncident {
        let observation = Observation(id: UUID(), kind: .explosion, count: n, observedAt: Self.start + Double(n) * 61.123, modality: .heard,
                                      location: .absolute(point: GeoPoint(lat: 48 + Double(n) / 997, lon: 37.7), accuracyMetres: 250))
        let members = [FusionRecord(observation: observation, resolution: LocationResolver().resolve(observation), reporter: "patrol-1", reporterTeam: "team-a")]
        let summary = IncidentSummary(Incident(members: members), findings: [], id: IncidentIdentity.mintedID(from: observation.id))
        return StoredIncident(id: summary.id, summary: summary, firstSequence: Int64(n), at: Self.start + Double(n) / 3)
    }

    func write(_ incidents: [StoredIncident], to store: SQLiteStore) async throws -> [StoredIncident] {
        try #require(try await store.changeIncidents(incidents.map(\.id), fence: nil) { _ in IncidentWrite(incidents: incidents, actor: "test") })
    }

    /// Another handle on the file reads the rows: both give the same incidents, each once at
    /// its latest revision, whether the writer wrote them or another handle did in between.
    @Test func theChangesFromMemoryEqualTheChangesFromTheFile() async throws {
        let directory = TemporaryDirectory.make()
        let writer = try await SQLiteStore.open(directory: directory)
        try await writer.migrate()
        let other = try await SQLiteStore.open(directory: directory)
        let first = try await write((1...5).map(incident), to: writer)
        var changed = first[1]
        changed.summary.confidence = 0.5
        changed.updatedAt += 0.3333
        _ = try await write([changed], to: writer)
        _ = try await write([incident(6)], to: other)
        _ = try await write([incident(7), first[3]], to: writer)
        for (after, limit) in [(0, 100), (0, 3), (2, 2), (5, 100), (7, 1), (9, 100)] as [(Int64, Int)] {
            let fromWriter = try await writer.incidentChanges(after: after, limit: limit)
            let fromFile = try await other.incidentChanges(after: after, limit: limit)
            #expect(fromWriter == fromFile, "after \(after), at most \(limit)")
        }
        let all = try await writer.incidentChanges(after: 0, limit: 100)
        #expect(all.map(\.revision) == [1, 3, 5, 6, 7, 8, 9])
        #expect(Set(all.map(\.id)).count == all.count, "each incident once")
        try await other.close()
        try await writer.close()
    }
}
