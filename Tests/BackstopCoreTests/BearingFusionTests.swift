import BackstopCore
import Foundation
import Testing

/// Bearing-only records (a bearing and no distance) held as lines of bearing, joined with each
/// other and with located records, and triangulated into one incident.
@Suite struct BearingFusionTests {
    static let start = Timestamp.parse("2021-03-01T21:30:00Z")!
    let event = GeoPoint(lat: 48.12, lon: 37.80)

    func id(_ index: Int) -> UUID { UUID(uuidString: String(format: "00000000-0000-4000-8000-%012d", index))! }

    /// A sensor at `azimuth`/`km` from `target` reporting the bearing to it, off by `error`.
    func line(_ index: Int, towards target: GeoPoint? = nil, from azimuth: Double, km: Double, error: Double = 0, sigma: Double = 1,
              seconds: Double = 0, sensor: String? = nil, kind: ObservationKind = .explosion) -> FusionRecord {
        let target = target ?? event
        let observer = Geodesic.wgs84.destination(from: target, azimuthDegrees: azimuth, distanceMetres: km * 1_000)
        var bearing = Geodesic.wgs84.inverse(from: observer, to: target).initialAzimuth + error
        bearing = (bearing + 360).truncatingRemainder(dividingBy: 360)
        var record = FusionRecord(id: id(index), kind: kind, start: Self.start.addingTimeInterval(seconds), end: Self.start.addingTimeInterval(seconds),
                                  timeToleranceSeconds: 30, point: nil, radiusMetres: FusionRecord.minimumRadiusMetres,
                                  source: sensor ?? "sensor-\(index)", modality: .acoustic, count: 1, grade: nil)
        record.reporter = sensor ?? "sensor-\(index)"
        record.lineOfBearing = LineOfBearing(observer: observer, bearingDegrees: bearing, sigmaDegrees: sigma, maximumRangeMetres: 25_000)
        return record
    }

    func fuse(_ records: [FusionRecord]) -> [Incident] {
        var engine = FusionEngine()
        records.forEach { engine.add($0) }
        return engine.incidents()
    }

    @Test func twoBearingsFromTwoSensorsBecomeOneLocatedIncidentWithItsEllipse() throws {
        let incidents = fuse([line(1, from: 200, km: 8, error: 0.8), line(2, from: 300, km: 11, error: -0.5, seconds: 3)])
        #expect(incidents.count == 1)
        let incident = try #require(incidents.first)
        let fix = try #require(incident.triangulation)
        let point = try #require(incident.point)
        #expect(fix.bearings == 2)
        #expect(fix.semiMajorMetres > fix.semiMinorMetres && fix.semiMinorMetres > 0)
        #expect(Geodesic.wgs84.distance(from: point, to: event) < fix.semiMajorMetres, "the event lies inside the 95 % ellipse")
        #expect(incident.unlocatedReason == nil)
        var engine = FusionEngine()
        engine.add(line(1, from: 200, km: 8))
        engine.add(line(2, from: 300, km: 11, seconds: 3))
        let reason = try #require(engine.reasons(forIncident: incident.id)[id(2)])
        #expect(reason.contains("the bearings cross at"), "\(reason)")
    }

    @Test func aThirdBearingRefinesTheFix() throws {
        let two = try #require(fuse([line(1, from: 200, km: 8), line(2, from: 300, km: 11)]).first?.triangulation)
        let three = try #require(fuse([line(1, from: 200, km: 8), line(2, from: 300, km: 11), line(3, from: 40, km: 9)]).first?.triangulation)
        #expect(three.bearings == 3)
        #expect(three.semiMajorMetres < two.semiMajorMetres)
    }

