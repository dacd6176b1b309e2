import Crypto
import Foundation

/// The mission's checkpoint signer: its Ed25519 key, so that code signing checkpoints (the
/// command line, the server's periodic checkpoints) needs no cryptography of its own.
public struct AuditSigner: Sendable {
    let key: Curve25519.Signing.PrivateKey

    /// A new random key.
    public init() {
        key = Curve25519.Signing.PrivateKey()
    }

    public init(key: Curve25519.Signing.PrivateKey) {
        self.key = key
    }

    /// Base64 of the raw 32-byte public key, as checkpoints name it.
    public var publicKey: String { key.publicKey.rawRepresentation.base64EncodedString() }

    public func sign(_ head: AuditEntry, at time: Date) throws -> AuditCheckpoint {
        try AuditCheckpoint.sign(head, with: key, at: time)
    }
}
