import BackstopCore
import Foundation

/// An agreement document about to be saved: the JSON as given and the checked model.
public struct AgreementRecord: Sendable {
    public var document: JSONValue
    public var agreement: Agreement
    public var savedBy: String
    public var savedAt: Date

    public init(document: JSONValue, agreement: Agreement, savedBy: String, savedAt: Date) {
        self.document = document
        self.agreement = agreement
        self.savedBy = savedBy
        self.savedAt = savedAt
    }
}

/// One saved version of an agreement. Versions are never overwritten: every change is traceable.
public struct StoredAgreement: Sendable {
    public var id: String
    public var version: Int
    /// The document as saved, with its `version` set.
    public var document: JSONValue
    public var savedBy: String
    public var savedAt: Date

    public init(id: String, version: Int, document: JSONValue, savedBy: String, savedAt: Date) {
        self.id = id
        self.version = version
        self.document = document
        self.savedBy = savedBy
        self.savedAt = savedAt
    }

    /// Builds the version a save creates.
    public init(record: AgreementRecord, version: Int) {
        var document = record.document
        if case .object(var object) = document {
            object["version"] = .integer(Int(version))
            document = .object(object)
        }
        self.init(id: record.agreement.id, version: version, document: document, savedBy: record.savedBy, savedAt: record.savedAt)
    }

    public func agreement() throws -> Agreement {
        do {
            return try AgreementParser().parse(document)
        } catch {
            throw StoreError.corrupt("agreement \(id) version \(version): \(error)")
        }
    }
}

/// A bearer token as stored: only the SHA-256 of the secret, never the secret itself.
public struct AccessTokenRecord: Sendable, Hashable {
    public var hash: String
    public var identity: Identity
    public var createdAt: Date
    /// When the token was revoked; a revoked token authenticates no one.
    public var revokedAt: Date?

    public init(hash: String, identity: Identity, createdAt: Date, revokedAt: Date? = nil) {
        self.hash = hash
        self.identity = identity
        self.createdAt = createdAt
        self.revokedAt = revokedAt.map(Timestamp.normalised)
    }
}

extension StoredAgreement {
    public static func decode(id: String, version: Int, document: String, savedBy: String, savedAtMilliseconds: Int64) throws -> StoredAgreement {
        guard let value = try? JSONValue.parse(document) else { throw StoreError.corrupt("agreement \(id) version \(version) is not JSON") }
        return StoredAgreement(id: id, version: version, document: value, savedBy: savedBy, savedAt: Timestamp.date(milliseconds: savedAtMilliseconds))
    }

    /// The document as a database store keeps it.
    public var documentText: String { String(decoding: document.canonicalData(), as: UTF8.self) }
}
