import BackstopCore
import BackstopServer
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

/// The sensor registry over HTTP: registration refused field by field, changed only naming the
/// version read, heartbeats from the sensor's own token only, the status as the clock moves,
/// its detections counting as reports, and the daily report naming the time it was silent.
@Suite struct SensorsAPITests {
    static let camera = #"{"id": "camera-zolote", "kind": "camera", "name": "Camera at Zolote", "position": {"lat": 48.69, "lon": 38.52, "accuracy_m": 10}, "field_of_view": {"from_degrees": 300, "to_degrees": 60, "range_km": 8}, "expected_interval_seconds": 600, "responsible": "team-north", "token": "sensor"}"#

    static func status(_ client: any TestClientProtocol, _ server: TestServer) async throws -> String? {
        try await client.call(.get, "/api/v1/sensors/camera-zolote", as: "analyst", server: server).json["status"]?["state"]?.stringValue
    }

    /// The `sensor_silent` alerts, waiting (at most 10 s) until there are `atLeast`.
    static func sensorAlerts(_ client: any TestClientProtocol, _ server: TestServer, atLeast count: Int) async throws -> [JSONValue] {
        for _ in 0..<200 {
            let alerts = try await client.call(.get, "/api/v1/alerts", as: "analyst", server: server).json["alerts"]?.arrayValue ?? []
            let silent = alerts.filter { $0["kind"] == .string("sensor_silent") }
            if silent.count >= count { return silent }
            try await Task.sleep(for: .milliseconds(50))
        }
        return []
    }

    // MARK: Tests

