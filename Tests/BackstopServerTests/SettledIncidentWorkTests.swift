@testable import BackstopServer
import BackstopCore
import BackstopData
import BackstopStore
import Foundation
import Testing

/// A node that keeps only recent windows in memory (its settled history dropped) stores the
/// same incidents as a node that holds the whole history: after records in time order, after
/// records days late that join settled incidents, after an analyst's merge of settled
/// incidents, and after an agreement change (every incident checked again).
@Suite(.timeLimit(.minutes(10))) struct SettledIncidentWorkTests {
    static let day0 = Timestamp.parse("2021-03-01T00:00:00Z")!
    static let now = day0.addingTimeInterval(8 * 86_400)

    /// Explosions heard by three patrols at twelve places, every twenty minutes per place, with
    /// a minute's scatter: each event is reported by two or three of them.
    static func explosions(from start: Date, hours: Int, tag: Int, patrols: Range<Int> = 0..<3) -> [ObservationSubmission] {
        var generator = SplitMix64(seed: UInt64(tag))
        var result: [ObservationSubmission] = []
        for slot in 0..<(hours * 3) {
            for place in 0..<12 {
                let time = start.addingTimeInterval(Double(slot) * 1_200 + Double(place) * 30)
                for patrol in patrols where Int.random(in: 0..<4, using: &generator) > 0 {
                    result.append(ObservationSubmission(
                        observation: Observation(id: UUID(), kind: .explosion, count: 1,
                                                 observedAt: time.addingTimeInterval(Double.random(in: -60...60, using: &generator)),
                                                 modality: .heard,
                                                 location: .absolute(point: GeoPoint(lat: 47.9 + Double(place) * 0.05 + Double.random(in: -0.002...0.002, using: &generator),
                                                                                     lon: 37.75), accuracyMetres: 400)),
                        reporter: "patrol-\(patrol)", reporterTeam: "team-\(patrol)", receivedAt: time))
                }
            }
        }
        return result
    }

    struct Node {
        var store: MemoryStore
        var work: IncidentWork
        var board: IncidentBoard
    }

    static func node(settling: Bool) async -> Node {
        let store = MemoryStore()
        let work = settling
            ? IncidentWork(store: store, node: "settling", leaseDuration: 3_600, now: { now }, settleAbove: 0, settleAge: 86_400)
            : IncidentWork(store: store, node: "whole", leaseDuration: 3_600, now: { now })
        await work.renew()
        return Node(store: store, work: work, board: IncidentBoard(store: store, work: work, readWait: .seconds(1)))
    }

    static func live(_ store: MemoryStore) async throws -> [UUID: IncidentSummary] {
        let all = try await store.incidentChanges(after: 0, limit: 1_000_000)
        return Dictionary(all.filter { !$0.isRetired }.map { ($0.id, $0.summary) }, uniquingKeysWith: { _, last in last })
    }

    static func waitUntil(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<1_200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("the condition was not met within a minute")
    }

    @Test func aNodeThatSettlesItsHistoryStoresWhatANodeHoldingItAllStores() async throws {
        let settling = await Self.node(settling: true), whole = await Self.node(settling: false)
        defer { settling.work.stop(); whole.work.stop() }
        func submit(_ submissions: [ObservationSubmission]) async throws {
            _ = try await settling.store.submit(submissions)
            _ = try await whole.store.submit(submissions)
            try await settling.board.caughtUp()
            try await whole.board.caughtUp()
        }
        // Five days in time order, a day at a time.
        for day in 0..<5 {
            try await submit(Self.explosions(from: Self.day0.addingTimeInterval(Double(day) * 86_400), hours: 24, tag: day))
        }
        var expected = try await Self.live(whole.store)
        #expect(try await Self.live(settling.store) == expected)
        let settledAfterDays = await settling.work.settledRecordCount
        #expect(settledAfterDays > 1_000, "the first days are settled")

        // Other patrols' records of the first day, four days late, joining settled incidents;
        // and a new day.
        try await submit(Self.explosions(from: Self.day0, hours: 6, tag: 10, patrols: 3..<6)
            + Self.explosions(from: Self.day0.addingTimeInterval(5 * 86_400), hours: 12, tag: 11))
        expected = try await Self.live(whole.store)
        #expect(try await Self.live(settling.store) == expected)

        // An analyst merges two settled incidents of the first day and one of the fifth (held):
        // a node taking the work over later must join them whatever it has settled by then.
        let byStart = expected.values.sorted { $0.start < $1.start }
        let merged = Array(byStart.prefix(2)) + [byStart.last { $0.start < Timestamp.format(Self.day0.addingTimeInterval(5 * 86_400)) }!]
        let group = UUID()
        let pins = Dictionary(merged.flatMap(\.observationIDs).map { ($0, group) }, uniquingKeysWith: { first, _ in first })
        for node in [settling, whole] {
            _ = try await node.store.changeIncidents([], fence: nil) { _ in IncidentWrite(actor: "analyst-1", pins: pins) }
            node.work.trigger()
        }
        for node in [settling, whole] {
            try await Self.waitUntil { try await Self.live(node.store).values.contains { Set($0.observationIDs) == Set(pins.keys) } }
        }
        expected = try await Self.live(whole.store)
        #expect(try await Self.live(settling.store) == expected)

        // An agreement comes into force: every incident is checked again, settled ones too.
        let document = try SampleAgreements.documents().first { $0.name == "donbas-minsk-sample" }!
        let agreement = try AgreementParser().parse(document.data)
        for node in [settling, whole] {
            _ = try await node.store.saveAgreement(AgreementRecord(document: try JSONValue.parse(document.data), agreement: agreement,
                                                                   savedBy: "supervisor-1", savedAt: Self.now), expectedVersion: nil)
            try await node.board.caughtUp()
        }
        // Every incident checked again is written in several writes: in parts of 2,000 by the
        // node that holds it all, and by the settling node a part at a time as it takes the work
        // over again. The board counts the new agreement as checked only once the last of them
        // is written (`IncidentWork.fence`, `persist(checkedAgreements:)`), so both stores hold
        // every part when `caughtUp` returns: no waiting here (before 2026-11-28 the settling
        // node's first write said so, and the stores differed here).
        #expect(try await whole.store.incidentChanges(after: 0, limit: 1_000_000).count { !$0.isRetired } > IncidentWork.writeSize,
                "a write of every incident comes in more than one part, or this step tests nothing")
        expected = try await Self.live(whole.store)
        #expect(expected.values.filter { !$0.findings.isEmpty }.count > 100, "the agreement finds something, or this step tests nothing")
        #expect(try await Self.live(settling.store) == expected)
        #expect(await settling.work.settledRecordCount > 1_000, "settled again after the new check")

        // Another node takes the work over: it reconciles and drops the settled part as it
        // re-fuses the feed, and writes nothing new.
        let revision = try await settling.store.incidentProgress().revision
        await settling.work.release()
        let next = IncidentWork(store: settling.store, node: "next", leaseDuration: 3_600, now: { Self.now }, settleAbove: 0, settleAge: 86_400)
        defer { next.stop() }
        await next.renew()
        next.readersReady()
        try await Self.waitUntil { await next.holding }
        #expect(await next.settledRecordCount > 1_000)
        #expect(try await Self.live(settling.store) == expected)
        #expect(try await settling.store.incidentProgress().revision == revision, "nothing differed, so nothing was written")
    }
}
