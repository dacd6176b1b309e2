/// Group commit: submissions that arrive while a write is under way wait together and go into
/// the next transaction as one, so many concurrent requests share one transaction and one
/// fsync. No caller waits for a timer: the first to arrive when nothing is being written is
/// written at once, and whoever arrives meanwhile goes in the next commit. Every caller is
/// answered only after the commit holding its rows has returned (or with its own error).
public actor GroupCommit<Item: Sendable, Answer: Sendable> {
    public typealias Flush = @Sendable ([Item]) async -> [Result<Answer, any Error>]

    private var waiting: [(item: Item, answer: CheckedContinuation<Answer, any Error>)] = []
    private var flushing = false
    /// How many items one commit takes at most, by their weight (rows), so a burst of large
    /// batches does not make one transaction of unbounded size.
    private let weight: @Sendable (Item) -> Int
    private let limit: Int

    public init(limit: Int, weight: @escaping @Sendable (Item) -> Int) {
        self.limit = limit
        self.weight = weight
    }

    /// Waits for the commit holding `item`. `flush` writes a group (every caller of one queue
    /// passes the same); the caller that finds no write under way starts the rounds with it.
    public func submit(_ item: Item, flush: @escaping Flush) async throws -> Answer {
        try await withCheckedThrowingContinuation { continuation in
            waiting.append((item, continuation))
            if !flushing {
                flushing = true
                Task { await self.drain(flush) }
            }
        }
    }

    private func drain(_ flush: Flush) async {
        while !waiting.isEmpty {
            var taken = 0, total = 0
            while taken < waiting.count, taken == 0 || total + weight(waiting[taken].item) <= limit {
                total += weight(waiting[taken].item)
                taken += 1
            }
            let group = Array(waiting.prefix(taken))
            waiting.removeFirst(taken)
            // Arrivals during this await queue in `waiting` for the next round.
            let answers = await flush(group.map(\.item))
            for (index, entry) in group.enumerated() {
                entry.answer.resume(with: index < answers.count ? answers[index] : .failure(CancellationError()))
            }
        }
        flushing = false
    }
}

extension GroupCommit {
    /// Writes a group with `write` (one transaction for all of it). When that fails nothing was
    /// committed: a request alone hears why; in a group, each request is written again on its
    /// own, so that one request's failure is not the others'.
    public static func eachAnswered(_ group: [Item], _ write: ([Item]) async throws -> [Result<Answer, any Error>]) async -> [Result<Answer, any Error>] {
        do {
            return try await write(group)
        } catch {
            guard group.count > 1 else { return [.failure(error)] }
            var answers: [Result<Answer, any Error>] = []
            for item in group { answers += await eachAnswered([item], write) }
            return answers
        }
    }
}
