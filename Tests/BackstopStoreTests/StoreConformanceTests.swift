import BackstopCore
import BackstopPostgres
import BackstopSQLite
import BackstopStore
import Foundation
import Testing

/// The behaviour every store must have. Each test runs against every implementation; a new
/// store (PostgreSQL) joins by adding a case to `StoreKind`.
@Suite struct StoreConformanceTests {
    enum StoreKind: String, CaseIterable, CustomTestStringConvertible {
        case memory, sqlite, postgres

        /// PostgreSQL joins when the test script made a database (always in CI, where a missing
        /// database fails the run instead of skipping).
        static var allCases: [StoreKind] {
            TestDatabase.postgresURL != nil || TestDatabase.isCI ? [.memory, .sqlite, .postgres] : [.memory, .sqlite]
        }

        var testDescription: String { rawValue }

        func make() async throws -> any BackstopStore {
            try await makeNodes(1)[0]
        }

        /// `count` handles on one store, as separate nodes (or processes) would hold them.
        func makeNodes(_ count: Int) async throws -> [any BackstopStore] {
            var stores: [any BackstopStore] = []
            switch self {
            case .memory:
                let store = MemoryStore()
                stores = Array(repeating: store, count: count)
            case .sqlite:
                let directory = TemporaryDirectory.make()
                for _ in 0..<count { stores.append(try await SQLiteStore.open(directory: directory)) }
            case .postgres:
                let url = try TestDatabase.freshSchemaURL()
                // The suites check what is stored, not how fast: a served store answers within 5 s or
                // says it is unavailable, but with the whole run on two cores a write of 100
                // incidents racing another node's took longer once (a failed CI run).
                for _ in 0..<count { stores.append(try PostgresStore.open(url: url, operationTimeout: .seconds(60))) }
            }
            for store in stores { try await store.migrate() }
            return stores
        }
    }

    static let start = Timestamp.parse("2021-03-01T00:00:00Z")!

    /// Runs `body` on `count` handles of one fresh store and closes them whatever happens: a
    /// SQLite handle left open stops the whole test process at its deinit, hiding the error.
    func withNodes(_ kind: StoreKind, _ count: Int, _ body: ([any BackstopStore]) async throws -> Void) async throws {
        let nodes = try await kind.makeNodes(count)
        do {
            try await body(nodes)
        } catch {
            for node in nodes { try? await node.close() }
            throw error
        }
        for node in nodes { try await node.close() }
    }

