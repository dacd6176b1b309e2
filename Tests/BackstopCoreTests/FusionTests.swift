@testable import BackstopCore
import Foundation
import Testing

@Suite struct FusionTests {
    static let start = Timestamp.parse("2021-03-01T21:30:00Z")!
    let explosion = GeoPoint(lat: 48.12, lon: 37.80)

    func record(_ index: Int, kind: ObservationKind = .explosion, seconds: Double = 0, at point: GeoPoint? = nil,
                radius: Double = 800, source: String = "team-a", count: Int = 1, grade: AdmiraltyGrade? = nil,
                direction: FireDirection? = nil) -> FusionRecord {
        var record = FusionRecord(id: UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))!, kind: kind,
                     start: Self.start.addingTimeInterval(seconds), end: Self.start.addingTimeInterval(seconds),
                     timeToleranceSeconds: 120, point: point ?? explosion, radiusMetres: radius, source: source,
                     modality: .heard, count: count, grade: grade)
        record.direction = direction
        return record
    }

    func id(_ index: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))! }

    func fuse(_ records: [FusionRecord]) -> [Incident] {
        var engine = FusionEngine()
        records.forEach { engine.add($0) }
        return engine.incidents()
    }

    /// The reasons of the incident holding the first record.
    func reasons(_ records: [FusionRecord]) -> [UUID: String] {
        var engine = FusionEngine()
        records.forEach { engine.add($0) }
        return engine.reasons(forIncident: engine.incident(containing: records[0].id)!.id)
    }

    // MARK: Tests

    @Test func twoPatrolsHearingOneExplosionMakeOneIncidentOfTwoSources() {
        let near = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 600)
        let records = [record(1, source: "team-a", count: 9), record(2, seconds: 40, at: near, source: "team-b", count: 7)]
        let incidents = fuse(records)
        #expect(incidents.count == 1)
        #expect(incidents[0].recordCount == 2)
        #expect(incidents[0].sources == ["team-a", "team-b"])
        #expect(incidents[0].estimatedEvents == 9, "overlapping counts from two sources are not added")
        #expect(reasons(records).count == 1)
        #expect(reasons(records)[incidents[0].memberIDs[1]]?.contains("600 m apart") == true)
    }

    @Test func recordsOfOneSourceAddUp() {
        let incident = fuse([record(1, count: 3), record(2, seconds: 60, count: 4)])[0]
        #expect(incident.sources == ["team-a"])
        #expect(incident.estimatedEvents == 7)
    }

    @Test func otherKindsDistantPlacesAndOtherTimesStayApart() {
        let far = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 0, distanceMetres: 5_000)
        #expect(fuse([record(1), record(2, kind: .tracer)]).count == 2)
        #expect(fuse([record(1), record(2, at: far)]).count == 2)
        #expect(fuse([record(1), record(2, seconds: 600)]).count == 2)
        #expect(fuse([record(1), FusionRecord(id: UUID(), kind: .explosion, start: Self.start, end: Self.start, timeToleranceSeconds: 120,
                                              point: nil, radiusMetres: 0, source: "x", modality: .heard, count: 1, grade: nil)]).count == 2)
    }

    /// 400 records spread around the explosion, of six teams and two kinds: some join, some not.
    func spreadRecords() -> [FusionRecord] {
        (0..<400).map { index in
            let point = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: Double(index * 37 % 360), distanceMetres: Double(index % 23) * 700)
            return record(index, kind: index % 5 == 0 ? .burstsShots : .explosion, seconds: Double(index % 31) * 90, at: point,
                          radius: 400 + Double(index % 7) * 150, source: "team-\(index % 6)")
        }
    }

    @Test func theResultDoesNotDependOnArrivalOrder() {
        var generator = SystemRandomNumberGenerator()
        let records = spreadRecords()
        let reference = fuse(records)
        #expect(reference.count > 10 && reference.count < 400, "the fixture should both join and separate")
        for _ in 0..<5 {
            #expect(fuse(records.shuffled(using: &generator)) == reference)
        }
    }

    /// The deriving node adds records in steps; the engine works each changed component out
    /// once per step. The incidents must be those of adding the records one at a time, and the
    /// changes, applied in turn, must name exactly the incidents there are. The fixture has
    /// spread records that join and separate, and a flood at one place past the split limit.
    @Test func addingInBatchesGivesWhatAddingOneByOneGives() {
        var generator = SystemRandomNumberGenerator()
        var records = spreadRecords()
        let flood = GeoPoint(lat: 48.3, lon: 37.9)
        for index in 0..<(FusionEngine.largestSplitComponent + 200) {
            var camera = record(1_000 + index, seconds: Double(index % 60), at: flood, radius: 250, source: "camera-1")
            camera.timeToleranceSeconds = 30
            camera.modality = .camera
            records.append(camera)
        }
        records += (0..<3).map { record(5_000 + $0, seconds: 10, at: flood, radius: 500, source: "patrol-\($0)") }
        let reference = fuse(records)
        #expect(reference.contains { $0.recordCount > FusionEngine.largestSplitComponent }, "the flood is one incident kept whole")
        for size in [1, 7, 100, 1_000] {
            var engine = FusionEngine()
            var named: Set<UUID> = []
            let shuffled = records.shuffled(using: &generator)
            for start in stride(from: 0, to: shuffled.count, by: size) {
                let change = engine.add(Array(shuffled[start..<min(start + size, shuffled.count)]))
                #expect(change.removed.allSatisfy { named.contains($0) && !engine.hasIncident(id: $0) }, "only incidents there were are gone")
                #expect(change.current.allSatisfy { engine.hasIncident(id: $0) })
                named.subtract(change.removed)
                named.formUnion(change.current)
            }
            #expect(engine.incidents().map(\.memberIDs) == reference.map(\.memberIDs), "batches of \(size)")
            #expect(engine.incidents() == reference, "batches of \(size)")
            #expect(named == Set(reference.map(\.id)), "batches of \(size): the changes name exactly the incidents there are")
        }
    }

    @Test func aLateRecordBridgesTwoIncidents() {
        let east = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 1_400)
        let middle = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 700)
        var engine = FusionEngine()
        engine.add(record(1, radius: 500, source: "team-a"))
        engine.add(record(2, at: east, radius: 500, source: "team-b"))
        #expect(engine.incidents().count == 2)
        engine.add(record(3, at: middle, radius: 500, source: "team-c"))
        #expect(engine.incidents().count == 1)
        #expect(engine.incident(containing: UUID(uuidString: "00000000-0000-4000-8000-000000000002")!)?.recordCount == 3)
    }

    @Test func confidenceGrowsWithIndependentWellGradedSources() {
        let one = fuse([record(1, grade: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue))])[0]
        let twoOfOneSource = fuse([record(1, grade: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue)),
                                   record(2, seconds: 30, grade: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue))])[0]
        let twoSources = fuse([record(1, grade: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue)),
                               record(2, seconds: 30, source: "team-b", grade: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue))])[0]
        #expect(abs(one.confidence - 0.64) < 1e-9)
        #expect(twoOfOneSource.confidence == one.confidence, "a second member of one patrol corroborates nothing")
        #expect(abs(twoSources.confidence - (1 - 0.36 * 0.36)) < 1e-9)
    }

    @Test func theCombinedPositionLeansToTheSharperEstimate() {
        let sharp = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 300)
        let incident = fuse([record(1, radius: 1_000), record(2, at: sharp, radius: 300, source: "camera-3")])[0]
        let point = try! #require(incident.point)
        #expect(Geodesic.wgs84.distance(from: point, to: sharp) < Geodesic.wgs84.distance(from: point, to: explosion))
        #expect((incident.radiusMetres ?? 0) < 300)
    }

    @Test func aRepeatedIdIsIgnored() {
        var engine = FusionEngine()
        engine.add(record(1))
        engine.add(record(1))
        #expect(engine.count == 1)
    }

    @Test func outgoingAndIncomingFireAreTwoEndsNotOneEvent() {
        #expect(fuse([record(1, direction: .outgoing), record(2, direction: .incoming)]).count == 2)
        #expect(fuse([record(1, direction: .outgoing), record(2, direction: .unknown)]).count == 1)
        #expect(fuse([record(1, direction: .incoming), record(2), record(3, direction: .incoming)]).count == 1)
        let records = [record(1, direction: .incoming), record(2, seconds: 10, direction: .incoming)]
        #expect(fuse(records)[0].direction == .incoming)
        #expect(reasons(records)[id(2)]?.contains("both incoming") == true)
    }

    @Test func aChangeNamesTheIncidentNowAndTheIdsThatAreGone() {
        let east = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 1_400)
        let middle = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 700)
        var engine = FusionEngine()
        #expect(engine.add(record(5, radius: 500, source: "camera-1")) == .init(current: [id(5)], removed: []))
        #expect(engine.add(record(2, at: east, radius: 500, source: "camera-2")) == .init(current: [id(2)], removed: []))
        #expect(engine.add(record(9, at: middle, radius: 500, source: "team-c")) == .init(current: [id(2)], removed: [id(5)]))
        #expect(engine.incident(id: id(5)) == nil, "merged away")
        #expect(engine.incident(id: id(2))?.memberIDs == [id(2), id(5), id(9)])
        #expect(engine.incident(containing: id(5))?.id == id(2))
        #expect(engine.incidentCount == 1)
    }

    @Test func everyMemberButTheFirstSaysWhyAndToWhichRecord() {
        let why = reasons((1...6).map { record($0, seconds: Double($0) * 20) })
        #expect(why.count == 5)
        #expect(why[id(1)] == nil)
        #expect(why[id(4)]?.hasPrefix("joined to \(id(1).uuidString.lowercased())") == true)
    }

    @Test func anAnalystCanSplitAnIncidentAndMergeItBack() {
        var engine = FusionEngine()
        (1...4).forEach { engine.add(record($0, seconds: Double($0) * 20)) }
        #expect(engine.incidentCount == 1)
        let split = engine.pin([id(3), id(4)], to: id(900))
        #expect(split.current == [id(1), id(3)])
        #expect(engine.incident(id: id(3))?.memberIDs == [id(3), id(4)])
        #expect(engine.incident(id: id(3))?.analystEdited == true)
        #expect(engine.reasons(forIncident: id(3))[id(4)]?.contains("analyst") == true)
        #expect(engine.incident(id: id(1))?.memberIDs == [id(1), id(2)])
        // A new record next to both parts does not undo the split: the pinned part is closed.
        engine.add(record(5, seconds: 50))
        #expect(engine.incident(id: id(3))?.memberIDs == [id(3), id(4)])
        #expect(engine.incident(id: id(1))?.memberIDs == [id(1), id(2), id(5)])

        let merge = engine.pin([id(1), id(2), id(5), id(3), id(4)], to: id(901))
        #expect(merge == .init(current: [id(1)], removed: [id(3)]))
        #expect(engine.incident(id: id(1))?.recordCount == 5)
    }

    @Test func oneSourceInTwoPlacesIsTwoEventsEvenWhenAVagueRecordBridgesThem() {
        // An acoustic array locates two impacts 1.6 km apart; a patrol's vague record touches both.
        let east = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 1_600)
        let middle = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 500)
        let records = [record(1, radius: 400, source: "acoustic-1"), record(2, seconds: 30, at: east, radius: 400, source: "acoustic-1"),
                       record(3, seconds: 10, at: middle, radius: 2_500, source: "patrol-7")]
        let incidents = fuse(records)
        #expect(incidents.map(\.memberIDs) == [[id(1), id(3)], [id(2)]], "the patrol goes with the nearer impact")
        #expect(fuse(records.reversed()) == incidents)
    }

    @Test func launchAndImpactBridgedByAnUnspecifiedRecordStayTwoIncidents() {
        let impact = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 2_000)
        let middle = Geodesic.wgs84.destination(from: explosion, azimuthDegrees: 90, distanceMetres: 1_200)
        let records = [record(1, radius: 600, source: "acoustic-1", direction: .outgoing),
                       record(2, seconds: 20, at: impact, radius: 600, source: "acoustic-2", direction: .incoming),
                       record(3, seconds: 10, at: middle, radius: 2_000, source: "patrol-7", direction: .unknown)]
        let incidents = fuse(records)
        #expect(incidents.count == 2)
        #expect(incidents.first { $0.memberIDs.contains(id(3)) }?.memberIDs == [id(2), id(3)], "the patrol's record goes with the nearer end")
    }

    @Test func twoMembersOfOnePatrolFilingOneEventStayOneIncident() {
        let incident = fuse([record(1, source: "patrol-7"), record(2, seconds: 20, source: "patrol-7")])
        #expect(incident.count == 1)
    }

    @Test func oneTeamFilingManyRecordsOfOnePlaceStaysOneIncidentCheaply() {
        // 1,000 identical records of one team (reporters not named): each joins all the others directly, so the
        // component is never split (splitting would cost the cube of its size over the run).
        var engine = FusionEngine()
        for index in 0..<1_000 { engine.add(record(index + 1, seconds: Double(index % 60), source: "patrol-7")) }
        #expect(engine.incidentCount == 1)
        #expect(engine.incident(containing: id(1))?.recordCount == 1_000)
    }

    @Test func oneReportersTwoRecordsAreTwoEventsButAnImportedFilesAreNot() {
        let observation = Observation(id: id(1), kind: .explosion, observedAt: Self.start, modality: .heard,
                                      location: .absolute(point: explosion, accuracyMetres: 500))
        var second = observation
        second.id = id(2)
        let resolution = LocationResolver().resolve(observation)
        func records(_ reporter: String) -> [FusionRecord] {
            [observation, second].map { FusionRecord(observation: $0, resolution: resolution, reporter: reporter, reporterTeam: "team-a") }
        }
        #expect(fuse(records("patrol-7/a")).count == 2, "a person files one record per event")
        #expect(fuse(records(ImportRows.reporter(forFile: "kobo-export.csv"))).count == 1, "a file is not a person")
    }
}

