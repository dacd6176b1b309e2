@testable import BackstopServer
import BackstopCore
import BackstopStore
import Foundation
import Testing

/// A read of incidents never waits behind fusion: during a flood it answers from the last
/// consistent state within the wait the board states, and says how much it left out. (The
/// time limit: a test that cannot finish fails instead of holding the whole run.)
@Suite(.timeLimit(.minutes(10))) struct IncidentBoardTests {
    /// One legal batch of 1,000 explosions at one place and time from one camera, and five
    /// other reporters nearby: fusion of it takes far longer than a read may wait.
    static func flood(into store: MemoryStore) async throws -> Int {
        let start = Timestamp.parse("2021-03-01T21:30:00Z")!
        let patrols = (0..<5).map { index in
            ObservationSubmission(
                observation: Observation(id: UUID(), kind: .explosion, count: 3, observedAt: start.addingTimeInterval(Double(index * 5)),
                                         modality: .heard, location: .absolute(point: GeoPoint(lat: 48.1 + Double(index) / 1_000, lon: 37.8), accuracyMetres: 500)),
                reporter: "patrol-\(index)", reporterTeam: "team-\(index)", receivedAt: start)
        }
        let camera = (0..<1_000).map { index in
            ObservationSubmission(
                observation: Observation(id: UUID(), kind: .explosion, count: 1, observedAt: start.addingTimeInterval(Double(index % 60)),
                                         modality: .camera, location: .absolute(point: GeoPoint(lat: 48.1, lon: 37.8), accuracyMetres: 200)),
                reporter: "camera-1", reporterTeam: nil, receivedAt: start)
        }
        // The patrols first: each camera record then joins the growing group, the costly order.
        let submissions = patrols + camera
        _ = try await store.submit(submissions)
        return submissions.count
    }

    /// A node's incident work holding the lease, and its board.
    static func node(on store: MemoryStore) async -> (work: IncidentWork, board: IncidentBoard) {
        let work = IncidentWork(store: store, node: "test-node", leaseDuration: 3_600, now: { Date() })
        await work.renew()
        return (work, IncidentBoard(store: store, work: work, readWait: .seconds(1)))
    }

    static func recordCount(_ entries: [UUID: IncidentBoard.Entry]) -> Int {
        entries.values.filter { !$0.incident.isRetired }.map(\.incident.summary.recordCount).reduce(0, +)
    }

    // MARK: Tests

    @Test func aReadDuringAFloodAtOnePlaceAnswersBeforeFusionEndsAndSaysWhatItLeftOut() async throws {
        let store = MemoryStore()
        let total = try await Self.flood(into: store)
        let (work, board) = await Self.node(on: store)
        defer { work.stop() }
        // Answered while the flood is still being fused (before the fix this read waited for a
        // whole pass of fusion), and saying so. No wall-clock bound is asserted: on a loaded
        // machine the wait's own timer fires late; that it answered before fusion finished is
        // what the behind count shows.
        let (_, behind) = try await board.read(Self.recordCount)
        #expect(behind > 0, "the flood is still being fused, so the answer must say it is behind")
        try await board.caughtUp()
        let current = try await board.read(Self.recordCount)
        #expect(current.value == total, "once caught up, the stored incidents hold every record")
        #expect(current.behind == 0)
    }

    @Test func aReadAfterCatchingUpIsCurrent() async throws {
        let store = MemoryStore()
        let start = Timestamp.parse("2021-03-01T00:00:00Z")!
        let submissions = (0..<1_500).map { index in
            ObservationSubmission(
                observation: Observation(id: UUID(), kind: .explosion, count: 1, observedAt: start.addingTimeInterval(Double(index * 60)),
                                         modality: .heard, location: .absolute(point: GeoPoint(lat: 48 + Double(index % 50) / 100, lon: 37.8), accuracyMetres: 100)),
                reporter: "sensor-\(index % 3)", reporterTeam: nil, receivedAt: start)
        }
        _ = try await store.submit(submissions)
        let (work, board) = await Self.node(on: store)
        defer { work.stop() }
        try await board.caughtUp()
        let current = try await board.read(Self.recordCount)
        #expect(current.value == 1_500)
        #expect(current.behind == 0)
    }

    @Test func theIntakeCountsAsBusyWhileARequestRunsAndForItsQuietTimeAfter() {
        let intake = IntakeActivity()
        #expect(!intake.isBusy(quiet: .seconds(60)))
        intake.began()
        #expect(intake.isBusy(quiet: .zero))
        intake.ended(accepted: 1_000)
        #expect(intake.isBusy(quiet: .seconds(60)), "a client sending back to back is between two batches")
        #expect(!intake.isBusy(quiet: .zero))
        #expect(intake.accepted == 1_000)
    }

    @Test func workGivingWayToAnIntakeThatNeverPausesStillCatchesUp() async throws {
        let store = MemoryStore()
        let start = Timestamp.parse("2021-03-01T00:00:00Z")!
        _ = try await store.submit((0..<500).map { index in
            ObservationSubmission(
                observation: Observation(id: UUID(), kind: .explosion, count: 1, observedAt: start.addingTimeInterval(Double(index * 60)),
                                         modality: .heard, location: .absolute(point: GeoPoint(lat: 48 + Double(index % 50) / 100, lon: 37.8), accuracyMetres: 100)),
                reporter: "sensor-\(index % 3)", reporterTeam: nil, receivedAt: start)
        })
        // A request that never ends: the work waits for it only up to its bound.
        let intake = IntakeActivity()
        intake.began()
        // An hour's lease, as in `node(on:)`: nothing renews it here, and on a loaded machine
        // (the whole suite in parallel, debug build) this test has taken over a minute; a lease
        // that ran out refused every write and the work began again forever (a CI run hung on it).
        let work = IncidentWork(store: store, node: "test-node", leaseDuration: 3_600, now: { Date() }, intake: intake)
        await work.renew()
        let board = IncidentBoard(store: store, work: work, readWait: .seconds(1))
        defer { work.stop() }
        try await board.caughtUp()
        let current = try await board.read(Self.recordCount)
        #expect(current.value == 500)
        #expect(current.behind == 0)
    }

    @Test func aNodeWithoutTheWorkServesWhatAnotherNodeStored() async throws {
        let store = MemoryStore()
        _ = try await Self.flood(into: store)
        let (work, writer) = await Self.node(on: store)
        defer { work.stop() }
        try await writer.caughtUp()
        // A second node: it never derives anything, it reads what is stored.
        let reader = IncidentBoard(store: store, work: nil, readWait: .seconds(1))
        let read = try await reader.read { $0 }
        #expect(read.behind == 0)
        #expect(Self.recordCount(read.value) == Self.recordCount(await writer.entries))
        #expect(Set(read.value.keys) == Set(await writer.entries.keys), "both nodes show the same incident ids")
    }
}
