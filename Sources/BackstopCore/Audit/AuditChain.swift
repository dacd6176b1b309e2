import Foundation

/// Recomputes a hash chain and names the first place it breaks.
public enum AuditChain {
    public struct Problem: Error, Sendable, Hashable, CustomStringConvertible {
        public enum Kind: String, Sendable {
            /// The entry's content no longer matches its own hash.
            case edited
            /// Entries are missing before this one.
            case deleted
            /// An entry stands where none was recorded (a repeated or out-of-place sequence).
            case inserted
            /// The entries are not in the order they were recorded.
            case reordered
            /// The entry does not link to the one before it: that one was replaced (edited with
            /// its hash recomputed) or this one was.
            case unlinked
            /// A signed checkpoint does not match the chain, or its signature is not the mission's.
            case checkpoint
        }

        public var sequence: Int64
        public var kind: Kind
        public var detail: String

        public init(sequence: Int64, kind: Kind, detail: String) {
            self.sequence = sequence
            self.kind = kind
            self.detail = detail
        }

        public var description: String { "entry \(sequence): \(kind.rawValue): \(detail)" }
    }

    /// The entries as read, in the order read; nil when the chain holds. Entries before
    /// `startingAfter` (a verified point: its sequence and hash) are taken as given.
    public static func firstProblem(in entries: [AuditEntry], startingAfter known: (sequence: Int64, hash: String)? = nil) -> Problem? {
        var previous = known ?? (sequence: 0, hash: AuditEntry.genesis)
        for entry in entries {
            let expected = previous.sequence + 1
            if entry.sequence < expected {
                let kind: Problem.Kind = entry.sequence <= previous.sequence && entries.contains(where: { $0.sequence == entry.sequence && $0 != entry }) ? .inserted : .reordered
                return Problem(sequence: entry.sequence, kind: kind, detail: "comes after entry \(previous.sequence) but was numbered \(entry.sequence)")
            }
            if entry.sequence > expected {
                let missing = expected == entry.sequence - 1 ? "entry \(expected) is" : "entries \(expected)–\(entry.sequence - 1) are"
                if entries.contains(where: { $0.sequence < entry.sequence && $0.sequence >= expected }) {
                    return Problem(sequence: entry.sequence, kind: .reordered, detail: "comes before entry \(expected)")
                }
                return Problem(sequence: entry.sequence, kind: .deleted, detail: "\(missing) missing before it")
            }
            if entry.computedHash != entry.hash {
                return Problem(sequence: entry.sequence, kind: .edited, detail: "its content does not match its hash \(entry.hash.prefix(12))…")
            }
            if entry.previousHash != previous.hash {
                return Problem(sequence: entry.sequence, kind: .unlinked,
                               detail: "it links to \(entry.previousHash.prefix(12))…, but entry \(previous.sequence) has hash \(previous.hash.prefix(12))… (one of the two was replaced)")
            }
            previous = (entry.sequence, entry.hash)
        }
        return nil
    }
}