/// The grids only find candidates; the rule decides. An engine that compares every record with
/// every other must give the same incidents, on records of every shape: small and large
/// places, lines of bearing of every reach, times known to the second or to the day.
@Suite struct FusionGridTests {
    @Test func theGridsMissNoPair() {
        var random = SplitMix64(seed: 9)
        func uniform() -> Double { Double(random.next() % 1_000_000) / 1_000_000 }
        let start = Date(timeIntervalSince1970: 1_614_556_800)
        var records: [FusionRecord] = []
        for index in 0..<300 {
            let time = start.addingTimeInterval(uniform() * 3 * 3_600)
            let tolerance = [30.0, 120, 180, 3_600, 86_400][Int(random.next() % 5)]
            let radius = [250.0, 800, 3_000, 12_000, 40_000][Int(random.next() % 5)]
            let place = GeoPoint(lat: 47.8 + uniform() * 0.6, lon: 37.6 + uniform() * 0.6)
            var record = FusionRecord(id: UUID(), kind: index % 7 == 0 ? .burstsShots : .explosion, start: time, end: time.addingTimeInterval(uniform() * 300),
                                      timeToleranceSeconds: tolerance, point: place, radiusMetres: radius, source: "source-\(index % 15)",
                                      modality: .heard, count: 1, grade: nil)
            if index % 3 == 0 {
                record.point = nil
                record.timeToleranceSeconds = 30
                record.lineOfBearing = LineOfBearing(observer: place, bearingDegrees: uniform() * 360, sigmaDegrees: 2,
                                                     maximumRangeMetres: [5_000.0, 15_000, 40_000][Int(random.next() % 3)])
            }
            records.append(record)
        }
        var indexed = FusionEngine(), everyPair = FusionEngine(indexed: false)
        for record in records {
            indexed.add(record)
            everyPair.add(record)
        }
        #expect(indexed.incidents().map(\.memberIDs) == everyPair.incidents().map(\.memberIDs))
        #expect(indexed.incidentCount > 30 && indexed.incidentCount < 300)
    }
}

