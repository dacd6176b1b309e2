import BackstopCore
import Foundation
import Testing

/// Sensors: their registration read with every problem by path, a camera's field of view, and
/// liveness: unknown until heard from, up while it reports within twice its interval, down
/// after, each silence kept with its start and end, and how long it was silent in a period.
@Suite struct SensorTests {
    static let start = Timestamp.parse("2021-03-01T00:00:00Z")!

    static func camera(interval: Double = 600) -> Sensor {
        Sensor(id: "camera-zolote", kind: .camera, name: "Camera at Zolote", position: .init(lat: 48.69, lon: 38.52, accuracyM: 10),
               fieldOfView: .init(fromDegrees: 300, toDegrees: 60, rangeKm: 8), expectedIntervalSeconds: interval, responsible: "team-north",
               token: "camera-zolote", version: 1, registeredAt: start, updatedAt: start, updatedBy: "admin")
    }

    // MARK: Tests

    @Test func aRegistrationIsReadWithEveryProblemByPath() throws {
        let good = try JSONValue.parse(#"{"id": "camera-zolote", "kind": "camera", "name": "Camera at Zolote", "position": {"lat": 48.69, "lon": 38.52, "accuracy_m": 10}, "field_of_view": {"from_degrees": 300, "to_degrees": 60, "range_km": 8}, "expected_interval_seconds": 600, "token": "camera-zolote"}"#)
        let (sensor, read) = try SensorParser.parse(good, by: "admin", at: Self.start)
        #expect(sensor.id == "camera-zolote" && sensor.kind == .camera && read == nil && sensor.fieldOfView?.widthDegrees == 120)
        let bad = try JSONValue.parse(#"{"id": "Camera Zolote", "kind": "camera", "name": "", "position": {"lat": 148, "lon": 38.52}, "field_of_view": null, "expected_interval_seconds": 0, "token": "x", "colour": "red"}"#)
        do {
            _ = try SensorParser.parse(bad, by: "admin", at: Self.start)
            Issue.record("refused input was accepted")
        } catch {
            let paths = Set(error.errors.map(\.path))
            #expect(paths == ["id", "name", "position.lat", "position.accuracy_m", "field_of_view", "expected_interval_seconds", "colour"], "\(error.errors)")
        }
        let sameEnds = try JSONValue.parse(#"{"id": "c", "kind": "camera", "name": "c", "position": {"lat": 48, "lon": 38, "accuracy_m": 1}, "field_of_view": {"from_degrees": 90, "to_degrees": 90, "range_km": 8}, "expected_interval_seconds": 60, "token": "c"}"#)
        #expect(throws: ValidationFailure.self) { try SensorParser.parse(sameEnds, by: "admin", at: Self.start) }
    }

    @Test func aFieldOfViewMayCrossNorth() {
        let view = Sensor.FieldOfView(fromDegrees: 300, toDegrees: 60, rangeKm: 8)
        #expect(view.contains(bearing: 330) && view.contains(bearing: 0) && view.contains(bearing: 59) && !view.contains(bearing: 180))
        #expect(Sensor.FieldOfView(fromDegrees: 10, toDegrees: 40, rangeKm: 1).widthDegrees == 30)
    }

    @Test func silencesBeginTwoIntervalsAfterTheLastReportAndEndAtTheNext() {
        let camera = Self.camera(interval: 600)
        var liveness = SensorLiveness()
        #expect(liveness.state(of: camera, at: Self.start) == .unknown)
        liveness.seen(camera, at: Self.start)
        #expect(liveness.state(of: camera, at: Self.start.addingTimeInterval(1_200)) == .up)
        #expect(liveness.state(of: camera, at: Self.start.addingTimeInterval(1_201)) == .down)
        // Back after three hours: one silence, from 20 minutes after the last report.
        liveness.seen(camera, at: Self.start.addingTimeInterval(3 * 3600))
        #expect(liveness.silences == [.init(from: Self.start.addingTimeInterval(1_200), to: Self.start.addingTimeInterval(3 * 3600))])
        #expect(liveness.state(of: camera, at: Self.start.addingTimeInterval(3 * 3600 + 60)) == .up)
        // An older report changes nothing.
        liveness.seen(camera, at: Self.start.addingTimeInterval(100))
        #expect(liveness.lastSeen == Self.start.addingTimeInterval(3 * 3600))
        // Silent again from 03:20 on; in the day to 06:00 it was silent 2 h 40 min + 2 h 40 min.
        let day = ReportPeriod(start: Self.start, end: Self.start.addingTimeInterval(6 * 3600))
        #expect(liveness.silentSeconds(of: camera, within: day, at: Self.start.addingTimeInterval(6 * 3600)) == (2 * 3600 + 2400) * 2)
        #expect(liveness.silences(of: camera, at: Self.start.addingTimeInterval(6 * 3600)).last?.to == nil, "the open one")
        // Never heard from: silent since it was registered.
        #expect(SensorLiveness().silentSeconds(of: camera, within: day, at: day.end) == 6 * 3600)
        #expect(ReportText.duration(2 * 3600 + 2400) == "2 h 40 min" && ReportText.duration(90_000) == "1 d 1 h")
    }

    @Test func eachSilenceIsAnnouncedOnceEvenIfTheIntervalChangesMeanwhile() {
        var camera = Self.camera(interval: 600)
        var liveness = SensorLiveness()
        #expect(liveness.silenceToAnnounce(of: camera, at: Self.start.addingTimeInterval(1_000)) == nil, "never heard from, within its limit")
        #expect(liveness.silenceToAnnounce(of: camera, at: Self.start.addingTimeInterval(1_300)) == Self.start, "silent since its registration")
        liveness.seen(camera, at: Self.start.addingTimeInterval(1_400))
        #expect(liveness.silenceToAnnounce(of: camera, at: Self.start.addingTimeInterval(2_000)) == nil, "reporting")
        let down = Self.start.addingTimeInterval(1_400 + 1_300)
        let from = liveness.silenceToAnnounce(of: camera, at: down)
        #expect(from == Self.start.addingTimeInterval(1_400 + 1_200))
        liveness.alertedAfter = liveness.lastSeen
        #expect(liveness.silenceToAnnounce(of: camera, at: down.addingTimeInterval(60)) == nil, "announced")
        camera.expectedIntervalSeconds = 300   // the silence now counts from ten minutes after the report
        #expect(liveness.silenceToAnnounce(of: camera, at: down.addingTimeInterval(60)) == nil, "the same silence, not a new one")
        let alert = Alert.sensorSilent(camera, lastSeen: liveness.lastSeen, from: from!, at: down)
        #expect(alert.id == Alert.sensorSilent(camera, lastSeen: liveness.lastSeen, from: Self.start, at: down.addingTimeInterval(5)).id,
                "one silence, one alert id, however its start is counted")
        #expect(alert.kind == .sensorSilent && alert.release == .internal && alert.sensorId == "camera-zolote")
        liveness.seen(camera, at: down.addingTimeInterval(120))
        #expect(liveness.silenceToAnnounce(of: camera, at: down.addingTimeInterval(120 + 601)) != nil, "a new silence after the next report")
    }
}
