import BackstopCore
import Foundation
import Testing

/// `backstop audit verify` recomputes the chain offline and names the first entry that was
/// edited, deleted, inserted or reordered, in a store or in an export, and checks signed
/// checkpoints against a history rewritten with recomputed hashes.
extension ProcessTests {
@Suite struct AuditCommandTests {
    /// A data directory with entries: three tokens (and the first start's own).
    static func dataDirectory() async throws -> String {
        let directory = BackstopProcess.temporaryDirectory()
        for name in ["p1", "p2", "p3"] {
            let made = try await BackstopProcess.run(["token", "create", "--data-dir", directory, "--role", "monitor", "--name", name, "--team", "east"])
            #expect(made.status == 0, "\(made.stderr)")
        }
        return directory
    }

    static func sqlite(_ directory: String, _ statement: String) async throws {
        let status = try await TestPostgres.shell("sqlite3 '\(directory)/backstop.sqlite' \"\(statement)\"")
        #expect(status == 0, "sqlite3 failed on: \(statement)")
    }

    static func verify(_ arguments: [String]) async throws -> BackstopProcess.Output {
        try await BackstopProcess.run(["audit", "verify"] + arguments)
    }

    // MARK: Tests

    @Test func anIntactStoreVerifiesAndAnEditedRowIsNamed() async throws {
        let directory = try await Self.dataDirectory()
        let intact = try await Self.verify(["--data-dir", directory])
        #expect(intact.status == 0, "\(intact.stderr)")
        #expect(intact.stdout.contains("intact: 3 entries"))

        try await Self.sqlite(directory, "UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2")
        let edited = try await Self.verify(["--data-dir", directory])
        #expect(edited.status != 0)
        #expect(edited.stderr.contains("entry 2: edited"), "\(edited.stderr)")
    }

    @Test func aDeletedRowIsNamed() async throws {
        let directory = try await Self.dataDirectory()
        try await Self.sqlite(directory, "DELETE FROM audit_log WHERE seq = 2")
        let deleted = try await Self.verify(["--data-dir", directory])
        #expect(deleted.status != 0)
        #expect(deleted.stderr.contains("entry 3: deleted: entry 2 is missing"), "\(deleted.stderr)")
    }

    @Test func anExportVerifiesAndItsTamperingIsNamed() async throws {
        let directory = try await Self.dataDirectory()
        let file = directory + "/audit.ndjson"
        #expect(try await BackstopProcess.run(["audit", "export", "--data-dir", directory, "--to", file]).status == 0)
        #expect(try await Self.verify(["--file", file]).status == 0)
        var lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n").map(String.init)
        lines.swapAt(0, 1)
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let reordered = try await Self.verify(["--file", file])
        #expect(reordered.status != 0)
        #expect(reordered.stderr.contains("entry 2: reordered"), "\(reordered.stderr)")
    }

    @Test func aSignedCheckpointCatchesAHistoryRewrittenWithNewHashes() async throws {
        let directory = try await Self.dataDirectory()
        let signed = try await BackstopProcess.run(["audit", "checkpoint", "--data-dir", directory])
        #expect(signed.status == 0, "\(signed.stderr)")
        let checkpoint = try JSONValue.parse(signed.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let publicKey = try #require(checkpoint["public_key"]?.stringValue)
        let kept = directory + "/kept-by-partner.ndjson"
        try signed.stdout.write(toFile: kept, atomically: true, encoding: .utf8)

        // Someone with database access rewrites entry 2 and every hash after it (and drops the
        // store's own checkpoints): the chain alone holds, the partner's checkpoint does not.
        let export = directory + "/audit.ndjson"
        #expect(try await BackstopProcess.run(["audit", "export", "--data-dir", directory, "--to", export]).status == 0)
        var previous: (Int64, String)?
        for line in try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n") {
            let entry = try AuditEntry(json: try JSONValue.parse(String(line)))
            var draft = AuditDraft(actor: entry.actor, action: entry.action, subject: entry.subject, body: entry.body)
            if entry.sequence == 2 { draft.actor = "someone-else" }
            let rewritten = draft.entry(after: previous, at: entry.recordedAt)
            previous = (rewritten.sequence, rewritten.hash)
            try await Self.sqlite(directory, "UPDATE audit_log SET actor = '\(rewritten.actor)', previous_hash = '\(rewritten.previousHash)', hash = '\(rewritten.hash)' WHERE seq = \(rewritten.sequence)")
        }
        try await Self.sqlite(directory, "DELETE FROM audit_checkpoints")
        #expect(try await Self.verify(["--data-dir", directory]).status == 0, "the chain alone cannot show a rewrite")
        let caught = try await Self.verify(["--data-dir", directory, "--checkpoints", kept, "--trusted-key", publicKey])
        #expect(caught.status != 0)
        #expect(caught.stderr.contains("checkpoint"), "\(caught.stderr)")
    }
}
}
