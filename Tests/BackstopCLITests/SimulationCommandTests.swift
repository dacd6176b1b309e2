import BackstopCore
import Foundation
import Testing

extension ProcessTests {
@Suite struct SimulationCommandTests {
    @Test func simulateThenEvaluatePrintsTheMeasures() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let simulated = try await BackstopProcess.run(["simulate", "--agreement", "donbas-minsk-sample", "--hours", "6", "--seed", "5", "--out", directory])
        #expect(simulated.status == 0, "\(simulated.stderr)")
        #expect(simulated.stdout.contains("events"))
        for file in ["observations.ndjson", "truth.json", "agreement.json"] {
            #expect(FileManager.default.fileExists(atPath: URL(fileURLWithPath: directory).appendingPathComponent(file).path), "\(file)")
        }
        let evaluated = try await BackstopProcess.run(["evaluate", directory])
        #expect(evaluated.status == 0, "\(evaluated.stderr)")
        let report = try JSONValue.parse(Data(evaluated.stdout.utf8))
        let f1 = try #require(report["association"]?["f1"]?.doubleValue)
        #expect(f1 > 0 && f1 <= 1)
        #expect(report["event_count"]?["relative_error"]?.doubleValue != nil)
        #expect(report["findings"]?["recall"]?.doubleValue != nil)
        #expect(report["order_independent"]?.boolValue == true)
        // The same records through fusion and compliance as the deriving node fuses them, then a flood.
        let bench = try await BackstopProcess.run(["bench", "incidents", directory, "--flood", "40"])
        #expect(bench.status == 0, "\(bench.stderr)")
        #expect(bench.stdout.contains("fusion alone (baseline):") && bench.stdout.contains("fusion and compliance:"), "\(bench.stdout)")
        #expect(bench.stdout.contains("a flood at one place (45 records, "), "\(bench.stdout)")
    }

    @Test func badArgumentsAreNamedAndFail() async throws {
        let unknown = try await BackstopProcess.run(["simulate", "--agreement", "atlantis", "--out", BackstopProcess.temporaryDirectory()])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("--agreement: 'atlantis' is neither a file nor a sample agreement"))
        let hours = try await BackstopProcess.run(["simulate", "--hours", "0", "--out", BackstopProcess.temporaryDirectory()])
        #expect(hours.status != 0)
        #expect(hours.stderr.contains("--hours must be more than 0"))
        let empty = BackstopProcess.temporaryDirectory()
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)
        let missing = try await BackstopProcess.run(["evaluate", empty])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("agreement.json"))
        let nothing = try await BackstopProcess.run(["bench", "incidents", empty])
        #expect(nothing.status != 0)
        #expect(nothing.stderr.contains("observations.ndjson is missing"))
        let flood = try await BackstopProcess.run(["bench", "incidents", empty, "--flood=-3"])
        #expect(flood.status != 0)
        #expect(flood.stderr.contains("--flood must be from 0 to 1000000"))
    }
}
}
