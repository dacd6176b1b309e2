import BackstopCore
import Crypto
import Foundation
import Testing

/// The audit log's pure parts: canonical JSON, the hash chain and signed checkpoints.
@Suite struct AuditTests {
    static let start = Timestamp.parse("2021-03-01T21:30:00Z")!

    static func chain(_ count: Int) -> [AuditEntry] {
        var entries: [AuditEntry] = []
        for index in 0..<count {
            let draft = AuditDraft(actor: "analyst-\(index % 3)", action: "observation.accepted", subject: "observation/\(index)",
                                   body: .object(["count": .integer(index), "note": .string("é \"quoted\" \n")]))
            entries.append(draft.entry(after: entries.last.map { ($0.sequence, $0.hash) }, at: start.addingTimeInterval(Double(index))))
        }
        return entries
    }

    // MARK: Tests

    @Test(arguments: [
        (333_333_333.333_333_29, "333333333.3333333"), (1e30, "1e+30"), (4.50, "4.5"), (2e-3, "0.002"),
        (0.000_000_000_000_000_000_000_000_001, "1e-27"), (1e21, "1e+21"), (1e20, "100000000000000000000"),
        (-0.0, "0"), (5e-324, "5e-324"), (1.797_693_134_862_315_7e308, "1.7976931348623157e+308"),
        (-1.5e-7, "-1.5e-7"), (0.1, "0.1"), (123.456, "123.456"), (1e-6, "0.000001"), (1e-7, "1e-7"),
    ])
    func numbersAreWrittenAsECMAScriptWritesThem(number: Double, expected: String) {
        #expect(CanonicalJSON.string(.number(number)) == expected)
    }

    @Test func objectsAndStringsAreCanonical() throws {
        // RFC 8785's own example of string escaping, and keys sorted by UTF-16 code units.
        let value = try JSONValue.parse(#"{"b":[1,true,null],"a":"\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/","\u20ac":1,"\ud83d\ude00":2,"\u0080":3}"#)
        #expect(CanonicalJSON.string(value) == "{\"a\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\",\"b\":[1,true,null],\"\u{80}\":3,\"€\":1,\"😀\":2}", "U+20AC sorts before U+1F600, whose first UTF-16 unit is 0xD83D")
    }

    @Test func preparedDraftsChainToTheSameEntries() {
        // Stores chain drafts prepared before their write transaction; the hash they write by
        // hand must be the canonical content's, for any text and any time.
        let texts = ["analyst-1", "é \"quoted\" \n", "tab\there\\", "\u{1}\u{1F}ctl", "😀 €", "", "observation/\(UUID().uuidString.lowercased())"]
        var random = SystemRandomNumberGenerator()
        for round in 0..<40 {
            let drafts = (0..<5).map { index in
                AuditDraft(actor: texts.randomElement(using: &random)!, action: texts.randomElement(using: &random)!, subject: texts.randomElement(using: &random)!,
                           body: .object(["n": .integer(index), "x": .number(Double(round) / 7), "t": .string(texts.randomElement(using: &random)!),
                                          "list": .array([.null, .bool(true)])]))
            }
            let time = Self.start.addingTimeInterval(Double(round) * 1_234.567_891)
            let head: (sequence: Int64, hash: String)? = round == 0 ? nil : (Int64(round * 10), String(repeating: "ab", count: 32))
            var expected: [AuditEntry] = []
            for draft in drafts { expected.append(draft.entry(after: expected.last.map { ($0.sequence, $0.hash) } ?? head, at: time)) }
            let chained = PreparedAuditDraft.chain(drafts.map(PreparedAuditDraft.init), after: head, at: time)
            #expect(chained.map(\.entry) == expected)
            #expect(chained.map(\.bodyText) == expected.map { CanonicalJSON.string($0.body) })
            #expect(chained.allSatisfy { $0.entry.hash == $0.entry.computedHash })
        }
    }

    @Test func anIntactChainVerifies() {
        #expect(AuditChain.firstProblem(in: Self.chain(50)) == nil)
    }

    @Test func anEditedEntryIsNamed() {
        var entries = Self.chain(10)
        entries[4].body = .object(["count": .integer(400)])
        #expect(AuditChain.firstProblem(in: entries)?.sequence == 5)
        #expect(AuditChain.firstProblem(in: entries)?.kind == .edited)
    }

    @Test func anEditedEntryWithItsHashRecomputedBreaksTheNextLink() {
        var entries = Self.chain(10)
        entries[4].actor = "someone-else"
        entries[4].hash = entries[4].computedHash
        let problem = AuditChain.firstProblem(in: entries)
        #expect(problem?.sequence == 6)
        #expect(problem?.kind == .unlinked)
    }

    @Test func aDeletedEntryIsNamed() {
        var entries = Self.chain(10)
        entries.remove(at: 3)
        #expect(AuditChain.firstProblem(in: entries) == AuditChain.Problem(sequence: 5, kind: .deleted, detail: "entry 4 is missing before it"))
    }

    @Test func anInsertedEntryIsNamed() {
        var entries = Self.chain(10)
        let forged = AuditDraft(actor: "x", action: "token.created", subject: "token/x", body: .null).entry(after: (entries[5].sequence, entries[5].hash), at: Self.start)
        entries.insert(forged, at: 6)
        let problem = AuditChain.firstProblem(in: entries)
        #expect(problem?.sequence == 7)
        #expect(problem?.kind == .inserted)
    }

    @Test func reorderedEntriesAreNamed() {
        var entries = Self.chain(10)
        entries.swapAt(2, 3)
        let problem = AuditChain.firstProblem(in: entries)
        #expect(problem?.sequence == 4)
        #expect(problem?.kind == .reordered)
    }

    @Test func anEntryReadsBackFromItsExportLine() throws {
        for entry in Self.chain(5) {
            let line = CanonicalJSON.data(entry.jsonValue)
            #expect(try AuditEntry(json: try JSONValue.parse(line)) == entry)
        }
    }

    @Test func aSignedCheckpointCatchesARewrittenHistory() throws {
        let key = Curve25519.Signing.PrivateKey()
        let entries = Self.chain(20)
        let checkpoint = try AuditCheckpoint.sign(entries[9], with: key, at: Self.start)
        let trusted = key.publicKey.rawRepresentation.base64EncodedString()
        #expect(AuditChain.firstProblem(in: entries, checkpoints: [checkpoint], trustedKey: trusted) == nil)

        // Someone with database access rewrites entry 3 and recomputes every hash after it:
        // the chain alone holds, the checkpoint does not.
        var rewritten = Array(entries[0..<2])
        for original in entries[2...] {
            var draft = AuditDraft(actor: original.actor, action: original.action, subject: original.subject, body: original.body)
            if original.sequence == 3 { draft.body = .object(["count": .integer(-1)]) }
            rewritten.append(draft.entry(after: (rewritten.last!.sequence, rewritten.last!.hash), at: original.recordedAt))
        }
        #expect(AuditChain.firstProblem(in: rewritten) == nil)
        #expect(AuditChain.firstProblem(in: rewritten, checkpoints: [checkpoint], trustedKey: trusted)?.kind == .checkpoint)

        // A checkpoint signed with another key is refused under the mission's key.
        let forged = try AuditCheckpoint.sign(rewritten[9], with: Curve25519.Signing.PrivateKey(), at: Self.start)
        #expect(AuditChain.firstProblem(in: rewritten, checkpoints: [forged], trustedKey: trusted)?.kind == .checkpoint)
    }
}
