import Foundation

extension Array where Element: Sendable {
    /// `map` in as many parts as there are cores, in order; a short array is mapped in place
    /// (splitting it would cost more than it saves).
    public func concurrentMap<T: Sendable>(minimumPart: Int = 128, _ transform: @escaping @Sendable (Element) -> T) async -> [T] {
        let parts = Swift.min(ConcurrentMapCores.count, count / minimumPart)
        guard parts > 1 else { return map(transform) }
        let size = (count + parts - 1) / parts
        return await withTaskGroup(of: (Int, [T]).self) { group in
            for start in stride(from: 0, to: count, by: size) {
                let slice = self[start..<Swift.min(start + size, count)]
                // On the cooperative threads whatever executor the caller prefers: a caller on
                // a thread of its own (the SQLite store's transactions) still maps on all cores.
                group.addTask(executorPreference: globalConcurrentExecutor) { (start, slice.map(transform)) }
            }
            var results: [(Int, [T])] = []
            for await part in group { results.append(part) }
            return results.sorted { $0.0 < $1.0 }.flatMap(\.1)
        }
    }
}

/// The cores `concurrentMap` splits over, read once: on Linux `activeProcessorCount` reads the
/// cgroup's CPU quota from files at every call, and a batch's intake maps ten parts.
private enum ConcurrentMapCores {
    static let count = ProcessInfo.processInfo.activeProcessorCount
}
