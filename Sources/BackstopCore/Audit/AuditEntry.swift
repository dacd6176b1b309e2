import Crypto
import Foundation

/// One change in the mission's record: who did what to which thing, when, with the change
/// itself as a JSON body. Entries form a hash chain: each holds the SHA-256 of the one before,
/// and its own hash covers its content and that link, so editing, deleting, inserting or
/// reordering an entry shows in every entry after it.
public struct AuditEntry: Sendable, Hashable {
    /// 1, 2, 3… with no gaps.
    public var sequence: Int64
    public var recordedAt: Date
    /// The token's name, or `cli:<command>` for a change made from the command line.
    public var actor: String
    /// What happened, e.g. `observation.accepted`, `agreement.saved`, `token.revoked`.
    public var action: String
    /// What it happened to, e.g. `observation/7d0b4c64-…`, `agreement/donbas-minsk-sample`.
    public var subject: String
    public var body: JSONValue
    /// The previous entry's hash; `AuditEntry.genesis` for the first.
    public var previousHash: String
    public var hash: String

    /// The hash the first entry links to.
    public static let genesis = String(repeating: "0", count: 64)

    public init(sequence: Int64, recordedAt: Date, actor: String, action: String, subject: String, body: JSONValue, previousHash: String) {
        self.sequence = sequence
        self.recordedAt = Timestamp.normalised(recordedAt)
        self.actor = actor
        self.action = action
        self.subject = subject
        self.body = body
        self.previousHash = previousHash
        hash = ""
        hash = computedHash
    }

    /// The entry exactly as stored, hash included (for reading back and for verification).
    public init(stored sequence: Int64, recordedAt: Date, actor: String, action: String, subject: String, body: JSONValue,
                previousHash: String, hash: String) {
        self.sequence = sequence
        self.recordedAt = recordedAt
        self.actor = actor
        self.action = action
        self.subject = subject
        self.body = body
        self.previousHash = previousHash
        self.hash = hash
    }

    /// What the hash covers, as canonical JSON (RFC 8785).
    public var hashedContent: JSONValue {
        .object([
            "sequence": .integer(Int(sequence)),
            "recorded_at": .string(Timestamp.format(recordedAt)),
            "actor": .string(actor),
            "action": .string(action),
            "subject": .string(subject),
            "body": body,
            "previous_hash": .string(previousHash),
        ])
    }

    /// Hex SHA-256 of the canonical content.
    public var computedHash: String {
        Hex.encode(SHA256.hash(data: CanonicalJSON.data(hashedContent)))
    }

    public var jsonValue: JSONValue {
        guard case .object(var object) = hashedContent else { return .null }
        object["hash"] = .string(hash)
        return .object(object)
    }

    /// Reads an entry as `jsonValue` writes it (an export line).
    public init(json: JSONValue) throws(FieldError) {
        guard let sequence = json["sequence"]?.intValue else { throw FieldError(path: "sequence", reason: "is missing or not an integer") }
        guard let at = json["recorded_at"]?.stringValue, let recordedAt = Timestamp.parse(at) else {
            throw FieldError(path: "recorded_at", reason: "is missing or not a time")
        }
        func text(_ key: String) throws(FieldError) -> String {
            guard let value = json[key]?.stringValue else { throw FieldError(path: key, reason: "is missing or not a string") }
            return value
        }
        self.init(stored: Int64(sequence), recordedAt: recordedAt, actor: try text("actor"), action: try text("action"),
                  subject: try text("subject"), body: json["body"] ?? .null, previousHash: try text("previous_hash"), hash: try text("hash"))
    }
}

/// A change about to be recorded: the store gives it its sequence, time and link.
public struct AuditDraft: Sendable, Hashable {
    public var actor: String
    public var action: String
    public var subject: String
    public var body: JSONValue

    public init(actor: String, action: String, subject: String, body: JSONValue) {
        self.actor = actor
        self.action = action
        self.subject = subject
        self.body = body
    }

    /// The entry that follows `previous` (nil: the first).
    public func entry(after previous: (sequence: Int64, hash: String)?, at time: Date) -> AuditEntry {
        AuditEntry(sequence: (previous?.sequence ?? 0) + 1, recordedAt: time, actor: actor, action: action, subject: subject,
                   body: body, previousHash: previous?.hash ?? AuditEntry.genesis)
    }
}