    @Test func bearingsThatDoNotMeetStayApartAsUnlocatedRecordsWithTheReason() throws {
        // Both point away from each other's line: they cross behind the second observer.
        var away = line(2, from: 300, km: 11)
        away.lineOfBearing!.bearingDegrees = (away.lineOfBearing!.bearingDegrees + 180).truncatingRemainder(dividingBy: 360)
        let apart = fuse([line(1, from: 200, km: 8), away])
        #expect(apart.count == 2)
        for incident in apart {
            #expect(incident.point == nil)
            #expect(incident.unlocatedReason?.contains("needs a second bearing") == true)
        }
        // Lines crossing beyond either sensor's reach, or at another time, or of another kind.
        #expect(fuse([line(1, from: 200, km: 30), line(2, from: 300, km: 31)]).count == 2)
        #expect(fuse([line(1, from: 200, km: 8), line(2, from: 300, km: 11, seconds: 600)]).count == 2)
        #expect(fuse([line(1, from: 200, km: 8), line(2, from: 300, km: 11, kind: .burstsShots)]).count == 2)
        // Two lines from one sensor are two events, never a fix.
        #expect(fuse([line(1, from: 200, km: 8, sensor: "cam"), line(2, from: 300, km: 11, sensor: "cam")]).count == 2)
    }

    @Test func aBearingJoinsAPatrolsLocatedRecordAndTheTwoCombine() throws {
        var patrol = FusionRecord(id: id(9), kind: .explosion, start: Self.start, end: Self.start, timeToleranceSeconds: 120,
                                  point: Geodesic.wgs84.destination(from: event, azimuthDegrees: 90, distanceMetres: 600),
                                  radiusMetres: 1_500, source: "patrol-01", modality: .heard, count: 3, grade: nil)
        patrol.reporter = "patrol-01/a"
        let incidents = fuse([patrol, line(1, from: 200, km: 8)])
        #expect(incidents.count == 1)
        #expect(incidents.first?.recordCount == 2)
        #expect(incidents.first?.triangulation == nil, "one line is no fix")
        // A line passing far from the patrol's place does not join it.
        #expect(fuse([patrol, line(1, from: 200, km: 8, error: 25)]).count == 2)
        // With a second line the fix and the patrol's place combine.
        let combined = try #require(fuse([patrol, line(1, from: 200, km: 8), line(2, from: 300, km: 11)]).first)
        #expect(combined.recordCount == 3)
        #expect(combined.triangulation?.bearings == 2)
        #expect(try #require(combined.radiusMetres) < 1_500)
    }

