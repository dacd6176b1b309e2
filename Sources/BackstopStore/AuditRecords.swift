import BackstopCore
import Crypto
import Foundation

/// The mission's audit log as a store keeps it: every change appends one `AuditEntry` in the
/// same transaction as the change (so there is no change without its entry, and no entry for a
/// change that rolled back), chained by hash, and signed checkpoints of its head.
public protocol AuditLog: Sendable {
    /// Entries after `sequence`, in order, at most `limit`.
    func auditEntries(after sequence: Int64, limit: Int) async throws -> [AuditEntry]
    /// The entries about these subjects (e.g. `incident/<id>`), in order, at most `limit`.
    func auditEntries(subjects: [String], limit: Int) async throws -> [AuditEntry]
    /// The last entry, nil while the log is empty.
    func auditHead() async throws -> AuditEntry?
    /// Keeps a signed checkpoint (one per sequence; the same again is a no-op).
    func saveCheckpoint(_ checkpoint: AuditCheckpoint) async throws
    func auditCheckpoints() async throws -> [AuditCheckpoint]
}

/// The entries each kind of change writes, the same in every store.
public enum AuditDrafts {
    public static func observationAccepted(_ stored: StoredObservation) -> AuditDraft {
        observationAccepted(observation: stored.observation, reporter: stored.reporter, reporterTeam: stored.reporterTeam,
                            receivedAt: stored.receivedAt, digest: stored.digest)
    }

    static func observationAccepted(observation: Observation, reporter: String, reporterTeam: String?, receivedAt: Date, digest: String) -> AuditDraft {
        AuditDraft(actor: reporter, action: "observation.accepted",
                   subject: "observation/\(observation.id.lowercasedText)",
                   body: .object([
                       "kind": .string(observation.kind.rawValue),
                       "observed_at": .string(Timestamp.format(observation.observedAt)),
                       "received_at": .string(Timestamp.format(receivedAt)),
                       "reporter_team": reporterTeam.map(JSONValue.string) ?? .null,
                       "content_sha256": .string(digest),
                   ]))
    }

    /// `PreparedAuditDraft(observationAccepted(…))`, its body written straight as canonical
    /// bytes (every record of a batch appends one; `ObservationAuditDraftTests` holds the two equal).
    static func preparedObservationAccepted(observation: Observation, reporter: String, reporterTeam: String?, receivedAt: Date,
                                            digest: String) -> PreparedAuditDraft {
        var body = OrderedObjectWriter()
        body.output.reserveCapacity(200)
        // In order: content_sha256, kind, observed_at, received_at, reporter_team.
        body.open()
        body.key("content_sha256"); body.string(digest)
        body.key("kind"); body.string(observation.kind.rawValue)
        body.key("observed_at"); body.string(Timestamp.format(observation.observedAt))
        body.key("received_at"); body.string(Timestamp.format(receivedAt))
        body.key("reporter_team")
        if let reporterTeam { body.string(reporterTeam) } else { body.null() }
        body.close()
        return PreparedAuditDraft(actor: reporter, action: "observation.accepted", subject: "observation/\(observation.id.lowercasedText)",
                                  canonicalBody: body.output)
    }

    public static func agreementSaved(_ stored: StoredAgreement) -> AuditDraft {
        AuditDraft(actor: stored.savedBy, action: "agreement.saved", subject: "agreement/\(stored.id)",
                   body: .object([
                       "version": .integer(stored.version),
                       "document_sha256": .string(Hex.encode(SHA256.hash(data: Data(stored.documentText.utf8)))),
                   ]))
    }

    /// Tokens are made on the command line (or at first start); the secret's hash is not logged.
    public static func tokenCreated(_ token: AccessTokenRecord) -> AuditDraft {
        AuditDraft(actor: "command-line", action: "token.created", subject: "token/\(token.identity.name)",
                   body: .object([
                       "role": .string(token.identity.role.rawValue),
                       "team": token.identity.team.map(JSONValue.string) ?? .null,
                   ]))
    }

    public static func tokenRevoked(_ token: AccessTokenRecord, by actor: String) -> AuditDraft {
        AuditDraft(actor: actor, action: "token.revoked", subject: "token/\(token.identity.name)",
                   body: .object(["role": .string(token.identity.role.rawValue)]))
    }
}

extension AuditEntry {
    /// The columns a store keeps: the body as canonical JSON text, the time in milliseconds.
    public var bodyText: String { CanonicalJSON.string(body) }

    public static func decode(sequence: Int64, recordedAtMilliseconds: Int64, actor: String, action: String, subject: String,
                              bodyText: String, previousHash: String, hash: String) throws -> AuditEntry {
        guard let body = try? JSONValue.parse(bodyText) else { throw StoreError.corrupt("audit entry \(sequence) has a body that is not JSON") }
        return AuditEntry(stored: sequence, recordedAt: Timestamp.date(milliseconds: recordedAtMilliseconds), actor: actor, action: action,
                          subject: subject, body: body, previousHash: previousHash, hash: hash)
    }
}
