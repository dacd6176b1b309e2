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
    public let actor: String
    public let action: String
    public let subject: String
    /// The body as canonical JSON: what stores keep.
    public let bodyText: String
    /// The draft's body, when it was made from one (nil when the body was written straight as
    /// bytes: then an entry's body is read back from `bodyText`, as a store reads it).
    private let body: JSONValue?
    /// `{"action":…,"actor":…,"body":…,"previous_hash":`
    private let head: [UInt8]
    /// `,"subject":…}`
    private let tail: [UInt8]

    public init(_ draft: AuditDraft) {
        self.init(actor: draft.actor, action: draft.action, subject: draft.subject, canonicalBody: CanonicalJSON.bytes(draft.body), body: draft.body)
    }

    /// A draft whose body is already written as canonical JSON (`CanonicalJSON.bytes` of it):
    /// every record of a batch appends one entry, and building its body as a `JSONValue` to
    /// write it cost more than the rest of the entry.
    public init(actor: String, action: String, subject: String, canonicalBody: [UInt8]) {
        self.init(actor: actor, action: action, subject: subject, canonicalBody: canonicalBody, body: nil)
    }

    private init(actor: String, action: String, subject: String, canonicalBody body: [UInt8], body tree: JSONValue?) {
        self.actor = actor
        self.action = action
        self.subject = subject
        self.body = tree
        bodyText = String(decoding: body, as: UTF8.self)
        var head: [UInt8] = []
        head.reserveCapacity(body.count + action.utf8.count + actor.utf8.count + 48)
        head += "{\"action\":".utf8
        JSONStringEscaping.append(action, to: &head)
        head += ",\"actor\":".utf8
        JSONStringEscaping.append(actor, to: &head)
        head += ",\"body\":".utf8
        head += body
        head += ",\"previous_hash\":".utf8
        self.head = head
        var tail = Array(",\"subject\":".utf8)
        JSONStringEscaping.append(subject, to: &tail)
        tail.append(UInt8(ascii: "}"))
        self.tail = tail
    }

    /// The body as an entry holds it.
    var bodyValue: JSONValue {
        body ?? (try? JSONValue.parse(bodyText)) ?? .string(bodyText)
    }

    /// The entry that follows `previous` (nil: the first), recorded at `time`; `time` must be
    /// normalised (`Timestamp.normalised`) and `timeText` its canonical JSON string.
    func entry(after previous: (sequence: Int64, hash: String)?, at time: Date, timeText: [UInt8]) -> ChainedAuditEntry {
        let sequence = (previous?.sequence ?? 0) + 1
        let previousHash = previous?.hash ?? AuditEntry.genesis
        // What follows the head, laid out in one buffer and hashed in one update: this runs on
        // the single writer's thread for every record of a batch, and writing each piece as an
        // array of its own showed in its profile.
        var rest: [UInt8] = []
        rest.reserveCapacity(previousHash.utf8.count + timeText.count + tail.count + 48)
        JSONStringEscaping.append(previousHash, to: &rest)
        rest += Self.recordedAtKey
        rest += timeText
        rest += Self.sequenceKey
        rest += String(sequence).utf8
        rest += tail
        var hasher = SHA256()
        hasher.update(data: head)
        hasher.update(data: rest)
        return ChainedAuditEntry(sequence: sequence, recordedAt: time, previousHash: previousHash, hash: Hex.encode(hasher.finalize()), draft: self)
    }

    private static let recordedAtKey = Array(",\"recorded_at\":".utf8)
    private static let sequenceKey = Array(",\"sequence\":".utf8)

    /// Chains `drafts` after `head`, all at `time`.
    public static func chain(_ drafts: [PreparedAuditDraft], after head: (sequence: Int64, hash: String)?, at time: Date) -> [ChainedAuditEntry] {
        let time = Timestamp.normalised(time)
        let timeText = CanonicalJSON.bytes(.string(Timestamp.format(time)))
        var previous = head
        return drafts.map { draft in
            let chained = draft.entry(after: previous, at: time, timeText: timeText)
            previous = (chained.sequence, chained.hash)
            return chained
        }
    }
}

/// An entry chained, as a store writes it: its columns, with the body as canonical JSON text.
public struct ChainedAuditEntry: Sendable {
    public let sequence: Int64
    public let recordedAt: Date
    public let previousHash: String
    public let hash: String
    let draft: PreparedAuditDraft

    public var actor: String { draft.actor }
    public var action: String { draft.action }
    public var subject: String { draft.subject }
    public var bodyText: String { draft.bodyText }

    /// The whole entry (its body a `JSONValue`), for a store that keeps entries as values.
    public var entry: AuditEntry {
        AuditEntry(stored: sequence, recordedAt: recordedAt, actor: actor, action: action, subject: subject, body: draft.bodyValue,
                   previousHash: previousHash, hash: hash)
    }
}
