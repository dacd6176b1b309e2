import Foundation

/// The parts of the fused history that an `IncidentBook` no longer holds in memory, because
/// nothing arriving in time order can change them: whole components (see
/// `FusionEngine.ComponentSpan`) whose records' widened windows all ended before a cutoff, and
/// far enough before the incidents kept that no zone cap total of theirs counts them. Their
/// incidents stay as stored; only their record ids and spans are kept here, so that a late
/// record (one whose window reaches back before `lateBefore`) or an analyst's decision on
/// them can bring exactly the parts it touches back first. Pure state, no I/O.
public struct SettledHistory: Sendable {
    struct Part: Sendable {
        var recordIDs: [UUID]
        var earliest: Date
        var latest: Date
    }

    /// Sorted by `earliest`.
    private var parts: [Part] = []
    /// The longest span of a part, to bound the search for overlaps.
    private var longest: TimeInterval = 0
    /// A record whose widened window starts before this may touch a settled part.
    public private(set) var lateBefore = Date.distantPast
    public private(set) var recordCount = 0

    public init() {}

    public var isEmpty: Bool { parts.isEmpty }

    /// How far before an incident the incidents counting with it towards a zone cap may lie
    /// (`ComplianceChecker.capWindowSeconds`), with an hour to spare.
    public static let contextSeconds = ComplianceChecker.capWindowSeconds + 3_600

    mutating func add(_ settled: [FusionEngine.ComponentSpan], lateBefore: Date) {
        for span in settled {
            parts.append(Part(recordIDs: span.recordIDs, earliest: span.earliest, latest: span.latest))
            longest = max(longest, span.latest.timeIntervalSince(span.earliest))
            recordCount += span.recordIDs.count
        }
        parts.sort { $0.earliest < $1.earliest }
        self.lateBefore = max(self.lateBefore, lateBefore)
    }

    /// Whether a record with this widened window may touch a settled part.
    public func isLate(_ window: (start: Date, end: Date)) -> Bool {
        !parts.isEmpty && window.start < lateBefore
    }

    /// Takes out the parts that records reaching over these windows, or a decision on these
    /// records, may change, and returns their record ids, to be fused again before the change:
    /// the parts such a record may join (whose span overlaps its window) or that hold one of
    /// `recordIDs`, and the parts whose incidents count towards a zone cap with what those
    /// become (whose span lies within `contextSeconds` of theirs), so that every incident
    /// checked again is checked among all it counts with. Each part comes back whole. The
    /// windows must cover the components held in memory that the records may join as well
    /// (`IncidentBook.reach`).
    public mutating func take(touching windows: [(start: Date, end: Date)], holding recordIDs: Set<UUID>) -> [UUID] {
        guard !parts.isEmpty else { return [] }
        var taken: Set<Int> = []
        var reaches: [(start: Date, end: Date)] = []
        for window in windows {
            var reach = window
            for index in overlapping(window) {
                taken.insert(index)
                reach = (min(reach.start, parts[index].earliest), max(reach.end, parts[index].latest))
            }
            reaches.append(reach)
        }
        if !recordIDs.isEmpty {
            for (index, part) in parts.enumerated() where part.recordIDs.contains(where: recordIDs.contains) {
                taken.insert(index)
                reaches.append((part.earliest, part.latest))
            }
        }
        for reach in reaches {
            taken.formUnion(overlapping((reach.start.addingTimeInterval(-Self.contextSeconds), reach.end.addingTimeInterval(Self.contextSeconds))))
        }
        guard !taken.isEmpty else { return [] }
        var ids: [UUID] = []
        for index in taken { ids.append(contentsOf: parts[index].recordIDs) }
        parts = parts.enumerated().filter { !taken.contains($0.offset) }.map(\.element)
        recordCount -= ids.count
        return ids
    }

    /// Indices of the parts whose span overlaps the window.
    private func overlapping(_ window: (start: Date, end: Date)) -> [Int] {
        // Parts are sorted by their start; one starting more than the longest span before the
        // window has ended before it.
        let from = window.start.addingTimeInterval(-longest)
        var low = 0, high = parts.count
        while low < high {
            let middle = (low + high) / 2
            if parts[middle].earliest < from { low = middle + 1 } else { high = middle }
        }
        var result: [Int] = []
        var index = low
        while index < parts.count, parts[index].earliest <= window.end {
            if parts[index].latest >= window.start { result.append(index) }
            index += 1
        }
        return result
    }
}
