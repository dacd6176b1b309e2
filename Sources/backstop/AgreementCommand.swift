import ArgumentParser
import BackstopCore
import BackstopSQLite
import BackstopStore
import Foundation

struct AgreementCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agreement", abstract: "Check and load agreement documents.",
        subcommands: [Check.self, Load.self]
    )

    /// Reads and checks a file; prints every problem and exits non-zero when there are any.
    static func readAgreement(_ file: String) throws -> (JSONValue, Agreement) {
        guard let data = FileManager.default.contents(atPath: file) else {
            throw CLIError("cannot read \(file)")
        }
        do {
            let document = try JSONValue.parse(data)
            return (document, try AgreementParser().parse(document))
        } catch let failure as ValidationFailure {
            throw CLIError(failure, file: file)
        } catch {
            throw CLIError("\(file): not valid JSON: \(JSONErrorDescription.describe(error))")
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate an agreement file and print a summary.")

        @Argument(help: "The agreement JSON file.")
        var file: String

        @Flag(help: "Print the summary as JSON.")
        var json = false

        func run() async throws {
            let (_, agreement) = try AgreementCommand.readAgreement(file)
            let summary = AgreementSummary(agreement)
            if json {
                print(String(decoding: summary.jsonValue.canonicalData(), as: UTF8.self))
            } else {
                print("OK: " + summary.text)
            }
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate an agreement file and save it as a new version in the store (a running server sees it at once)."
        )

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Argument(help: "The agreement JSON file.")
        var file: String

        @Option(help: "Who is recorded as having saved this version.")
        var savedBy = "backstop agreement load"

        func run() async throws {
            let (document, agreement) = try AgreementCommand.readAgreement(file)
            let store = try await dataDirectory.open()
            do {
                let stored = try await store.saveAgreement(
                    AgreementRecord(document: document, agreement: agreement, savedBy: savedBy, savedAt: Date()),
                    expectedVersion: agreement.version
                )
                try await store.close()
                print("Saved \(stored.id) as version \(stored.version).")
            } catch let error as StoreError {
                try await store.close()
                throw CLIError(error.description)
            }
        }
    }
}

/// A message for the user and a non-zero exit, without a stack of Swift error text.
struct CLIError: Error, CustomStringConvertible {
    var description: String

    init(_ description: String) {
        self.description = description
    }

    /// Every problem of a document, one line each, by JSON path.
    init(_ failure: ValidationFailure, file: String) {
        var lines = ["\(file): \(failure.errors.count) problem\(failure.errors.count == 1 ? "" : "s")"]
        lines += failure.errors.map { "  \($0.path.isEmpty ? "(document)" : $0.path): \($0.reason)" }
        description = lines.joined(separator: "\n")
    }
}
