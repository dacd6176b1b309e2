import BackstopCore
import Foundation

/// The parsers that take input from outside, each as a function libFuzzer can call with any
/// bytes. A target returns normally for input it refuses; a crash, a hang or a broken
/// invariant (`require`) is a bug. The test suite replays every file of the kept corpus
/// (`fuzz/corpus/<name>/`) through the same functions.
public enum FuzzTargets {
    public static let all: [String: @Sendable (Data) -> Void] = [
        "json": json,
        "timestamp": timestamp,
        "observation-json": observationJSON,
        "agreement-json": agreementJSON,
        "csv-import": csvImport,
        "place-phrase": placePhrase,
    ]

    /// A parsed document written canonically reads back as the same document.
    static func json(_ data: Data) {
        guard let value = try? JSONValue.parse(data) else { return }
        require((try? JSONValue.parse(value.canonicalData())) == value, "canonical JSON did not read back as the same value")
    }

    /// An accepted time, written out and read again, is the same instant to the millisecond.
    static func timestamp(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8), case .success(let date) = Timestamp.parseStrictly(text) else { return }
        let written = Timestamp.format(date)
        require(Timestamp.parse(written) == Timestamp.normalised(date), "\(text) was written as \(written), which reads back differently")
    }

    /// An accepted observation, as the store writes it and reads it back, is the same observation.
    static func observationJSON(_ data: Data) {
        guard let value = try? JSONValue.parse(data), let observation = try? ObservationParser().parse(value) else { return }
        let stored = observation.jsonValue.canonicalData()
        let reread = (try? JSONValue.parse(stored)).flatMap { try? ObservationParser().parse($0) }
        require(reread == observation, "an accepted observation does not read back from its stored form")
    }

    static func agreementJSON(_ data: Data) {
        _ = try? AgreementParser().parse(data)
    }

    /// Every row of an import file, in each format, is either refused with a reason or parsed.
    static func csvImport(_ data: Data) {
        for format in ImportFormat.allCases {
            guard let rows = try? ImportRows.read(data, format: format) else { continue }
            for row in rows {
                if case .success(let value) = row.value { _ = try? ObservationParser().parse(value) }
            }
        }
    }

    static func placePhrase(_ data: Data) {
        guard let text = String(data: data, encoding: .utf8) else { return }
        _ = try? PlacePhrase.parse(text)
    }

    /// Stops the process loudly, so libFuzzer saves the input that broke the invariant.
    static func require(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fatalError("fuzz invariant broken: \(message())") }
    }
}
