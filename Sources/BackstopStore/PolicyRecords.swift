import BackstopCore
import Crypto
import Foundation

/// One saved version of an escalation policy, never overwritten.
public struct StoredPolicy: Sendable, Hashable, Codable {
    public var id: String
    public var version: Int
    /// The document as saved, with its `version` set, as canonical JSON text.
    public var document: String
    public var savedBy: String
    public var savedAt: Date

    public var json: JSONValue {
        get throws {
            guard let value = try? JSONValue.parse(Data(document.utf8)) else { throw StoreError.corrupt("policy \(id) version \(version) is not JSON") }
            return value
        }
    }

    public func policy() throws -> EscalationPolicy {
        do {
            return try EscalationPolicyParser().parse(try json)
        } catch {
            throw StoreError.corrupt("policy \(id) version \(version): \(error)")
        }
    }
}

/// Policies are versioned documents kept among escalation's records: the latest under
/// `policy/<id>`, each version under `policy_version/<id>@<version>`.
extension EscalationRecords {
    /// Saves a new version (audited). When `expectedVersion` is given it must be the version
    /// this save creates, else `StoreError.staleVersion`.
    public func savePolicy(_ document: JSONValue, policy: EscalationPolicy, savedBy: String, at time: Date) async throws -> StoredPolicy {
        let latest = EscalationKey(.policy, policy.id)
        let written = try await changeEscalation([latest], fence: nil) { current in
            let version = try current[latest].map { try $0.decode(StoredPolicy.self).version } ?? 0
            if let expected = policy.version, expected != version + 1 { throw StoreError.staleVersion(what: "policy \(policy.id)", current: version) }
            var object = document.objectValue ?? [:]
            object["version"] = .integer(version + 1)
            let text = String(decoding: JSONValue.object(object).canonicalData(), as: UTF8.self)
            let stored = StoredPolicy(id: policy.id, version: version + 1, document: text, savedBy: savedBy, savedAt: Timestamp.normalised(time))
            var write = EscalationWrite(audit: [AuditDraft(actor: savedBy, action: "policy.saved", subject: "policy/\(policy.id)", body: .object([
                "version": .integer(stored.version),
                "document_sha256": .string(Hex.encode(SHA256.hash(data: Data(text.utf8)))),
            ]))])
            try write.put(.policy, policy.id, stored)
            try write.put(.policyVersion, Self.versionKey(policy.id, stored.version), stored)
            return write
        }
        guard let record = written?.first else { throw StoreError.unavailable("the policy was not saved") }
        return try record.decode(StoredPolicy.self)
    }

    public func policy(id: String, version: Int?) async throws -> StoredPolicy? {
        let records = if let version {
            try await escalationRecords(.policyVersion, ids: [Self.versionKey(id, version)])
        } else {
            try await escalationRecords(.policy, ids: [id])
        }
        return try records.first?.decode(StoredPolicy.self)
    }

    /// The latest version of every policy, ordered by id.
    public func latestPolicies() async throws -> [StoredPolicy] {
        try await escalationRecords(.policy, ids: nil).map { try $0.decode(StoredPolicy.self) }.sorted { $0.id < $1.id }
    }

    static func versionKey(_ id: String, _ version: Int) -> String {
        "\(id)@\(String(format: "%09d", version))"
    }
}

/// The deliveries a write's new messages create: one per active subscription that wants each.
public enum OutboxFanOut {
    public static func deliveries(for messages: [(sequence: Int64, message: OutboxMessage)], subscriptions: [Subscription]) -> [Delivery] {
        messages.flatMap { sequence, message in
            subscriptions.filter { $0.wants(message) }.map { Delivery(subscription: $0.id, message: message, sequence: sequence) }
        }
    }

    /// The subscriptions as they are after a write (its subscription documents replace the
    /// stored ones).
    public static func subscriptions(stored: [EscalationRecord], written: [(key: EscalationKey, document: String)]) throws -> [Subscription] {
        var byID: [String: String] = [:]
        for record in stored { byID[record.key.id] = record.document }
        for (key, document) in written where key.kind == .subscription { byID[key.id] = document }
        return try byID.keys.sorted().map { id in
            do { return try EscalationJSON.decode(Subscription.self, from: byID[id]!) } catch {
                throw StoreError.corrupt("subscription \(id) is unreadable: \(error)")
            }
        }
    }

    /// Subscriptions a write leaves inactive: their pending deliveries are cancelled.
    public static func deactivated(_ written: [(key: EscalationKey, document: String)]) -> [UUID] {
        written.filter { $0.key.kind == .subscription }.compactMap { try? EscalationJSON.decode(Subscription.self, from: $0.document) }
            .filter { $0.state != .active }.map(\.id)
    }
}
