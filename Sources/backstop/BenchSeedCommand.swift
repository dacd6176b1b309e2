import ArgumentParser
import BackstopCore
import BackstopStore
import Foundation

extension BenchCommand {
    /// Fills a store with synthetic incidents for the read benchmarks (`benchmarks/features.sh`):
    /// written straight into the incident records, as the deriving node writes them, since
    /// fusing a million records first would measure fusion instead.
    struct SeedIncidents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seed-incidents",
            abstract: "Write synthetic incidents (spread over an area and a year) into an empty store, for read benchmarks."
        )

        @OptionGroup var dataDirectory: DataDirectoryOption
        @Option(help: "How many incidents.") var count = 1_000_000
        @Option(help: "The area: west,south,east,north in degrees.") var area = "36.5,46.5,40.5,49.5"
        @Option(help: "Random seed.") var seed: UInt64 = 11

        func validate() throws {
            guard (1...5_000_000).contains(count) else { throw ValidationError("--count must be from 1 to 5000000 (got \(count))") }
            guard case .success = BoundingBox.parse(area) else { throw ValidationError("--area must be west,south,east,north in degrees (got '\(area)')") }
        }

        func run() async throws {
            guard case .success(let box) = BoundingBox.parse(area) else { return }
            try await dataDirectory.withStore { store in
                guard try await store.incidentProgress().revision == 0 else {
                    throw ValidationError("the store holds incidents already; seed an empty one")
                }
                var random = SplitMix64(seed: seed)
                let template = try Self.template()
                let start = Date(timeIntervalSince1970: 1_609_459_200) // 2021-01-01
                let kinds = ["explosion", "bursts_shots", "explosion", "projectile", "muzzle_flash", "weapon_sighting"]
                var written = 0
                let clock = ContinuousClock(), began = clock.now
                while written < count {
                    var batch: [StoredIncident] = []
                    for index in written..<min(written + 5_000, count) {
                        var summary = template
                        summary.id = UUID()
                        summary.kind = kinds[Int(random.next() % UInt64(kinds.count))]
                        let time = start.addingTimeInterval(Double(random.next() % (365 * 86_400)))
                        summary.start = Timestamp.format(time)
                        summary.end = Timestamp.format(time.addingTimeInterval(Double(random.next() % 600)))
                        summary.location = IncidentSummary.Location(
                            lat: box.minLat + Double(random.next() % 1_000_000) / 1_000_000 * (box.maxLat - box.minLat),
                            lon: box.minLon + Double(random.next() % 1_000_000) / 1_000_000 * (box.maxLon - box.minLon),
                            radiusM: 300 + Double(random.next() % 1_500))
                        summary.estimatedEvents = 1 + Int(random.next() % 5)
                        summary.observationIDs = [UUID()]
                        batch.append(StoredIncident(id: summary.id, summary: summary, firstSequence: Int64(index + 1), at: time))
                    }
                    let seeded = batch
                    _ = try await store.changeIncidents([], fence: nil) { _ in IncidentWrite(incidents: seeded, actor: "bench") }
                    written += batch.count
                }
                let seconds = (clock.now - began) / .seconds(1)
                print(String(format: "seeded %d incidents in %.1f s", written, seconds))
            }
        }

        /// One incident as fusion writes it, whose place, time and kind each seeded one changes.
        static func template() throws -> IncidentSummary {
            let text = #"""
            {"analyst_edited":false,"casualties":null,"confidence":0.64,"direction":"incoming","end":"2021-01-01T00:00:00.000Z",
             "estimated_events":1,"findings":[],"grades":["B2"],"id":"00000000-0000-4000-8000-000000000000","independent_sources":1,
             "kind":"explosion","live_fire_training":false,"location":{"lat":48,"lon":38,"radius_m":500},"modalities":["heard"],
             "observation_ids":[],"record_count":1,"reportable":true,"sources":["bench"],"start":"2021-01-01T00:00:00.000Z","weapons":[]}
            """#
            return try JSONDecoder().decode(IncidentSummary.self, from: Data(text.utf8))
        }
    }
}
