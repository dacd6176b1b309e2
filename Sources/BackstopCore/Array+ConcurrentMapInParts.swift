import Foundation
import Synchronization

extension Array where Element: Sendable {
    /// `map` on all cores, handed on in parts of `partSize` in order, each part as soon as all
    /// of its elements are mapped. Every core takes the next `claim` elements as it comes free,
    /// across the ends of parts: mapped part by part (a `concurrentMap` per part), a core that
    /// finished its half of a part waited for the other half, and when another thread (the
    /// SQLite writer, storing the part before) took that half's core, it waited idle.
    /// `claim` divides `partSize`, so a claim lies within one part.
    public func concurrentMap<T: Sendable>(inPartsOf partSize: Int, claim: Int = 10,
                                           _ transform: @escaping @Sendable (Element) -> T) -> AsyncStream<[T]> {
        precondition(partSize > 0 && claim > 0 && partSize % claim == 0, "a claim must lie within one part")
        let (parts, continuation) = AsyncStream<[T]>.makeStream()
        let elements = self
        let count = elements.count
        let partCount = (count + partSize - 1) / partSize
        let shared = SharedAssembly(PartAssembly<T>(count: count, partCount: partCount))
        let work = Task {
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<Swift.max(1, Swift.min(ProcessInfo.processInfo.activeProcessorCount, (count + claim - 1) / claim)) {
                    group.addTask(executorPreference: globalConcurrentExecutor) {
                        while !Task.isCancelled {
                            let start = shared.next.add(claim, ordering: .relaxed).oldValue
                            guard start < count else { return }
                            let mapped = elements[start..<Swift.min(start + claim, count)].map(transform)
                            // Yielded under the lock, so that parts go on in order.
                            shared.assembly.withLock { assembly in
                                for part in assembly.add(mapped, at: start, partSize: partSize) { continuation.yield(part) }
                            }
                            // Lets the task waiting for the parts run on this core too.
                            await Task.yield()
                        }
                    }
                }
            }
            continuation.finish()
        }
        continuation.onTermination = { _ in work.cancel() }
        return parts
    }
}

/// What the cores of `concurrentMap(inPartsOf:)` share: the next element to claim, and the
/// parts being assembled.
private final class SharedAssembly<T: Sendable>: Sendable {
    let next = Atomic(0)
    let assembly: Mutex<PartAssembly<T>>

    init(_ assembly: PartAssembly<T>) {
        self.assembly = Mutex(assembly)
    }
}

/// The mapped elements of `concurrentMap(inPartsOf:)` until their part is whole.
private struct PartAssembly<T: Sendable>: Sendable {
    private var results: [T?]
    private var mappedInPart: [Int]
    private var nextPart = 0

    init(count: Int, partCount: Int) {
        results = Array<T?>(repeating: nil, count: count)
        mappedInPart = Array(repeating: 0, count: partCount)
    }

    /// Takes `mapped` (from `start`, within one part) and answers the parts now whole, in order.
    mutating func add(_ mapped: [T], at start: Int, partSize: Int) -> [[T]] {
        for (offset, value) in mapped.enumerated() { results[start + offset] = value }
        mappedInPart[start / partSize] += mapped.count
        var whole: [[T]] = []
        while nextPart < mappedInPart.count {
            let range = nextPart * partSize..<Swift.min((nextPart + 1) * partSize, results.count)
            guard mappedInPart[nextPart] == range.count else { break }
            whole.append(range.map { index in
                defer { results[index] = nil }
                return results[index]!
            })
            nextPart += 1
        }
        return whole
    }
}
