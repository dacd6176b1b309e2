import BackstopCore
import BackstopStore
import Foundation

/// Hands the parts of a batch from the task that receives them to the writer's thread, which
/// waits for each in turn.
///
/// The writer used to be a task itself, and between two statements it needed one of the
/// cooperative threads, which were busy reading the batch's next part: each statement of a
/// part waited for the reading of another part, and the writer fell parts behind the readers.
/// Waiting on its own thread, it writes each part as soon as it is read.
final class PartHandOver<Part: Sendable>: @unchecked Sendable {
    /// How long the writer waits for a next part before it gives the batch up (its reader is
    /// stuck, or gone without finishing): the writer is held meanwhile.
    let patience: TimeInterval

    init(patience: TimeInterval = 60) {
        self.patience = patience
    }

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var parts: [Part] = []
    private var finished = false
    private var failure: (any Error)?

    /// Moves every part of `stream` to the hand-over, then its end (or its failure).
    func take(from stream: AsyncThrowingStream<Part, any Error>) async {
        do {
            for try await part in stream { put(part) }
            finish(throwing: nil)
        } catch {
            finish(throwing: error)
        }
    }

    func put(_ part: Part) {
        condition.lock()
        parts.append(part)
        condition.signal()
        condition.unlock()
    }

    func finish(throwing error: (any Error)?) {
        condition.lock()
        finished = true
        failure = error
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until the next part is there: nil once the parts are over, the reading's error if
    /// it failed.
    func next() throws -> Part? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = Date(timeIntervalSinceNow: patience)
        while parts.isEmpty && !finished {
            guard condition.wait(until: deadline) else {
                throw StoreError.unavailable("the next part of a batch did not come within \(NumberRule.format(patience)) s")
            }
        }
        if !parts.isEmpty { return parts.removeFirst() }
        if let failure { throw failure }
        return nil
    }
}
