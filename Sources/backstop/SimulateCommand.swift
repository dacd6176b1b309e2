import ArgumentParser
import BackstopCore
import BackstopData
import BackstopSimulation
import Foundation

struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate ground-truth events along an agreement's line and the records monitors and sensors would file.",
        discussion: """
        Writes DIR/observations.ndjson (records in arrival order, as the API and `backstop import` take them),
        DIR/truth.json (events, which records describe each, false reports, who filed each record and the
        findings a perfect observer would make) and DIR/agreement.json. The same seed gives the same files.
        """
    )

    @Option(help: "A sample agreement id (\(SampleAgreements.fileNames.joined(separator: ", "))) or an agreement JSON file.")
    var agreement = SampleAgreements.defaultID
    @Option(help: "Hours of simulated time.") var hours = 24.0
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Start of the simulated time (RFC 3339).") var start = Timestamp.format(SimulationScenario.defaultStart)
    @Option(help: "Directory to write to (created if missing).") var out: String
    @Option(name: .customLong("bearing-cameras"), help: "Fixed cameras that report a bearing only (no distance), placed along the line.")
    var bearingCameras = 0
    @Option(name: .customLong("bearing-acoustic"), help: "Acoustic sensors that report a bearing only, placed along the line.")
    var bearingAcoustic = 0
    @Option(name: .customLong("sensor-outages"), help: "Outages per day of each bearing-only sensor (each 2–8 h).")
    var sensorOutages = 0.3

    func validate() throws {
        guard hours > 0, hours <= 24 * 366 else { throw ValidationError("--hours must be more than 0 and at most 8784 (a year)") }
        guard Timestamp.parse(start) != nil else { throw ValidationError("--start must be an RFC 3339 time such as 2021-03-01T00:00:00Z") }
        guard (0...500).contains(bearingCameras) else { throw ValidationError("--bearing-cameras must be between 0 and 500") }
        guard (0...500).contains(bearingAcoustic) else { throw ValidationError("--bearing-acoustic must be between 0 and 500") }
        guard sensorOutages >= 0, sensorOutages <= 24 else { throw ValidationError("--sensor-outages must be between 0 and 24 per day") }
    }

    func run() async throws {
        let (document, parsed) = try AgreementSource.load(agreement)
        var scenario = SimulationScenario(start: Timestamp.parse(start)!, hours: hours, seed: seed)
        scenario.bearingCameraCount = bearingCameras
        scenario.bearingAcousticCount = bearingAcoustic
        scenario.sensorOutagesPerDay = sensorOutages
        let gazetteer = try BundledGazetteer.load()
        let simulator: Simulator
        do {
            simulator = try Simulator(agreement: parsed, gazetteer: gazetteer, scenario: scenario)
        } catch {
            throw ValidationError(error.description)
        }
        let result = try simulator.run()
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try result.observationsNDJSON.write(to: directory.appendingPathComponent("observations.ndjson"))
        try JSONValue.prettyData(result.truthJSON).write(to: directory.appendingPathComponent("truth.json"))
        try document.write(to: directory.appendingPathComponent("agreement.json"))
        let falseCount = result.falseReportIDs.count
        let sensors = result.sensors.isEmpty ? "" : ", \(result.sensors.count) bearing-only sensors (\(result.sensors.map(\.outages.count).reduce(0, +)) outages)"
        print("\(result.events.count) events, \(result.observations.count) records (\(falseCount) false)\(sensors) over \(String(format: "%g", hours)) h along \(parsed.id) → \(out)")
    }
}

/// An agreement named on the command line: a sample id or a file.
enum AgreementSource {
    static func load(_ name: String) throws -> (document: Data, agreement: Agreement) {
        let data: Data
        if FileManager.default.fileExists(atPath: name) {
            data = try Data(contentsOf: URL(fileURLWithPath: name))
        } else if let sample = try SampleAgreements.documents().first(where: { $0.name == name }) {
            data = sample.data
        } else {
            throw ValidationError("--agreement: '\(name)' is neither a file nor a sample agreement (\(SampleAgreements.fileNames.joined(separator: ", ")))")
        }
        do {
            return (data, try AgreementParser().parse(data))
        } catch {
            throw ValidationError("--agreement: \(name) is not a valid agreement: \(error.errors.map { "\($0.path): \($0.reason)" }.joined(separator: "; "))")
        }
    }
}