    @Test func twoSimultaneousEventsSeenByThreeSensorsEachAreTwoIncidents() throws {
        let other = Geodesic.wgs84.destination(from: event, azimuthDegrees: 120, distanceMetres: 4_000)
        // Three sensors, each with a line to each event: nine crossings, of which six are false.
        let sensors: [(Double, Double)] = [(200, 8), (300, 11), (40, 9)]
        var records: [FusionRecord] = []
        for (index, (azimuth, km)) in sensors.enumerated() {
            let observer = Geodesic.wgs84.destination(from: event, azimuthDegrees: azimuth, distanceMetres: km * 1_000)
            for (offset, target) in [event, other].enumerated() {
                var record = line(index * 2 + offset + 1, from: azimuth, km: km, seconds: Double(offset * 5), sensor: "sensor-\(index)")
                record.lineOfBearing = LineOfBearing(observer: observer, bearingDegrees: (Geodesic.wgs84.inverse(from: observer, to: target).initialAzimuth + 360)
                                                        .truncatingRemainder(dividingBy: 360), sigmaDegrees: 1, maximumRangeMetres: 25_000)
                records.append(record)
            }
        }
        let incidents = fuse(records)
        #expect(incidents.count == 2)
        let places = incidents.compactMap(\.point)
        #expect(places.count == 2)
        #expect(places.contains { Geodesic.wgs84.distance(from: $0, to: event) < 300 })
        #expect(places.contains { Geodesic.wgs84.distance(from: $0, to: other) < 300 })
        var generator = SplitMix64(seed: 7)
        for _ in 0..<10 { #expect(fuse(records.shuffled(using: &generator)) == incidents) }
    }

    @Test func theResultDoesNotDependOnArrivalOrder() {
        var generator = SplitMix64(seed: 3)
        var records: [FusionRecord] = []
        // Forty events in pairs 20 s apart, the pairs minutes apart, each heard by four of six sensors.
        let sensors: [(Double, Double)] = [(200, 8), (300, 11), (40, 9), (120, 14), (250, 6), (10, 16)]
        for eventIndex in 0..<40 {
            let target = Geodesic.wgs84.destination(from: event, azimuthDegrees: Double(eventIndex * 53 % 360), distanceMetres: Double(eventIndex % 9) * 900)
            for (sensorIndex, (azimuth, km)) in sensors.enumerated() where (eventIndex + sensorIndex) % 3 != 0 {
                let observer = Geodesic.wgs84.destination(from: event, azimuthDegrees: azimuth, distanceMetres: km * 1_000)
                var record = line(records.count + 1, from: azimuth, km: km, seconds: Double(eventIndex / 2 * 150 + eventIndex % 2 * 20), sensor: "sensor-\(sensorIndex)")
                let noise = Double(Int(generator.next() % 200)) / 100 - 1
                record.lineOfBearing = LineOfBearing(observer: observer, bearingDegrees: (Geodesic.wgs84.inverse(from: observer, to: target).initialAzimuth + noise + 360)
                                                        .truncatingRemainder(dividingBy: 360), sigmaDegrees: 1, maximumRangeMetres: 25_000)
                records.append(record)
            }
        }
        let reference = fuse(records)
        #expect(reference.count >= 20 && reference.count < records.count, "the fixture should both join and separate")
        #expect(reference.contains { $0.triangulation != nil })
        for _ in 0..<5 { #expect(fuse(records.shuffled(using: &generator)) == reference) }
    }

    @Test func aLineDoesNotMakeOneEventOfTwoPlacesThatDoNotOverlap() throws {
        // Two patrols' impacts 3 km apart on the same line from the camera: the line passes
        // through both, but they stay two incidents.
        let camera = Geodesic.wgs84.destination(from: event, azimuthDegrees: 200, distanceMetres: 8_000)
        let along = Geodesic.wgs84.inverse(from: camera, to: event).initialAzimuth
        let beyond = Geodesic.wgs84.destination(from: camera, azimuthDegrees: along, distanceMetres: 11_000)
        func patrol(_ index: Int, at point: GeoPoint) -> FusionRecord {
            var record = FusionRecord(id: id(index), kind: .explosion, start: Self.start, end: Self.start, timeToleranceSeconds: 120, point: point,
                                      radiusMetres: 1_000, source: "patrol-\(index)", modality: .heard, count: 1, grade: nil)
            record.reporter = "patrol-\(index)/a"
            return record
        }
        let records = [patrol(8, at: event), patrol(9, at: beyond), line(1, from: 200, km: 8)]
        let incidents = fuse(records)
        #expect(incidents.count == 2, "\(incidents.map(\.memberIDs))")
        #expect(incidents.contains { $0.memberIDs.count == 2 }, "the line joins one of them")
        var generator = SplitMix64(seed: 5)
        for _ in 0..<5 { #expect(fuse(records.shuffled(using: &generator)) == incidents) }
    }

    @Test func aFixFarFromTheOtherRecordsPlacesIsNotUsed() throws {
        // Two lines joined only through a patrol's place, crossing 6 km from it.
        var patrol = FusionRecord(id: id(9), kind: .explosion, start: Self.start, end: Self.start, timeToleranceSeconds: 120, point: event,
                                  radiusMetres: 800, source: "patrol-01", modality: .heard, count: 1, grade: nil)
        patrol.reporter = "patrol-01/a"
        let elsewhere = Geodesic.wgs84.destination(from: event, azimuthDegrees: 90, distanceMetres: 6_000)
        let first = line(1, towards: event, from: 200, km: 8)
        var second = line(2, towards: event, from: 330, km: 9)
        second.lineOfBearing!.bearingDegrees = (Geodesic.wgs84.inverse(from: second.lineOfBearing!.observer, to: elsewhere).initialAzimuth + 360).truncatingRemainder(dividingBy: 360)
        let incident = Incident(members: [patrol, first, second])
        #expect(incident.triangulation == nil)
        let point = try #require(incident.point)
        #expect(Geodesic.wgs84.distance(from: point, to: event) < 1, "the patrol's place stands alone")
    }
}
