import ArgumentParser
import BackstopCore
import BackstopStore
import Foundation

struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Check and load escalation policies.",
        subcommands: [Check.self, Load.self]
    )

    /// Reads and checks a file; prints every problem and exits non-zero when there are any.
    static func readPolicy(_ file: String) throws -> (JSONValue, EscalationPolicy) {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
        do {
            let document = try JSONValue.parse(data)
            return (document, try EscalationPolicyParser().parse(document))
        } catch let failure as ValidationFailure {
            throw CLIError(failure, file: file)
        } catch {
            throw CLIError("\(file): not valid JSON: \(JSONErrorDescription.describe(error))")
        }
    }

    static func summary(_ policy: EscalationPolicy) -> String {
        let requests = policy.rules.compactMap(\.request).map(\.type.rawValue)
        return "\(policy.id): \(policy.sectors.count) sector\(policy.sectors.count == 1 ? "" : "s"), \(policy.rules.count) rule\(policy.rules.count == 1 ? "" : "s")"
            + (requests.isEmpty ? "" : " (drafting \(Set(requests).sorted().joined(separator: ", ")) requests)")
            + ", \(policy.partners.count) partner\(policy.partners.count == 1 ? "" : "s"); levels fall after \(NumberRule.format(policy.lowerAfterHours)) h calm"
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Validate a policy file and print a summary (zones are checked by load, against the stored agreement).")

        @Argument(help: "The policy JSON file.")
        var file: String

        func run() async throws {
            let (_, policy) = try PolicyCommand.readPolicy(file)
            print("OK: " + PolicyCommand.summary(policy))
        }
    }

    struct Load: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Validate a policy file against its stored agreement and save it as a new version (a running server uses it at its next tick)."
        )

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Argument(help: "The policy JSON file.")
        var file: String

        @Option(help: "Who is recorded as having saved this version.")
        var savedBy = "backstop policy load"

        func run() async throws {
            let (document, policy) = try PolicyCommand.readPolicy(file)
            let store = try await dataDirectory.open()
            do {
                let agreement = try await policy.agreementID.asyncMap { try await store.agreement(id: $0, version: nil)?.agreement() } ?? nil
                try EscalationPolicyParser().check(policy, against: agreement)
                let stored = try await store.savePolicy(document, policy: policy, savedBy: savedBy, at: Date())
                try await store.close()
                print("Saved \(stored.id) as version \(stored.version).")
            } catch let failure as ValidationFailure {
                try await store.close()
                throw CLIError(failure, file: file)
            } catch let error as StoreError {
                try await store.close()
                throw CLIError(error.description)
            }
        }
    }
}
