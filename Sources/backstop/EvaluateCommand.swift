import ArgumentParser
import BackstopCore
import BackstopData
import BackstopSimulation
import Foundation

struct EvaluateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run fusion and compliance on a simulation's records and print JSON measures against its truth.",
        discussion: "DIR is what `backstop simulate --out DIR` wrote. Prints association precision/recall/F1, the event count error, localisation error and findings precision/recall."
    )

    @Argument(help: "A directory written by `backstop simulate`.") var directory: String

    func run() async throws {
        let folder = URL(fileURLWithPath: directory)
        func read(_ name: String) throws -> Data {
            let url = folder.appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: url.path) else {
                throw ValidationError("\(url.path) is missing; DIR must be written by `backstop simulate --out DIR`")
            }
            return data
        }
        let (_, agreement) = try AgreementSource.load(folder.appendingPathComponent("agreement.json").path)
        let truth: SimulationTruth
        do {
            truth = try SimulationTruth(json: try JSONValue.parse(try read("truth.json")))
        } catch let error as SimulationError {
            throw ValidationError(error.description)
        }
        let parser = ObservationParser(catalogue: agreement.catalogue)
        var observations: [Observation] = []
        for (index, line) in try read("observations.ndjson").split(separator: 0x0A).enumerated() where !line.isEmpty {
            do {
                observations.append(try parser.parse(try JSONValue.parse(Data(line))))
            } catch let failure as ValidationFailure {
                throw ValidationError("observations.ndjson line \(index + 1): " + failure.errors.map { "\($0.path): \($0.reason)" }.joined(separator: "; "))
            } catch {
                throw ValidationError("observations.ndjson line \(index + 1): not JSON (\(error))")
            }
        }
        let report = try Evaluation(agreement: agreement, gazetteer: try BundledGazetteer.load()).run(observations: observations, truth: truth)
        print(String(decoding: JSONValue.prettyData(report), as: UTF8.self))
    }
}
