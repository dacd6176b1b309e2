import BackstopStore
import Foundation
import Testing
@testable import BackstopSQLite

/// The hand-over of a batch's parts to the writer's thread, which waits for each in turn.
@Suite struct PartHandOverTests {
    private struct ReadingFailed: Error {}

    @Test func partsComeInOrderThenTheEnd() async throws {
        let handOver = PartHandOver<[Int]>()
        let (stream, parts) = AsyncThrowingStream<[Int], any Error>.makeStream()
        let taking = Task { await handOver.take(from: stream) }
        parts.yield([1, 2])
        parts.yield([3])
        parts.finish()
        await taking.value
        #expect(try handOver.next() == [1, 2])
        #expect(try handOver.next() == [3])
        #expect(try handOver.next() == nil)
    }

    @Test func aFailedReadingReachesTheWriter() async throws {
        let handOver = PartHandOver<[Int]>()
        let (stream, parts) = AsyncThrowingStream<[Int], any Error>.makeStream()
        let taking = Task { await handOver.take(from: stream) }
        parts.yield([1])
        parts.finish(throwing: ReadingFailed())
        await taking.value
        #expect(try handOver.next() == [1])
        #expect(throws: ReadingFailed.self) { try handOver.next() }
    }

    /// A reader that never sends its next part (stuck, or gone without finishing) does not hold
    /// the writer for ever: it gives the batch up after its patience, saying why.
    @Test func aPartThatNeverComesIsGivenUp() async throws {
        let handOver = PartHandOver<[Int]>(patience: 0.2)
        handOver.put([1])
        #expect(try handOver.next() == [1])
        do {
            _ = try handOver.next()
            Issue.record("the writer waited on")
        } catch let error as StoreError {
            guard case .unavailable(let reason) = error else { Issue.record("\(error)"); return }
            #expect(reason == "the next part of a batch did not come within 0.2 s")
        }
    }
}