    func observation(_ index: Int, kind: ObservationKind = .explosion, minutes: Int? = nil, location: ObservationLocation? = nil) -> Observation {
        Observation(
            id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))!,
            kind: kind,
            count: 1,
            observedAt: Self.start.addingTimeInterval(Double((minutes ?? index) * 60)),
            modality: .heard,
            observer: ObserverPosition(point: GeoPoint(lat: 48.14, lon: 37.75)),
            location: location ?? .absolute(point: GeoPoint(lat: 48 + Double(index % 10) / 100, lon: 37.5 + Double(index % 7) / 10), accuracyMetres: 100)
        )
    }

    func submission(_ observation: Observation, reporter: String = "patrol-1", team: String? = "team-a") -> ObservationSubmission {
        ObservationSubmission(observation: observation, reporter: reporter, reporterTeam: team, receivedAt: Self.start.addingTimeInterval(86_400))
    }

    func allPages(_ store: any BackstopStore, _ query: ObservationQuery) async throws -> [StoredObservation] {
        var query = query
        var items: [StoredObservation] = []
        while true {
            let page = try await store.observations(matching: query)
            items += page.items
            guard let next = page.next else { return items }
            query.after = next
        }
    }

    // MARK: Tests

    @Test(arguments: StoreKind.allCases)
    func storesAndReadsBackEveryField(kind: StoreKind) async throws {
        let store = try await kind.make()
        var full = observation(1, location: .relativeToObserver(BearingFix(bearingDegrees: 135, bearingErrorDegrees: 5, distance: DistanceBand(minKm: 3, maxKm: 5))))
        full.weapon = WeaponReport(model: "BM-21 Grad", weaponClass: .mlrs, calibreMillimetres: 122, quantity: 2)
        full.grading = AdmiraltyGrade(reliability: .b, credibility: .probablyTrue)
        full.casualties = Casualties(killed: 1, injured: 2, civilian: true)
        full.notes = "Unicode: Авдіївка"
        let sent = submission(full)
        let results = try await store.submit([sent])
        #expect(results.map(\.outcome) == [.created])
        let stored = try #require(try await store.observation(id: full.id))
        #expect(stored.observation == full)
        #expect(stored.reporter == "patrol-1")
        #expect(stored.reporterTeam == "team-a")
        #expect(stored.digest == full.contentDigest)
        #expect(stored.resolution == sent.resolution, "the resolved location is stored beside the form given")
        #expect(stored.resolution.point != nil)
        #expect(try await store.observation(id: UUID()) == nil)
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func readsManyRecordsByTheirIds(kind: StoreKind) async throws {
        let store = try await kind.make()
        let sent = (1...1_200).map { submission(observation($0)) }
        _ = try await store.submit(sent)
        let unknown = UUID()
        // More than one chunk of a query, an id asked twice and one never stored.
        let asked = stride(from: 0, to: sent.count, by: 2).map { sent[$0].observation.id } + [sent[0].observation.id, unknown]
        let found = try await store.observations(ids: asked)
        #expect(Set(found.keys) == Set(asked).subtracting([unknown]))
        for submission in sent {
            guard let stored = found[submission.observation.id] else { continue }
            #expect(stored.observation == submission.observation && stored.digest == submission.digest)
            #expect(stored.reporter == submission.reporter && stored.resolution == submission.resolution)
        }
        #expect(try await store.observations(ids: []).isEmpty)
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func aRetryReturnsTheStoredRecordAndAddsNothing(kind: StoreKind) async throws {
        let store = try await kind.make()
        let first = try await store.submit([submission(observation(1)), submission(observation(2))])
        #expect(first.map(\.outcome) == [.created, .created])
        let again = try await store.submit([submission(observation(1)), submission(observation(3))])
        #expect(again.map(\.outcome) == [.replayed, .created])
        #expect(again[0].stored.receivedAt == first[0].stored.receivedAt)
        #expect(try await store.observationCount() == 3)
        // The retried batch was written after its first attempt was undone (SQLite tries a
        // batch as all new first): the feed has no gap and the replay no second audit entry.
        #expect(try await store.intake(after: 0, limit: 10).map(\.sequence) == [1, 2, 3])
        #expect(try await everyEntry(store).filter { $0.action == "observation.accepted" }.map(\.subject)
                == [1, 2, 3].map { "observation/\(observation($0).id.uuidString.lowercased())" })
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func theSameIdWithOtherContentIsAConflictAndTheBatchStoresNothing(kind: StoreKind) async throws {
        let store = try await kind.make()
        _ = try await store.submit([submission(observation(1))])
        var changed = observation(1)
        changed.count = 9
        await #expect(throws: StoreError.conflict(ids: [changed.id])) {
            try await store.submit([submission(observation(2)), submission(changed)])
        }
        #expect(try await store.observationCount() == 1, "the valid part of a conflicting batch is not stored either")
        await #expect(throws: StoreError.self) {
            try await store.submit([submission(observation(1), reporter: "someone-else")])
        }
        try await store.close()
    }

    /// Many requests at once (SQLite commits them together): each is answered for itself, a
    /// conflict refuses only its own request, the same record sent twice at once is stored once,
    /// and every acknowledged record is there.
    @Test(arguments: StoreKind.allCases)
    func concurrentSubmissionsAreEachAnsweredForThemselves(kind: StoreKind) async throws {
        let store = try await kind.make()
        _ = try await store.submit([submission(observation(1))])
        var changed = observation(1)
        changed.count = 9
        // Request 0 conflicts with what is stored; requests 2 and 3 send the same record.
        let sends = (0..<64).map { index in submission(index == 0 ? changed : observation(index == 3 ? 102 : 100 + index)) }
        let outcomes = await withTaskGroup(of: (Int, Result<[SubmissionResult.Outcome], any Error>).self) { group in
            for (index, sent) in sends.enumerated() {
                group.addTask {
                    do { return (index, .success(try await store.submit([sent]).map(\.outcome))) } catch { return (index, .failure(error)) }
                }
            }
            var all: [Int: Result<[SubmissionResult.Outcome], any Error>] = [:]
            for await (index, outcome) in group { all[index] = outcome }
            return all
        }
        #expect(throws: StoreError.conflict(ids: [changed.id])) { try outcomes[0]!.get() }
        let twins = [try outcomes[2]!.get(), try outcomes[3]!.get()].flatMap { $0 }
        #expect(twins.sorted { $0.rawValue < $1.rawValue } == [.created, .replayed], "\(twins)")
        for index in 4..<64 { #expect(try outcomes[index]!.get() == [.created]) }
        #expect(try await store.observationCount() == 1 + 62)
        #expect(try await store.observation(id: observation(1).id).map(\.observation.count) == 1, "the conflicting request changed nothing")
        try await store.close()
    }

    /// A batch in parts, as the server stores a large request while it is still reading it.
    func parts(_ parts: [[ObservationSubmission]], thenFailing error: (any Error)? = nil) -> AsyncThrowingStream<[ObservationSubmission], any Error> {
        let (stream, continuation) = AsyncThrowingStream<[ObservationSubmission], any Error>.makeStream()
        for part in parts { continuation.yield(part) }
        continuation.finish(throwing: error)
        return stream
    }

    struct ReadingFailed: Error, Equatable {}

    /// A batch sent in parts is one batch: one answer per record in order, replays and
    /// conflicts across parts as within one, nothing stored when a part conflicts or the
    /// reading fails after some parts were written, and one chained audit entry per record.
    @Test(arguments: StoreKind.allCases)
    func aBatchInPartsIsStoredAsOneBatch(kind: StoreKind) async throws {
        let store = try await kind.make()
        let sent = [[1, 2], [3], [4, 1]].map { $0.map { submission(observation($0)) } }
        let results = try await store.submit(parts: parts(sent))
        #expect(results.map(\.outcome) == [.created, .created, .created, .created, .replayed])
        #expect(results.map(\.stored.observation.id) == [1, 2, 3, 4, 1].map { observation($0).id })
        // A retry in other parts replays every record.
        let again = try await store.submit(parts: parts([[submission(observation(4))], [submission(observation(1)), submission(observation(2))]]))
        #expect(again.map(\.outcome) == [.replayed, .replayed, .replayed])
        #expect(again[0].stored.receivedAt == results[3].stored.receivedAt)
        // A conflict in a later part, and a reading that fails after a part: nothing of either.
        var changed = observation(2)
        changed.count = 9
        await #expect(throws: StoreError.conflict(ids: [changed.id])) {
            try await store.submit(parts: parts([[submission(observation(5)), submission(observation(6))], [submission(changed)]]))
        }
        await #expect(throws: ReadingFailed()) {
            try await store.submit(parts: parts([[submission(observation(7))], [submission(observation(8))]], thenFailing: ReadingFailed()))
        }
        #expect(try await store.observationCount() == 4)
        #expect(try await store.intake(after: 0, limit: 10).map(\.sequence) == [1, 2, 3, 4])
        let entries = try await everyEntry(store)
        #expect(entries.map(\.subject) == [1, 2, 3, 4].map { "observation/\(observation($0).id.uuidString.lowercased())" })
        #expect(AuditChain.firstProblem(in: entries) == nil)
        // A batch still being read holds the writer; a request meanwhile is written after it.
        let (open, reading) = AsyncThrowingStream<[ObservationSubmission], any Error>.makeStream()
        reading.yield([submission(observation(10))])
        async let inParts = store.submit(parts: open)
        async let meanwhile = store.submit([submission(observation(20))])
        try await Task.sleep(for: .milliseconds(50))
        reading.yield([submission(observation(11))])
        reading.finish()
        #expect(try await inParts.map(\.outcome) == [.created, .created])
        #expect(try await meanwhile.map(\.outcome) == [.created])
        #expect(try await store.intake(after: 4, limit: 10).map(\.sequence) == [5, 6, 7], "no sequence is left out or taken twice")
        #expect(AuditChain.firstProblem(in: try await everyEntry(store)) == nil)
        // A request given up while its batch is being read (its task cancelled) stores all of
        // the batch or nothing, never the parts read so far (a stream read by a cancelled task
        // ends as if it were finished), and the store still takes writes after it.
        let (abandoned, reader) = AsyncThrowingStream<[ObservationSubmission], any Error>.makeStream()
        reader.yield([submission(observation(30))])
        let cancelled = Task { try await store.submit(parts: abandoned) }
        try await Task.sleep(for: .milliseconds(50))
        cancelled.cancel()
        try await Task.sleep(for: .milliseconds(50))
        reader.yield([submission(observation(31))])
        reader.finish()
        switch await cancelled.result {
        case .success(let results):
            #expect(results.map(\.outcome) == [.created, .created])
            #expect(try await store.observationCount() == 9)
        case .failure(let error):
            #expect(error is CancellationError, "\(error)")
            #expect(try await store.observationCount() == 7, "nothing of the abandoned batch")
        }
        #expect(try await store.submit([submission(observation(40))]).map(\.outcome) == [.created])
        #expect(AuditChain.firstProblem(in: try await everyEntry(store)) == nil)
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func duplicatesInsideOneBatchAreOneRecord(kind: StoreKind) async throws {
        let store = try await kind.make()
        let results = try await store.submit([submission(observation(1)), submission(observation(1))])
        #expect(results.map(\.outcome) == [.created, .replayed])
        #expect(try await store.observationCount() == 1)
        var changed = observation(2)
        changed.count = 5
        await #expect(throws: StoreError.self) { try await store.submit([submission(observation(2)), submission(changed)]) }
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func pagesNeverSkipOrRepeatAndFollowObservedTime(kind: StoreKind) async throws {
        let store = try await kind.make()
        // several records share an observed time, so the id must break ties
        let batch = (1...57).map { submission(observation($0, minutes: $0 / 4)) }
        _ = try await store.submit(batch.shuffled())
        let items = try await allPages(store, ObservationQuery(limit: 10))
        #expect(items.count == 57)
        #expect(Set(items.map(\.observation.id)).count == 57)
        let keys = items.map { (Timestamp.milliseconds($0.observation.observedAt), $0.observation.id.uuidString.lowercased()) }
        #expect(zip(keys, keys.dropFirst()).allSatisfy { $0 < $1 })
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func subMillisecondTimesPageWithoutRepeats(kind: StoreKind) async throws {
        let store = try await kind.make()
        let parser = ObservationParser()
        var batch: [ObservationSubmission] = []
        for (index, fraction) in ["0009", "0004", "0015", "9996"].enumerated() {
            let text = #"{"id":"00000000-0000-4000-8000-00000000000\#(index)","kind":"tracer","observed_at":"2021-03-01T21:30:00.\#(fraction)Z","modality":"saw","location":{"lat":48,"lon":37}}"#
            batch.append(submission(try parser.parse(try JSONValue.parse(text))))
        }
        _ = try await store.submit(batch)
        let items = try await allPages(store, ObservationQuery(limit: 1))
        #expect(items.count == 4)
        #expect(Set(items.map(\.observation.id)).count == 4)
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func filtersMatchTheReferenceFilter(kind: StoreKind) async throws {
        let store = try await kind.make()
        let kinds: [ObservationKind] = [.explosion, .burstsShots, .weaponSighting]
        var batch: [ObservationSubmission] = []
        for index in 1...90 {
            let location: ObservationLocation? = index % 5 == 0 ? .relativeToPlace(place: "Avdiivka", bearingDegrees: nil, distance: nil) : nil
            batch.append(submission(observation(index, kind: kinds[index % 3], location: location),
                                    reporter: "patrol-\(index % 4)", team: index % 2 == 0 ? "team-a" : "team-b"))
        }
        _ = try await store.submit(batch)
        let everything = try await allPages(store, ObservationQuery(limit: 1_000))
        let queries = [
            ObservationQuery(from: Self.start.addingTimeInterval(20 * 60), to: Self.start.addingTimeInterval(50 * 60)),
            ObservationQuery(kinds: [.burstsShots, .weaponSighting]),
            ObservationQuery(reporter: "patrol-1"),
            ObservationQuery(reporterTeam: "team-b"),
            ObservationQuery(bbox: BoundingBox(minLon: 37.6, minLat: 48.02, maxLon: 38.0, maxLat: 48.06)),
            ObservationQuery(from: Self.start.addingTimeInterval(10 * 60), bbox: BoundingBox(minLon: 37.0, minLat: 47.0, maxLon: 38.5, maxLat: 49.0), kinds: [.explosion], reporterTeam: "team-a"),
        ]
        for var query in queries {
            query.limit = 7
            let found = try await allPages(store, query).map(\.observation.id)
            let expected = everything.filter(query.matches).map(\.observation.id)
            #expect(found == expected, "query \(query)")
            #expect(!expected.isEmpty, "the fixture should exercise query \(query)")
        }
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func agreementsKeepEveryVersion(kind: StoreKind) async throws {
        let store = try await kind.make()
        let document = try JSONValue.parse(Data(#"{"id":"test","title":"T","effective_from":"2020-01-01T00:00:00Z","parties":[{"id":"a","name":"A","side":"left","measures_from":"l"},{"id":"b","name":"B","side":"right","measures_from":"l"}],"lines":[{"id":"l","kind":"contact_line","geometry":{"type":"LineString","coordinates":[[37,47],[38,48]]}}]}"#.utf8))
        let agreement = try AgreementParser().parse(document)
        let record = AgreementRecord(document: document, agreement: agreement, savedBy: "supervisor-1", savedAt: Self.start)
        let first = try await store.saveAgreement(record, expectedVersion: nil)
        let second = try await store.saveAgreement(record, expectedVersion: 2)
        #expect(first.version == 1)
        #expect(second.version == 2)
        await #expect(throws: StoreError.versionConflict(agreementID: "test", current: 2)) {
            try await store.saveAgreement(record, expectedVersion: 2)
        }
        #expect(try await store.agreement(id: "test", version: nil)?.version == 2)
        #expect(try await store.agreement(id: "test", version: 1)?.document["version"] == .number(1))
        #expect(try await store.agreement(id: "test", version: 1)?.savedBy == "supervisor-1")
        #expect(try await store.agreement(id: "test", version: 3) == nil)
        #expect(try await store.agreement(id: "other", version: nil) == nil)
        #expect(try await store.latestAgreements().map(\.version) == [2])
        #expect(try await store.agreement(id: "test", version: nil)?.agreement().title == "T")
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func tokensAreFoundByHashOnly(kind: StoreKind) async throws {
        let store = try await kind.make()
        let secret = AccessTokens.generate()
        let record = AccessTokenRecord(hash: AccessTokens.hash(secret), identity: Identity(name: "m1", role: .monitor, team: "t1"), createdAt: Self.start)
        try await store.insertToken(record)
        #expect(try await store.token(hash: AccessTokens.hash(secret)) == record)
        #expect(try await store.token(hash: secret) == nil)
        #expect(try await store.tokenCount() == 1)
        let teamless = AccessTokenRecord(hash: AccessTokens.hash(AccessTokens.generate()), identity: Identity(name: "admin", role: .admin), createdAt: Self.start)
        try await store.insertToken(teamless)
        #expect(try await store.token(hash: teamless.hash) == teamless, "a token without a team reads back")
        await #expect(throws: StoreError.duplicateToken) { try await store.insertToken(record) }
        let sameName = AccessTokenRecord(hash: AccessTokens.hash(AccessTokens.generate()), identity: Identity(name: "m1", role: .party), createdAt: Self.start)
        await #expect(throws: StoreError.duplicateToken, "a party must not take a monitor's name and so its records") {
            try await store.insertToken(sameName)
        }
        try await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentSubmissionsOfTheSameIdsStoreOneRecordEach(kind: StoreKind) async throws {
        let store = try await kind.make()
        let batch = (1...20).map { submission(observation($0)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 { group.addTask { _ = try await store.submit(batch.shuffled()) } }
            try await group.waitForAll()
        }
        #expect(try await store.observationCount() == 20)
        try await store.close()
    }
}

enum TestDatabase {
    static let isCI = ProcessInfo.processInfo.environment["CI"] == "true"
    static let postgresURL = ProcessInfo.processInfo.environment["BACKSTOP_TEST_POSTGRES_URL"]

    struct Missing: Error, CustomStringConvertible {
        var description: String { "BACKSTOP_TEST_POSTGRES_URL is not set: run ./scripts/test.sh, which starts a throwaway PostgreSQL" }
    }

    /// The test database with a schema of its own, so tests never see each other's rows.
    static func freshSchemaURL() throws -> String {
        guard let url = postgresURL else { throw Missing() }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        return url + (url.contains("?") ? "&" : "?") + "schema=\(schema)"
    }
}

enum TemporaryDirectory {
    static func make() -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("backstop-test-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }
}
