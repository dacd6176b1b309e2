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

    @Test func anUnwritableDirectoryIsAClearError() async throws {
        await #expect(throws: StoreError.self) {
            _ = try await SQLiteStore.open(directory: "/proc/backstop-cannot-be-here")
        }
    }
}