/// A flood at one place makes a component too large to split; records joining it are added
/// to its one incident directly. Whatever the order (newcomers with ids lower than the
/// incident's key re-key it), the result is the same one incident of every record.
@Suite struct FusionFloodTests {
    @Test func aFloodPastTheSplitLimitIsOneIncidentInAnyOrder() {
        let start = Date(timeIntervalSince1970: 1_614_634_200)
        let place = GeoPoint(lat: 48.1, lon: 37.8)
        var records = (0..<3).map { index in
            FusionRecord(id: UUID(), kind: .explosion, start: start, end: start, timeToleranceSeconds: 120, point: place,
                         radiusMetres: 500, source: "team-\(index)", modality: .heard, count: 3, grade: nil)
        }
        for index in 0..<(FusionEngine.largestSplitComponent + 200) {
            var record = FusionRecord(id: UUID(), kind: .explosion, start: start.addingTimeInterval(Double(index % 60)),
                                      end: start.addingTimeInterval(Double(index % 60)), timeToleranceSeconds: 30, point: place,
                                      radiusMetres: 250, source: "camera-1", modality: .camera, count: 1, grade: nil)
            record.reporter = "camera-1"
            records.append(record)
        }
        var forwards = FusionEngine(), backwards = FusionEngine()
        var lastChange = FusionEngine.Change.none
        for record in records { lastChange = forwards.add(record) }
        for record in records.reversed() { backwards.add(record) }
        let lowest = records.map(\.id).min(by: UUIDOrder.less)!
        #expect(forwards.incidents().map(\.id) == [lowest])
        #expect(forwards.incidents().map(\.memberIDs) == backwards.incidents().map(\.memberIDs))
        #expect(forwards.incidents().first?.recordCount == records.count)
        #expect(lastChange.current == [lowest])
    }
}

/// Incident ids compare as the bytes of their text do.
@Suite struct UUIDOrderTests {
    @Test func theOrderIsTheOrderOfTheBytes() {
        var random = SplitMix64(seed: 3)
        for _ in 0..<5_000 {
            let bytes = (0..<2).map { _ in (0..<16).map { _ in UInt8(truncatingIfNeeded: random.next() % (random.next() % 2 == 0 ? 256 : 3)) } }
            let (a, b) = (UUID(uuid: Self.tuple(bytes[0])), UUID(uuid: Self.tuple(bytes[1])))
            #expect(UUIDOrder.less(a, b) == bytes[0].lexicographicallyPrecedes(bytes[1]))
            #expect(UUIDOrder.less(a, b) == (a.uuidString.lowercased() < b.uuidString.lowercased()))
        }
    }

    static func tuple(_ b: [UInt8]) -> uuid_t {
        (b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15])
    }
}