    @Test func aCameraIsRegisteredHeardFromAndSeenToFallSilent() async throws {
        let (server, clock) = try await TestServer.makeWithClock()
        try await server.run { client in
            let registered = try await client.call(.post, "/api/v1/sensors", as: "supervisor", server: server, body: Self.camera)
            #expect(registered.status == .created && registered.json["version"] == .number(1) && registered.json["status"]?["state"] == .string("unknown"),
                    "\(registered.json)")
            let stale = Self.camera.replacingOccurrences(of: #""token": "sensor"}"#, with: #""token": "sensor", "version": 1}"#)
            #expect(try await client.call(.post, "/api/v1/sensors", as: "supervisor", server: server, body: stale).status == .conflict,
                    "version 1 exists already: a change makes version 2")
            let renamed = Self.camera.replacingOccurrences(of: "Camera at Zolote", with: "Camera at Zolote (mast 2)")
                .replacingOccurrences(of: #""token": "sensor"}"#, with: #""token": "sensor", "version": 2}"#)
            let changed = try await client.call(.post, "/api/v1/sensors", as: "admin", server: server, body: renamed)
            #expect(changed.status == .ok && changed.json["version"] == .number(2), "\(changed.json)")
            #expect(try await client.call(.post, "/api/v1/sensors", as: "analyst", server: server, body: Self.camera).status == .forbidden)
            let refused = try await client.call(.post, "/api/v1/sensors", as: "admin", server: server,
                                                body: Self.camera.replacingOccurrences(of: #""id": "camera-zolote""#, with: #""id": "Camera Zolote""#)
                                                    .replacingOccurrences(of: #""range_km": 8"#, with: #""range_km": -1"#))
            #expect(refused.status == .unprocessableContent)
            #expect(Set(refused.json["errors"]?.arrayValue?.compactMap { $0["path"]?.stringValue } ?? []) == ["id", "field_of_view.range_km"])

            // Heartbeats: the sensor's own token only.
            #expect(try await client.call(.post, "/api/v1/sensors/camera-zolote/heartbeat", as: "monitor", server: server).status == .forbidden)
            #expect(try await client.call(.post, "/api/v1/sensors/no-such/heartbeat", as: "sensor", server: server).status == .notFound)
            let beat = try await client.call(.post, "/api/v1/sensors/camera-zolote/heartbeat", as: "sensor", server: server)
            #expect(beat.status == .ok && beat.json["state"] == .string("up"), "\(beat.json)")

            // Silent past twice its interval: down, listed as down.
            clock.advance(by: 1_201)
            #expect(try await Self.status(client, server) == "down")
            let down = try await client.call(.get, "/api/v1/sensors?status=down", as: "analyst", server: server)
            #expect(down.json["sensors"]?.arrayValue?.compactMap { $0["id"]?.stringValue } == ["camera-zolote"])
            #expect(try await client.call(.get, "/api/v1/sensors?status=up", as: "analyst", server: server).json["sensors"]?.arrayValue?.isEmpty == true)
            #expect(try await client.call(.get, "/api/v1/sensors?status=asleep", as: "analyst", server: server).status == .unprocessableContent)

            // The silence raises one alert through the escalation channel, for the mission only.
            let silent = try await Self.sensorAlerts(client, server, atLeast: 1)
            #expect(silent.count == 1, "\(silent)")
            #expect(silent.first?["sensor_id"] == .string("camera-zolote") && silent.first?["release"] == .string("internal"))
            #expect(silent.first?["reasons"]?.arrayValue?.first?.stringValue?.contains("has not reported since 2021-03-02T00:00:00.000Z") == true, "\(silent)")
            let cap = try await client.execute(uri: "/api/v1/alerts/\(silent.first?["id"]?.stringValue ?? "")/cap", method: .get, headers: server.headers("analyst")) {
                String(buffer: $0.body)
            }
            #expect(cap.contains("<event>Monitoring sensor silent</event>") && cap.contains("<valueName>sensor</valueName>"), "\(cap)")
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await Self.sensorAlerts(client, server, atLeast: 0).count == 1, "one silence is announced once")
            #expect(try await client.call(.get, "/api/v1/alerts", as: "partner", server: server).json["alerts"]?.arrayValue?
                .contains { $0["kind"] == .string("sensor_silent") } == false, "partners do not see the mission's sensors")

            // Its detection counts as a report: up again, the silence kept.
            clock.advance(by: 3_600)
            let detection = Fixtures.observation(modality: "camera")
            #expect(try await client.call(.post, "/api/v1/observations", as: "sensor", server: server, body: detection).status == .created)
            let back = try await client.call(.get, "/api/v1/sensors/camera-zolote", as: "analyst", server: server)
            #expect(back.json["status"]?["state"] == .string("up"))
            let silences = back.json["status"]?["silences"]?.arrayValue ?? []
            #expect(silences.count == 1 && silences.first?["to"] != nil && silences.first?["to"] != .null, "\(back.json)")

            // A record that names no observer stands where the camera stands.
            let bearingOnly = #"{"id": "\#(UUID().uuidString.lowercased())", "kind": "explosion", "count": 1, "observed_at": "2021-03-02T01:00:00Z", "modality": "camera", "location": {"bearing_deg": 10, "distance_km": {"min": 2, "max": 4}}}"#
            let placed = try await client.call(.post, "/api/v1/observations", as: "sensor", server: server, body: bearingOnly)
            #expect(placed.status == .created, "\(placed.json)")
            #expect(placed.json["observer"]?["lat"] == .number(48.69) && placed.json["observer"]?["lon"] == .number(38.52), "\(placed.json)")
            #expect(try await client.call(.post, "/api/v1/observations", as: "monitor", server: server,
                                          body: bearingOnly.replacingOccurrences(of: "camera", with: "heard")).status == .unprocessableContent,
                    "anyone else still names where they stood")

            // So does each record of a batch, its elements parsed as they are read (in parts).
            let ids = (0..<150).map { _ in UUID().uuidString.lowercased() }
            let records = ids.map { bearingOnly.replacing(#/"id": "[0-9a-f-]+"/#, with: "\"id\": \"\($0)\"") }
            let batch = try await client.call(.post, "/api/v1/observations", as: "sensor", server: server,
                                              body: "{\"observations\": [" + records.joined(separator: ",") + "]}")
            #expect(batch.status == .created && batch.json["created"] == .number(150), "\(batch.json)")
            for id in [ids[0], ids[149]] {
                let stored = try await client.call(.get, "/api/v1/observations/\(id)", as: "analyst", server: server)
                #expect(stored.json["observer"]?["lat"] == .number(48.69) && stored.json["observer"]?["lon"] == .number(38.52), "\(stored.json)")
            }

            // The daily report names it and for how long it was silent.
            let report = try await client.call(.post, "/api/v1/reports", as: "analyst", server: server,
                                               body: #"{"from": "2021-03-01T20:00:00Z", "to": "2021-03-02T01:15:00Z"}"#)
            #expect(report.status == .created, "\(report.json)")
            let caveats = report.json["content"]?["caveats"]?.arrayValue?.compactMap(\.stringValue) ?? []
            #expect(caveats.contains { $0.contains("Camera at Zolote (mast 2) (camera, silent 55 min, last report") }, "\(caveats)")
            let outside = try await client.call(.get, "/api/v1/sensors", as: "partner", server: server)
            #expect(outside.status == .forbidden)
        }
    }

    /// A bearing-only detection from a registered sensor, at an exact time.
    static func bearing(_ degrees: Double, modality: String, at time: String = "2021-03-01T23:10:00Z") -> String {
        #"{"id": "\#(UUID().uuidString.lowercased())", "kind": "explosion", "count": 1, "observed_at": "\#(time)", "time_precision": "exact", "modality": "\#(modality)", "location": {"bearing_deg": \#(degrees), "bearing_error_deg": 2}}"#
    }

    @Test func twoBearingOnlyDetectionsFromTwoSensorsBecomeOneLocatedIncidentWithItsEllipse() async throws {
        var server = try await TestServer.make()
        try await server.addToken(name: "sensor-2", role: .sensor, team: nil)
        let configured = server
        try await configured.run { client in
            let server = configured
            #expect(try await client.call(.put, "/api/v1/agreements/test-agreement", as: "supervisor", server: server, body: Fixtures.agreement).status == .created)
            #expect(try await client.call(.post, "/api/v1/sensors", as: "supervisor", server: server, body: Self.camera).status == .created)
            let acoustic = #"{"id": "acoustic-east", "kind": "acoustic", "name": "Acoustic array east", "position": {"lat": 48.70, "lon": 38.64, "accuracy_m": 10}, "expected_interval_seconds": 600, "token": "sensor-2"}"#
            let registered = try await client.call(.post, "/api/v1/sensors", as: "supervisor", server: server, body: acoustic)
            #expect(registered.status == .created && registered.json["warnings"] == .array([]), "\(registered.json)")

            let event = GeoPoint(lat: 48.74, lon: 38.55)
            func towards(from lat: Double, _ lon: Double) -> Double {
                let azimuth = Geodesic.wgs84.inverse(from: GeoPoint(lat: lat, lon: lon), to: event).initialAzimuth
                return ((azimuth + 360).truncatingRemainder(dividingBy: 360) * 10).rounded() / 10
            }
            let first = try await client.call(.post, "/api/v1/observations", as: "sensor", server: server,
                                              body: Self.bearing(towards(from: 48.69, 38.52), modality: "camera"))
            #expect(first.status == .created, "\(first.json)")
            #expect(first.json["resolved_location"]?["status"] == .string("unresolved"))
            #expect(first.json["resolved_location"]?["reason"]?.stringValue?.contains("flagged") == false, "inside the camera's view: not flagged")
            let second = try await client.call(.post, "/api/v1/observations", as: "sensor-2", server: server,
                                               body: Self.bearing(towards(from: 48.70, 38.64), modality: "acoustic", at: "2021-03-01T23:10:04Z"))
            #expect(second.status == .created, "\(second.json)")

            let list = try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server)
            let incidents = list.json["incidents"]?.arrayValue ?? []
            #expect(incidents.count == 1, "\(list.json)")
            let location = try #require(incidents.first?["location"])
            let fix = try #require(location["triangulation"])
            #expect(fix["bearings"] == .number(2), "\(location)")
            let semiMajor = try #require(fix["semi_major_m"]?.doubleValue), semiMinor = try #require(fix["semi_minor_m"]?.doubleValue)
            #expect(semiMajor >= semiMinor && semiMinor > 0)
            let placed = GeoPoint(lat: try #require(location["lat"]?.doubleValue), lon: try #require(location["lon"]?.doubleValue))
            #expect(Geodesic.wgs84.distance(from: placed, to: event) < 100, "exact bearings cross at the event")
            #expect(incidents.first?["observation_ids"]?.arrayValue?.count == 2)
            let id = try #require(incidents.first?["id"]?.stringValue)
            let detail = try await client.call(.get, "/api/v1/incidents/\(id)", as: "analyst", server: server)
            let reasons = detail.json["observations"]?.arrayValue?.compactMap { $0["joined_because"]?.stringValue } ?? []
            #expect(reasons.contains { $0.contains("the bearings cross at") }, "\(reasons)")

            // Released to the parties, it shows its place but not the fix: the ellipse would
            // show where the lines came from. Partners see the fix.
            let verified = try await IncidentWorkflowAPITests.verify(client, server, id)
            let released = try await client.call(.post, "/api/v1/incidents/\(id)/release", as: "supervisor", server: server,
                                                 body: #"{"level": "parties", "version": \#(verified)}"#)
            #expect(released.status == .ok, "\(released.json)")
            let party = try await client.call(.get, "/api/v1/incidents/\(id)", as: "party", server: server)
            #expect(party.status == .ok && party.json["location"]?["lat"]?.doubleValue != nil, "\(party.json)")
            #expect(party.json["location"]?["triangulation"] == .null && party.json["sources"] == .array([]), "\(party.json)")
            let partner = try await client.call(.get, "/api/v1/incidents/\(id)", as: "partner", server: server)
            #expect(partner.json["location"]?["triangulation"]?["bearings"] == .number(2), "\(partner.json)")

            // A lone bearing stays visible, unlocated, with the reason.
            _ = try await client.call(.post, "/api/v1/observations", as: "sensor", server: server,
                                      body: Self.bearing(towards(from: 48.69, 38.52), modality: "camera", at: "2021-03-01T23:40:00Z"))
            let all = try await client.call(.get, "/api/v1/incidents", as: "analyst", server: server).json["incidents"]?.arrayValue ?? []
            let lone = all.first { $0["location"] == .null }
            #expect(lone?["unlocated_reason"]?.stringValue?.contains("needs a second bearing") == true, "\(all)")

            // A bearing outside the camera's field of view (300°–60°) is accepted, and flagged.
            let outside = try await client.call(.post, "/api/v1/observations", as: "sensor", server: server,
                                                body: Self.bearing(180, modality: "camera", at: "2021-03-01T23:50:00Z"))
            #expect(outside.status == .created, "\(outside.json)")
            let reason = outside.json["resolved_location"]?["reason"]?.stringValue ?? ""
            #expect(reason.contains("flagged: bearing 180° is outside the field of view of camera camera-zolote (300°–60° out to 8 km)"), "\(reason)")

            // A sensor registered far from every area of operations is accepted, and warned.
            let astray = acoustic.replacingOccurrences(of: "acoustic-east", with: "acoustic-astray").replacingOccurrences(of: #""lat": 48.70, "lon": 38.64"#, with: #""lat": 10, "lon": 10"#)
            let warned = try await client.call(.post, "/api/v1/sensors", as: "supervisor", server: server, body: astray)
            #expect(warned.status == .created)
            #expect(warned.json["warnings"]?.arrayValue?.first?.stringValue?.contains("outside every area of operations (test-agreement)") == true, "\(warned.json)")
        }
    }
}
