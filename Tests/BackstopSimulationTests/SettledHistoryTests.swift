import BackstopCore
import BackstopData
import BackstopSimulation
import Foundation
import Testing

/// A book that drops its settled history (and brings back the parts late records touch) writes
/// exactly what a book holding the whole history writes: the same incidents, with the same
/// findings, after every change. "Written" is what the node does with a change: each current
/// incident is stored with its findings, each removed one deleted; what a bring-back itself
/// changes is not written (it restores what was stored).
@Suite struct SettledHistoryTests {
    static func chunks<T>(_ items: [T], of size: Int) -> [[T]] {
        stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
    }

    static let agreement = SimulationTests.agreement
    static let gazetteer = SimulationTests.gazetteer

    struct Written: Equatable {
        var incidents: [UUID: Incident] = [:]
        var findings: [UUID: [Finding]] = [:]

        mutating func apply(_ change: FusionEngine.Change, from book: IncidentBook) {
            for id in change.removed {
                incidents.removeValue(forKey: id)
                findings.removeValue(forKey: id)
            }
            for id in change.current {
                incidents[id] = book.incident(id: id)
                findings[id] = book.findings(for: id)
            }
        }
    }

    /// Twenty days of simulated records: most in the order they arrive, one in twelve held back
    /// and sent days late (a monitor without connectivity), the late ones in steps of their own.
    static func arrivals(seed: UInt64) throws -> (steps: [[FusionRecord]], all: [UUID: FusionRecord]) {
        let result = try Simulator(agreement: agreement, gazetteer: gazetteer,
                                   scenario: SimulationScenario(start: SimulationScenario.defaultStart, hours: 480, seed: seed)).run()
        let resolver = LocationResolver(places: PlaceResolver(gazetteer: gazetteer, areas: [AreaOfOperations(agreement)]))
        var seen: Set<UUID> = []
        let records = result.observations.filter { seen.insert($0.id).inserted }.map { observation in
            let reporter = result.reporters[observation.id]!
            return FusionRecord(observation: observation, resolution: resolver.resolve(observation), reporter: reporter.reporter, reporterTeam: reporter.team)
        }
        var generator = SplitMix64(seed: seed)
        var onTime: [FusionRecord] = [], late: [FusionRecord] = []
        for record in records {
            if Int.random(in: 0..<12, using: &generator) == 0 { late.append(record) } else { onTime.append(record) }
        }
        // The late ones arrive in three bursts spread through the rest.
        var steps = chunks(onTime, of: 40)
        for (burst, part) in chunks(late, of: late.count / 3 + 1).enumerated() {
            let at = steps.count * (burst + 1) * 3 / 10 + steps.count / 10
            steps.insert(contentsOf: chunks(part, of: 25), at: min(at, steps.count))
        }
        return (steps, Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first }))
    }

    @Test(arguments: [21, 22] as [UInt64])
    func aBookThatSettlesWritesWhatAWholeBookWrites(seed: UInt64) throws {
        let (steps, all) = try Self.arrivals(seed: seed)
        let compliance = MissionCompliance(agreements: [Self.agreement], settlements: SettlementIndex(Self.gazetteer))
        var whole = IncidentBook(compliance: compliance), windowed = IncidentBook(compliance: compliance)
        var wholeWritten = Written(), windowedWritten = Written()
        var settled = SettledHistory()
        var dropped = 0, broughtBack = 0, lateSteps = 0
        for (index, step) in steps.enumerated() {
            wholeWritten.apply(whole.add(step), from: whole)
            let late = step.filter { settled.isLate($0.widenedWindow) }
            if !late.isEmpty { lateSteps += 1 }
            let back = settled.take(touching: windowed.reach(of: late.map(\.widenedWindow), holding: []), holding: [])
            broughtBack += back.count
            windowed.add(back.map { all[$0]! })
            windowedWritten.apply(windowed.add(step), from: windowed)
            #expect(windowedWritten == wholeWritten, "after step \(index)")
            if windowedWritten != wholeWritten { return }
            // Settled often and with a short age, so that late records find much settled.
            if index % 10 == 9 {
                let latest = step.map(\.end).max()!
                dropped += windowed.settle(olderThan: 12 * 3_600, now: latest, into: &settled)
            }
        }
        #expect(dropped > 1_000, "the test must drop history")
        #expect(broughtBack > 100, "and bring some of it back")
        #expect(lateSteps > 5)
        #expect(windowed.recordCount < whole.recordCount / 2, "a settled book holds less")
        #expect(settled.recordCount + windowed.recordCount == whole.recordCount, "every record is held or settled, once")
    }

    @Test func anAnalystsDecisionOnASettledRecordBringsItsPartBack() throws {
        let (steps, all) = try Self.arrivals(seed: 23)
        let compliance = MissionCompliance(agreements: [Self.agreement], settlements: SettlementIndex(Self.gazetteer))
        var whole = IncidentBook(compliance: compliance), windowed = IncidentBook(compliance: compliance)
        var settled = SettledHistory()
        let inOrder = steps.flatMap { $0 }.sorted { $0.start < $1.start }
        whole.add(inOrder)
        windowed.add(inOrder)
        windowed.settle(olderThan: 12 * 3_600, now: inOrder.last!.end, into: &settled)
        // An incident of the first day with two or more records, split: its first record alone.
        let early = whole.incidents.values.filter { $0.memberIDs.count > 1 && $0.end < inOrder.first!.start.addingTimeInterval(86_400) }
            .min { UUIDOrder.less($0.id, $1.id) }!
        let record = early.memberIDs[0]
        #expect(!windowed.contains(recordID: record), "the first day is settled")
        let group = UUID()
        let wholeChange = whole.pin([record], to: group)
        windowed.add(settled.take(touching: windowed.reach(of: [], holding: [record]), holding: [record]).map { all[$0]! })
        #expect(windowed.incident(id: early.id) == early, "brought back as it was")
        let windowedChange = windowed.pin([record], to: group)
        #expect(windowedChange == wholeChange)
        for id in wholeChange.current {
            #expect(windowed.incident(id: id) == whole.incident(id: id))
            #expect(windowed.findings(for: id) == whole.findings(for: id))
        }
    }
}
