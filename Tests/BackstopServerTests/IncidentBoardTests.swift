@testable import BackstopServer
import BackstopCore
import BackstopStore
import Foundation
import Testing

/// A read of incidents during a flood answers with what is fused so far and says how much is
/// missing, instead of hanging until fusion catches up.
@Suite struct IncidentBoardTests {
    @Test func aReadWaitsOnlySoLongAndSaysHowManyRecordsItLeftOut() async throws {
        let store = MemoryStore()
        let start = Timestamp.parse("2021-03-01T00:00:00Z")!
        let submissions = (0..<2_500).map { index in
            ObservationSubmission(
                observation: Observation(id: UUID(), kind: .explosion, count: 1, observedAt: start.addingTimeInterval(Double(index * 60)),
                                         modality: .heard, location: .absolute(point: GeoPoint(lat: 48 + Double(index % 50) / 100, lon: 37.8), accuracyMetres: 100)),
                reporter: "sensor-\(index % 3)", reporterTeam: nil, receivedAt: start)
        }
        _ = try await store.submit(submissions)
        // No follower runs here, so only reads move the board: one page (1,000 records) per pass.
        let board = IncidentBoard(store: store, readWait: .zero)
        let first = try await board.read { $0.recordCount }
        #expect(first.value == 1_000)
        #expect(first.behind == 1_500, "the answer says how many committed records it does not reflect")
        try await board.caughtUp()
        let current = try await board.read { $0.recordCount }
        #expect(current.value == 2_500)
        #expect(current.behind == 0)
    }
}
