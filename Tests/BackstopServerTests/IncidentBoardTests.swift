@testable import BackstopServer
import BackstopCore
import BackstopStore
import Foundation
import Testing

/// A read of incidents never waits behind fusion: during a flood it answers from the last
/// consistent state within the wait the board states, and says how much it left out.
@Suite struct IncidentBoardTests {
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

    // MARK: Tests

    @Test func aReadDuringAFloodAtOnePlaceAnswersWithinItsWaitAndSaysWhatItLeftOut() async throws {
        let store = MemoryStore()
        let total = try await Self.flood(into: store)
        let board = IncidentBoard(store: store, readWait: .seconds(1))
        defer { board.stop() }
        // Until fusion has built the compliance checker there is nothing to answer from; on a
        // busy machine that can take longer than one wait.
        for _ in 0..<30 {
            do { _ = try await board.read { $0.recordCount }; break } catch StoreError.unavailable {}
        }
        let clock = ContinuousClock()
        var answer: (value: Int, behind: Int64)?
        let waited = try await clock.measure { answer = try await board.read { $0.recordCount } }
        let (fused, behind) = try #require(answer)
        #expect(behind > 0, "the flood is still being fused, so the answer must say it is behind")
        #expect(fused + Int(behind) == total, "the answer is one consistent state: what it holds and what it left out add up")
        // The bound is the board's own (readWait); the margin only absorbs scheduling on a busy
        // machine. Before the fix this read took as long as a whole pass of fusion (a minute).
        #expect(waited < board.readWait + .seconds(4), "a read returned after \(waited), its stated wait is \(board.readWait)")
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
        let board = IncidentBoard(store: store, readWait: .seconds(1))
        try await board.caughtUp()
        let current = try await board.read { $0.recordCount }
        #expect(current.value == 1_500)
        #expect(current.behind == 0)
    }
}
