import Synchronization

/// A first-come, first-served async lock. SQLite allows one writer; this keeps the writes of
/// concurrent requests from interleaving inside one connection's transaction.
///
/// A lock guarding a queue of waiters, not an actor: taking and giving back an actor meant a
/// hop to a cooperative thread each way, and while those threads read a batch the writer
/// waited milliseconds for the hop (the transactions run on an event loop of their own,
/// `EventLoopTaskExecutor`). A waiter given the gate resumes on its own executor.
final class AsyncGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func acquire() async {
        let taken = state.withLock { state in
            if state.held { return false }
            state.held = true
            return true
        }
        if taken { return }
        await withCheckedContinuation { waiter in
            // Given back meanwhile: taken now; otherwise queued, and handed the gate by `release`.
            let taken = state.withLock { state in
                if state.held {
                    state.waiters.append(waiter)
                    return false
                }
                state.held = true
                return true
            }
            if taken { waiter.resume() }
        }
    }

    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            // Handed over held: no one else can take it in between.
            return state.waiters.removeFirst()
        }
        next?.resume()
    }

    func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await acquire()
        do {
            let result = try await body()
            release()
            return result
        } catch {
            release()
            throw error
        }
    }
}
