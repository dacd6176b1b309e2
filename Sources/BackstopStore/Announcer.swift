import Foundation
import Synchronization

/// Hands out streams that wake when something is committed. A wake carries no data: a
/// listener reads what changed from the store, so a missed or merged wake loses nothing.
public final class Announcer: Sendable {
    private let listeners = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])

    public init() {}

    public func stream() -> AsyncStream<Void> {
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        listeners.withLock { $0[id] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.listeners.withLock { $0.removeValue(forKey: id) } }
        return stream
    }

    public func announce() {
        for listener in listeners.withLock({ Array($0.values) }) { listener.yield() }
    }

    public func finish() {
        for listener in listeners.withLock({ current in defer { current = [:] }; return Array(current.values) }) { listener.finish() }
    }
}
