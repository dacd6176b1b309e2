import Crypto
import Foundation

/// The chain's head at one point, signed with the mission's Ed25519 key. A partner who keeps
/// the checkpoints can later prove the history up to each one was not rewritten, even by
/// someone with write access to the database: rewriting it changes the hash at the checkpoint's
/// sequence, and a new signature needs the mission's private key.
public struct AuditCheckpoint: Sendable, Hashable {
    public var sequence: Int64
    public var hash: String
    public var signedAt: Date
    /// Base64 of the raw 32-byte Ed25519 public key.
    public var publicKey: String
    /// Base64 of the 64-byte signature over `signedMessage`.
    public var signature: String

    public init(sequence: Int64, hash: String, signedAt: Date, publicKey: String, signature: String) {
        self.sequence = sequence
        self.hash = hash
        self.signedAt = Timestamp.normalised(signedAt)
        self.publicKey = publicKey
        self.signature = signature
    }

    /// Signs the head `entry` with `key`.
    public static func sign(_ entry: AuditEntry, with key: Curve25519.Signing.PrivateKey, at time: Date) throws -> AuditCheckpoint {
        let message = signedMessage(sequence: entry.sequence, hash: entry.hash, signedAt: Timestamp.normalised(time))
        let signature = try key.signature(for: message)
        return AuditCheckpoint(sequence: entry.sequence, hash: entry.hash, signedAt: time,
                               publicKey: key.publicKey.rawRepresentation.base64EncodedString(),
                               signature: signature.base64EncodedString())
    }

    /// What is signed: a fixed label, the sequence, the hash and the time, one per line.
    public static func signedMessage(sequence: Int64, hash: String, signedAt: Date) -> Data {
        Data("backstop-audit-checkpoint-v1\n\(sequence)\n\(hash)\n\(Timestamp.format(signedAt))".utf8)
    }

    /// Whether the signature is valid for this checkpoint under `trustedKey` (base64 raw key;
    /// nil: the key the checkpoint names, which proves only internal consistency).
    public func signatureIsValid(trustedKey: String? = nil) -> Bool {
        guard let keyData = Data(base64Encoded: trustedKey ?? publicKey),
              let key = try? Curve25519.Signing.PublicKey(rawRepresentation: keyData),
              let signatureData = Data(base64Encoded: signature) else { return false }
        return key.isValidSignature(signatureData, for: Self.signedMessage(sequence: sequence, hash: hash, signedAt: signedAt))
    }

    /// Reads a checkpoint as `jsonValue` writes it (as a partner keeps it).
    public init?(json: JSONValue) {
        guard let sequence = json["sequence"]?.intValue, let hash = json["hash"]?.stringValue,
              let at = json["signed_at"]?.stringValue.flatMap(Timestamp.parse),
              let key = json["public_key"]?.stringValue, let signature = json["signature"]?.stringValue else { return nil }
        self.init(sequence: Int64(sequence), hash: hash, signedAt: at, publicKey: key, signature: signature)
    }

    public var jsonValue: JSONValue {
        .object([
            "sequence": .integer(Int(sequence)), "hash": .string(hash), "signed_at": .string(Timestamp.format(signedAt)),
            "public_key": .string(publicKey), "signature": .string(signature),
        ])
    }
}

extension AuditChain {
    /// The first checkpoint that the entries contradict or whose signature does not hold.
    public static func firstProblem(in entries: [AuditEntry], checkpoints: [AuditCheckpoint], trustedKey: String? = nil) -> Problem? {
        let hashes = Dictionary(entries.map { ($0.sequence, $0.hash) }, uniquingKeysWith: { first, _ in first })
        for checkpoint in checkpoints.sorted(by: { $0.sequence < $1.sequence }) {
            guard checkpoint.signatureIsValid(trustedKey: trustedKey) else {
                return Problem(sequence: checkpoint.sequence, kind: .checkpoint, detail: "the checkpoint's signature is not valid for the mission's key")
            }
            guard let hash = hashes[checkpoint.sequence] else {
                return Problem(sequence: checkpoint.sequence, kind: .checkpoint, detail: "a signed checkpoint names this entry, but the log does not hold it")
            }
            if hash != checkpoint.hash {
                return Problem(sequence: checkpoint.sequence, kind: .checkpoint,
                               detail: "the log has hash \(hash.prefix(12))… here, the signed checkpoint \(checkpoint.hash.prefix(12))…: history up to here was rewritten")
            }
        }
        return nil
    }
}
