import ArgumentParser
import BackstopCore
import BackstopStore
import Crypto
import Foundation

/// The audit log from the command line: verify it offline, export it, sign a checkpoint.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Verify, export and sign the audit log (a hash chain of every change).",
        subcommands: [Verify.self, Export.self, Checkpoint.self])

    /// Every entry of a store, in order.
    static func entries(of store: any BackstopStore) async throws -> [AuditEntry] {
        var entries: [AuditEntry] = []
        while true {
            let page = try await store.auditEntries(after: entries.last?.sequence ?? 0, limit: 5_000)
            if page.isEmpty { return entries }
            entries += page
        }
    }

    /// Reads NDJSON lines, each a JSON object, with the line number for messages.
    static func lines(of file: String) throws -> [(number: Int, value: JSONValue)] {
        guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("\(file): cannot be read") }
        var lines: [(number: Int, value: JSONValue)] = []
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let text = line.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { continue }
            do { lines.append((index + 1, try JSONValue.parse(text))) } catch { throw CLIError("\(file) line \(index + 1): not JSON: \(error.description)") }
        }
        return lines
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute the chain and check signed checkpoints; exit 1 naming the first entry edited, deleted, inserted or reordered.")

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Option(help: "Verify an export (from `backstop audit export`) instead of a store.")
        var file: String?

        @Option(help: "Checkpoints kept elsewhere (NDJSON, as `backstop audit checkpoint` prints them) to check the log against, besides the store's own.")
        var checkpoints: String?

        @Option(help: "The mission's public key (base64, as checkpoints show it); checkpoints signed with another key fail. Without it a checkpoint is checked against the key it names.")
        var trustedKey: String?

        func run() async throws {
            var entries: [AuditEntry] = []
            var kept: [AuditCheckpoint] = []
            if let file {
                for (number, value) in try AuditCommand.lines(of: file) {
                    do { entries.append(try AuditEntry(json: value)) } catch { throw CLIError("\(file) line \(number): \(error.description)") }
                }
            } else {
                (entries, kept) = try await dataDirectory.withStore { store in
                    (try await AuditCommand.entries(of: store), try await store.auditCheckpoints())
                }
            }
            if let checkpoints {
                for (number, value) in try AuditCommand.lines(of: checkpoints) {
                    guard let checkpoint = AuditCheckpoint(json: value) else { throw CLIError("\(checkpoints) line \(number): not a checkpoint") }
                    kept.append(checkpoint)
                }
            }
            let source = file ?? dataDirectory.description
            if let problem = AuditChain.firstProblem(in: entries) ?? AuditChain.firstProblem(in: entries, checkpoints: kept, trustedKey: trustedKey) {
                throw CLIError("audit log of \(source) is NOT intact: \(problem)")
            }
            let head = entries.last.map { "head \($0.sequence) \($0.hash)" } ?? "empty"
            print("audit log of \(source) is intact: \(entries.count) entries, \(head); \(kept.count) signed checkpoint\(kept.count == 1 ? "" : "s") verified")
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write every entry as one canonical JSON line (to standard output or --to FILE).")

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Option(help: "The file to write (default: standard output).")
        var to: String?

        func run() async throws {
            let entries = try await dataDirectory.withStore { try await AuditCommand.entries(of: $0) }
            var text = ""
            for entry in entries { text += CanonicalJSON.string(entry.jsonValue) + "\n" }
            if let to {
                guard FileManager.default.createFile(atPath: to, contents: Data(text.utf8)) else { throw CLIError("\(to): cannot be written") }
                print("wrote \(entries.count) entries to \(to)")
            } else {
                FileHandle.standardOutput.write(Data(text.utf8))
            }
        }
    }

    struct Checkpoint: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Sign the log's head with the mission's Ed25519 key, keep the checkpoint in the store and print it (give it to the partners).")

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Option(help: "The mission's signing key (created, mode 600, if the file does not exist). Default: audit-signing-key in the data directory.")
        var key: String?

        func run() async throws {
            let keyFile = key ?? URL(fileURLWithPath: dataDirectory.path).appendingPathComponent("audit-signing-key").path
            let signingKey = try Self.loadOrCreateKey(at: keyFile)
            let checkpoint = try await dataDirectory.withStore { store in
                guard let head = try await store.auditHead() else { throw CLIError("the audit log is empty: nothing to sign yet") }
                let checkpoint = try AuditCheckpoint.sign(head, with: signingKey, at: Date())
                try await store.saveCheckpoint(checkpoint)
                return checkpoint
            }
            print(CanonicalJSON.string(checkpoint.jsonValue))
        }

        static func loadOrCreateKey(at path: String) throws -> Curve25519.Signing.PrivateKey {
            if let data = FileManager.default.contents(atPath: path) {
                guard let raw = Data(base64Encoded: String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)),
                      let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
                    throw CLIError("\(path) does not hold an Ed25519 signing key (base64 of 32 bytes)")
                }
                return key
            }
            let key = Curve25519.Signing.PrivateKey()
            try? FileManager.default.createDirectory(atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: Data((key.rawRepresentation.base64EncodedString() + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw CLIError("\(path): the signing key cannot be written")
            }
            FileHandle.standardError.write(Data("created the mission's audit signing key in \(path) (public key \(key.publicKey.rawRepresentation.base64EncodedString())); keep it safe\n".utf8))
            return key
        }
    }
}
