import Foundation

/// What a transaction's closure decided, handed out after the transaction commits (the closure
/// is `@Sendable` and may run again on a retry: the last decision is the one that committed).
final class Decided<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value?

    func set(_ value: Value) { lock.withLock { self.value = value } }
    func get() -> Value? { lock.withLock { value } }
}
