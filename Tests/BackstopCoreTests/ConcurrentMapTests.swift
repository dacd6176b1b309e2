import BackstopCore
import Foundation
import Synchronization
import Testing

/// Mapping on all cores keeps the order: the batch intake hands its parts to the store as they
/// are read, and a part out of order or short would store the wrong records.
@Suite struct ConcurrentMapTests {
    @Test(arguments: [0, 1, 9, 10, 99, 100, 101, 250, 1_000, 1_003])
    func partsComeWholeAndInOrder(count: Int) async {
        let values = Array(0..<count)
        var parts: [[Int]] = []
        for await part in values.concurrentMap(inPartsOf: 100, { $0 * 3 }) { parts.append(part) }
        let expected = stride(from: 0, to: count, by: 100).map { Array(values[$0..<min($0 + 100, count)]).map { $0 * 3 } }
        #expect(parts == expected)
    }

    /// Elements that take very different times (one core falls behind) still come in order.
    @Test func unevenWorkStillComesInOrder() async {
        let values = Array(0..<300)
        var seen: [Int] = []
        for await part in values.concurrentMap(inPartsOf: 20, claim: 5, { value -> Int in
            if value % 7 == 0 { usleep(2_000) }
            return value
        }) {
            #expect(part.count == 20)
            seen += part
        }
        #expect(seen == values)
    }

    /// A reader that stops early (a refused request) ends the work; nothing waits for it.
    @Test func aReaderThatStopsEarlyEndsTheWork() async {
        let mapped = Atomic(0)
        let values = Array(0..<10_000)
        for await _ in values.concurrentMap(inPartsOf: 10, claim: 10, { value -> Int in
            mapped.add(1, ordering: .relaxed)
            usleep(100)
            return value
        }) { break }
        try? await Task.sleep(for: .milliseconds(200))
        let after = mapped.load(ordering: .relaxed)
        try? await Task.sleep(for: .milliseconds(200))
        #expect(mapped.load(ordering: .relaxed) == after)
        #expect(after < values.count)
    }

    @Test func concurrentMapKeepsTheOrder() async {
        let values = Array(0..<5_000)
        #expect(await values.concurrentMap(minimumPart: 32) { $0 + 1 } == values.map { $0 + 1 })
    }
}
