import Crypto
import Foundation

/// A draft with its canonical body written and the fixed parts of its hashed content laid out
/// as bytes, ready to be chained. Preparing is the costly part (canonical JSON of the body) and
/// needs no position in the log, so a store prepares a batch's drafts before it takes the
/// single writer, on all cores; chaining them in the write transaction is then one SHA-256 pass
/// over a few hundred bytes each.
///
/// The hash is the one `AuditEntry.computedHash` defines (SHA-256 of the canonical content),
/// written out by hand: the content's members in their canonical order (`action`, `actor`,
/// `body`, `previous_hash`, `recorded_at`, `sequence`, `subject`) around the parts only the
/// chain knows.
public struct PreparedAuditDraft: Sendable, Hashable {
    public let draft: AuditDraft
    /// The body as canonical JSON: what stores keep.
    public let bodyText: String
    /// `{"action":…,"actor":…,"body":…,"previous_hash":`
    private let head: [UInt8]
    /// `,"subject":…}`
    private let tail: [UInt8]

    public init(_ draft: AuditDraft) {
        self.draft = draft
        let body = CanonicalJSON.bytes(draft.body)
        bodyText = String(decoding: body, as: UTF8.self)
        head = Array("{\"action\":".utf8) + CanonicalJSON.bytes(.string(draft.action)) + Array(",\"actor\":".utf8)
            + CanonicalJSON.bytes(.string(draft.actor)) + Array(",\"body\":".utf8) + body + Array(",\"previous_hash\":".utf8)
        tail = Array(",\"subject\":".utf8) + CanonicalJSON.bytes(.string(draft.subject)) + [UInt8(ascii: "}")]
    }

    /// The entry that follows `previous` (nil: the first), recorded at `time`; `time` must be
    /// normalised (`Timestamp.normalised`) and `timeText` its canonical JSON string.
    func entry(after previous: (sequence: Int64, hash: String)?, at time: Date, timeText: [UInt8]) -> ChainedAuditEntry {
        let sequence = (previous?.sequence ?? 0) + 1
        let previousHash = previous?.hash ?? AuditEntry.genesis
        var hasher = SHA256()
        hasher.update(data: head)
        hasher.update(data: CanonicalJSON.bytes(.string(previousHash)))
        hasher.update(data: Array(",\"recorded_at\":".utf8))
        hasher.update(data: timeText)
        hasher.update(data: Array((",\"sequence\":" + String(sequence)).utf8))
        hasher.update(data: tail)
        let entry = AuditEntry(stored: sequence, recordedAt: time, actor: draft.actor, action: draft.action, subject: draft.subject,
                               body: draft.body, previousHash: previousHash, hash: Hex.encode(hasher.finalize()))
        return ChainedAuditEntry(entry: entry, bodyText: bodyText)
    }

    /// Chains `drafts` after `head`, all at `time`.
    public static func chain(_ drafts: [PreparedAuditDraft], after head: (sequence: Int64, hash: String)?, at time: Date) -> [ChainedAuditEntry] {
        let time = Timestamp.normalised(time)
        let timeText = CanonicalJSON.bytes(.string(Timestamp.format(time)))
        var previous = head
        return drafts.map { draft in
            let chained = draft.entry(after: previous, at: time, timeText: timeText)
            previous = (chained.entry.sequence, chained.entry.hash)
            return chained
        }
    }
}

/// An entry with its body as canonical JSON text, as a store writes it.
public struct ChainedAuditEntry: Sendable {
    public let entry: AuditEntry
    public let bodyText: String
}
