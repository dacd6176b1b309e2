import ArgumentParser
import BackstopCore
import BackstopData
import Foundation

struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "bench", abstract: "Measure speed (build with -c release).", subcommands: [Fusion.self, Incidents.self, SeedIncidents.self])

    struct Fusion: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fuse synthetic records (30 days along a 300 km front) at several sizes; prints seconds, records/s and the ratio to the first size."
        )

        @Option(help: "Comma-separated record counts; the first is the baseline.") var sizes = "100000,1000000"
        @Option(help: "Random seed.") var seed: UInt64 = 7

        func run() async throws {
            let counts = sizes.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 && $0 <= 5_000_000 }) else {
                throw ValidationError("--sizes must be positive record counts up to 5000000, e.g. 100000,1000000")
            }
            var baseline: Double?
            for count in counts {
                let records = Self.records(count: count, seed: seed)
                let clock = ContinuousClock()
                var engine = FusionEngine()
                var incidents = 0
                let elapsed = clock.measure {
                    for record in records { engine.add(record) }
                    incidents = engine.incidents().count
                }
                let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
                let rate = Double(count) / seconds
                baseline = baseline ?? rate
                var usage = rusage()
                getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
                print(String(format: "%9d records: %7.2f s, %9.0f records/s, %8d incidents, rate ×%.2f of the %d-record baseline, peak memory %.0f MiB",
                             count, seconds, rate, incidents, rate / baseline!, counts[0], Double(usage.ru_maxrss) / 1024))
            }
        }

        /// Events along a front near Donetsk over 30 days; each heard by 1–3 patrols.
        static func records(count: Int, seed: UInt64) -> [FusionRecord] {
            var random = SplitMix64(seed: seed)
            let start = Date(timeIntervalSince1970: 1_614_556_800)
            var records: [FusionRecord] = []
            records.reserveCapacity(count)
            while records.count < count {
                let lat = 47.0 + Double(random.next() % 1_000_000) / 1_000_000 * 1.8
                let lon = 37.5 + Double(random.next() % 1_000_000) / 1_000_000 * 1.8
                let time = start.addingTimeInterval(Double(random.next() % (30 * 86_400)))
                let kind: ObservationKind = [.explosion, .burstsShots, .explosion, .projectile][Int(random.next() % 4)]
                for patrol in 0..<(1 + Int(random.next() % 3)) where records.count < count {
                    let offset = Double(random.next() % 600) / 100_000
                    records.append(FusionRecord(
                        id: UUID(), kind: kind, start: time.addingTimeInterval(Double(random.next() % 60)), end: time.addingTimeInterval(60),
                        timeToleranceSeconds: 120, point: GeoPoint(lat: lat + offset, lon: lon - offset), radiusMetres: 600 + Double(patrol) * 300,
                        source: "team-\(patrol)", modality: .heard, count: 1 + Int(random.next() % 5), grade: nil
                    ))
                }
            }
            return records
        }
    }
}
