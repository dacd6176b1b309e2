import ArgumentParser
import BackstopCore
import BackstopData
import BackstopSimulation
import BackstopStore
import Foundation

extension BenchCommand {
    /// How fast records become checked incidents, on one core: the simulator's records (spread
    /// over the front like a mission's, with bearings, distance bands and place phrases),
    /// resolved once, then fused in steps of 100 as the deriving node fuses its feed. The
    /// baseline is fusion alone; the subject is fusion with compliance against the sample
    /// agreements, what a node does before its incidents are current.
    struct Incidents: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fuse and check a simulation's records; prints records/s for fusion alone (baseline) and with compliance, and their ratio."
        )

        @Argument(help: "A directory written by `backstop simulate` (observations.ndjson; truth.json names each record's reporter).")
        var directory: String
        @Option(help: "Use at most this many records.") var limit: Int?
        @Option(help: "Then a flood at one place: five patrols, then this many camera records of one camera within a minute (0: none).")
        var flood = 20_000
        /// The deriving node's step (`IncidentWork.stepSize`).
        static let step = 100
        /// What the issue "Scale" asks of fusion and compliance together.
        static let target = 5_000.0

        func validate() throws {
            if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (got \(limit))") }
            guard (0...1_000_000).contains(flood) else { throw ValidationError("--flood must be from 0 to 1000000 (got \(flood))") }
        }

        func run() async throws {
            let records = try Self.records(in: URL(fileURLWithPath: directory), limit: limit)
            guard !records.isEmpty else { throw ValidationError("\(directory)/observations.ndjson holds no records") }
            let agreements = try SampleAgreements.documents().map { try AgreementParser().parse($0.data) }
            let compliance = MissionCompliance(agreements: agreements, settlements: SettlementIndex(try BundledGazetteer.load()))
            let clock = ContinuousClock()
            var engine = FusionEngine()
            let fusion = clock.measure { for record in records { engine.add(record) } }
            var book = IncidentBook(compliance: compliance)
            let checked = clock.measure { for step in records.chunked(into: Self.step) { book.add(Array(step)) } }
            var usage = rusage()
            getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
            let (fusionRate, checkedRate) = (Double(records.count) / (fusion / .seconds(1)), Double(records.count) / (checked / .seconds(1)))
            print(String(format: "%d records, %d incidents", records.count, book.incidents.count))
            print(String(format: "fusion alone (baseline):        %9.0f records/s", fusionRate))
            print(String(format: "fusion and compliance:          %9.0f records/s  (×%.2f the baseline; ×%.2f the %.0f records/s asked for)",
                         checkedRate, checkedRate / fusionRate, checkedRate / Self.target, Self.target))
            print(String(format: "peak memory %.0f MiB", Double(usage.ru_maxrss) / 1024))
            if flood > 0 {
                let flooding = Self.flood(count: flood)
                var flooded = IncidentBook(compliance: compliance)
                let elapsed = clock.measure { for step in flooding.chunked(into: Self.step) { flooded.add(Array(step)) } }
                let rate = Double(flooding.count) / (elapsed / .seconds(1))
                print(String(format: "a flood at one place (%d records, %d incidents): %.2f s, %9.0f records/s  (×%.2f the spread records' rate)",
                             flooding.count, flooded.incidents.count, elapsed / .seconds(1), rate, rate / checkedRate))
            }
        }

        /// Five patrols hear an explosion, then one camera reports `count` explosions at the same
        /// place within a minute: every camera record joins the patrols' group (the costly order).
        static func flood(count: Int) -> [FusionRecord] {
            let start = Date(timeIntervalSince1970: 1_614_634_200)
            var records: [FusionRecord] = []
            for index in 0..<5 {
                let time = start.addingTimeInterval(Double(index * 5))
                let point = GeoPoint(lat: 48.1 + Double(index) / 1_000, lon: 37.8)
                records.append(FusionRecord(id: UUID(), kind: .explosion, start: time, end: time, timeToleranceSeconds: 120, point: point,
                                            radiusMetres: 500, source: "team-\(index)", modality: .heard, count: 3, grade: nil))
            }
            for index in 0..<count {
                let time = start.addingTimeInterval(Double(index % 60))
                var record = FusionRecord(id: UUID(), kind: .explosion, start: time, end: time, timeToleranceSeconds: 30, point: GeoPoint(lat: 48.1, lon: 37.8),
                                          radiusMetres: 250, source: "camera-1", modality: .camera, count: 1, grade: nil)
                record.reporter = "camera-1"
                records.append(record)
            }
            return records
        }

        /// The simulation's records as the deriving node fuses them: parsed, located, reported
        /// by the reporter the truth names (or, without it, as rows of one imported file).
        static func records(in folder: URL, limit: Int?) throws -> [FusionRecord] {
            guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("observations.ndjson").path) else {
                throw ValidationError("\(folder.path)/observations.ndjson is missing; DIR must be written by `backstop simulate --out DIR`")
            }
            let reporters = try FileManager.default.contents(atPath: folder.appendingPathComponent("truth.json").path)
                .map { try SimulationTruth(json: try JSONValue.parse($0)).reporters } ?? [:]
            let resolver = LocationResolver(places: PlaceResolver(
                gazetteer: try BundledGazetteer.load(),
                areas: try SampleAgreements.documents().map { AreaOfOperations(try AgreementParser().parse($0.data)) }))
            let parser = ObservationParser()
            var records: [FusionRecord] = []
            for (index, line) in data.split(separator: 0x0A).enumerated() where !line.isEmpty {
                if let limit, records.count >= limit { break }
                let observation: Observation
                do {
                    observation = try parser.parse(try JSONValue.parse(Data(line)))
                } catch {
                    throw ValidationError("observations.ndjson line \(index + 1): \(error)")
                }
                let reporter = reporters[observation.id]
                records.append(FusionRecord(observation: observation, resolution: resolver.resolve(observation),
                                            reporter: reporter?.reporter ?? ImportRows.reporter(forFile: "observations.ndjson"), reporterTeam: reporter?.team))
            }
            return records
        }
    }
}
