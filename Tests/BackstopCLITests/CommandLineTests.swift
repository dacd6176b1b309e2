import BackstopCore
import Foundation
import Testing

extension ProcessTests {
@Suite struct CommandLineTests {
    static let samples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/BackstopData/Agreements")

    func write(_ text: String, to name: String, in directory: String) -> String {
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(text.utf8))
        return path
    }

    // MARK: Tests

    @Test(arguments: ["donbas-minsk-sample", "korea-dmz-sample", "sinai-treaty-sample"])
    func agreementCheckSummarisesTheSamples(name: String) async throws {
        let output = try await BackstopProcess.run(["agreement", "check", Self.samples.appendingPathComponent("\(name).json").path])
        #expect(output.status == 0, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("OK: "))
        #expect(output.stdout.contains("km"))
        #expect(output.stdout.contains("rules:"))
    }

    @Test func agreementCheckNamesEachProblemAndFails() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let file = write(#"{"id":"x","title":"T","effective_from":"2020-01-01T00:00:00Z","parties":[{"id":"a","name":"A","side":"left","measures_from":"l"},{"id":"b","name":"B","side":"right","measures_from":"l"}],"lines":[{"id":"l","kind":"contact_line","geometry":{"type":"LineString","coordinates":[[0,0],[1,1],[1,0],[0,1]]}}],"withdrawal_rules":[{"id":"r","weapon_classes":["catapult"],"distance_km":5}]}"#, to: "bad.json", in: directory)
        let output = try await BackstopProcess.run(["agreement", "check", file])
        #expect(output.status != 0)
        #expect(output.stderr.contains("lines[0].geometry.coordinates: the line intersects itself"))
        #expect(output.stderr.contains("withdrawal_rules[0].weapon_classes[0]: unknown weapon class 'catapult'"))
        let missing = try await BackstopProcess.run(["agreement", "check", "/nonexistent.json"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("cannot read"))
    }

    @Test func agreementLoadSavesANewVersion() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let file = Self.samples.appendingPathComponent("korea-dmz-sample.json").path
        let first = try await BackstopProcess.run(["agreement", "load", file, "--data-dir", directory])
        let second = try await BackstopProcess.run(["agreement", "load", file, "--data-dir", directory])
        #expect(first.stdout.contains("version 1"))
        #expect(second.stdout.contains("version 2"))
    }

    @Test func sensorAddRegistersAndChangesASensorAndListShowsIt() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let file = directory + "/camera.json"
        let camera = #"{"id": "camera-zolote", "kind": "camera", "name": "Camera at Zolote", "position": {"lat": 48.69, "lon": 38.52, "accuracy_m": 10}, "field_of_view": {"from_degrees": 300, "to_degrees": 60, "range_km": 8}, "expected_interval_seconds": 600, "token": "camera-zolote"}"#
        try Data(camera.utf8).write(to: URL(fileURLWithPath: file))
        _ = try await BackstopProcess.run(["agreement", "load", Self.samples.appendingPathComponent("donbas-minsk-sample.json").path, "--data-dir", directory])
        let first = try await BackstopProcess.run(["sensor", "add", file, "--data-dir", directory])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("Registered camera-zolote (camera) as version 1"))
        #expect(first.stderr.contains("no sensor token named 'camera-zolote' exists yet"))
        #expect(!first.stderr.contains("area of operations"), "Zolote is on the Donbas line")
        _ = try await BackstopProcess.run(["token", "create", "--role", "sensor", "--name", "camera-zolote", "--data-dir", directory])
        let far = camera.replacingOccurrences(of: #""lat": 48.69, "lon": 38.52"#, with: #""lat": 10, "lon": 10"#)
            .replacingOccurrences(of: #""token": "camera-zolote"}"#, with: #""token": "camera-zolote", "version": 2}"#)
        try Data(far.utf8).write(to: URL(fileURLWithPath: file))
        let second = try await BackstopProcess.run(["sensor", "add", file, "--data-dir", directory])
        #expect(second.stdout.contains("Changed camera-zolote (camera) as version 2"), "\(second.stderr)")
        #expect(second.stderr.contains("outside every area of operations (donbas-minsk-sample)"), "\(second.stderr)")
        #expect(!second.stderr.contains("no sensor token"))
        let stale = try await BackstopProcess.run(["sensor", "add", file, "--data-dir", directory])
        #expect(stale.status != 0 && stale.stderr.contains("version"), "\(stale.stderr)")
        let list = try await BackstopProcess.run(["sensor", "list", "--data-dir", directory])
        #expect(list.stdout.contains("camera-zolote\tcamera\tunknown\tnever heard from\tCamera at Zolote"), "\(list.stdout)")
        #expect(try await BackstopProcess.run(["sensor", "list", "--status", "up", "--data-dir", directory]).stdout.isEmpty)
        #expect(try await BackstopProcess.run(["sensor", "list", "--status", "asleep", "--data-dir", directory]).stderr.contains("--status must be one of"))
        try Data(#"{"id": "Camera Zolote", "kind": "camera"}"#.utf8).write(to: URL(fileURLWithPath: file))
        let refused = try await BackstopProcess.run(["sensor", "add", file, "--data-dir", directory])
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("  id: must be 1 to 64 lowercase letters") && refused.stderr.contains("  name: "), "\(refused.stderr)")
    }

    @Test func serveRefusesAPortOutOfRange() async throws {
        let output = try await BackstopProcess.run(["serve", "--port", "99999", "--data-dir", BackstopProcess.temporaryDirectory()])
        #expect(output.status != 0)
        #expect(output.stderr.contains("--port must be between 0 and 65535"))
    }

    @Test func tokenCreateRefusesAnUnknownRole() async throws {
        let output = try await BackstopProcess.run(["token", "create", "--role", "general", "--name", "x", "--data-dir", BackstopProcess.temporaryDirectory()])
        #expect(output.status != 0)
        #expect(output.stderr.contains("--role 'general' is not a role"))
        let team = try await BackstopProcess.run(["token", "create", "--role", "partner", "--name", "x", "--team", "east", "--data-dir", BackstopProcess.temporaryDirectory()])
        #expect(team.status != 0)
        #expect(team.stderr.contains("--team is for monitors"))
        let directory = BackstopProcess.temporaryDirectory()
        _ = try await BackstopProcess.run(["token", "create", "--role", "monitor", "--name", "patrol-7", "--data-dir", directory])
        let again = try await BackstopProcess.run(["token", "create", "--role", "party", "--name", "patrol-7", "--data-dir", directory])
        #expect(again.status != 0)
        #expect(again.stderr.contains("exists already"))
    }

    @Test func importingTheSameFileTwiceAddsNothing() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let ndjson = write("""
        {"kind":"explosion","observed_at":"2021-03-01T21:30:00Z","modality":"heard","observer":{"lat":48.14,"lon":37.75},"location":{"bearing_deg":135}}
        {"kind":"tracer","observed_at":"2021-03-01T21:31:00Z","modality":"saw","location":{"lat":48.1,"lon":37.8}}
        {"kind":"boom","observed_at":"2021-03-01T21:31:00Z","modality":"saw","location":{"lat":48.1,"lon":37.8}}
        """, to: "patrol.ndjson", in: directory)
        let first = try await BackstopProcess.run(["import", "observations", ndjson, "--data-dir", directory])
        #expect(first.status == 1, "a rejected row makes the exit status non-zero")
        #expect(first.stdout.contains("accepted 2 (new 2, already present 0), rejected 1"))
        #expect(first.stdout.contains("line 3: kind: unknown kind 'boom'"))
        let second = try await BackstopProcess.run(["import", "observations", ndjson, "--data-dir", directory])
        #expect(second.stdout.contains("accepted 2 (new 0, already present 2), rejected 1"))
    }

    @Test func importsCSVAndGeoJSON() async throws {
        let directory = BackstopProcess.temporaryDirectory()
        let csv = write("""
        kind,count,observed_at,modality,location.lat,location.lon,weapon.model
        weapon_sighting,1,2021-03-01T10:00:00Z,uav,48.2,37.9,BM-21 Grad
        explosion,4,2021-03-01T10:05:00Z,heard,48.21,37.91,
        """, to: "sightings.csv", in: directory)
        let geojson = write("""
        {"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[37.9,48.2]},"properties":{"kind":"damage","observed_at":"2021-03-01T11:00:00Z","modality":"saw"}}]}
        """, to: "damage.geojson", in: directory)
        let fromCSV = try await BackstopProcess.run(["import", "observations", csv, "--data-dir", directory])
        #expect(fromCSV.status == 0, "\(fromCSV.stdout) \(fromCSV.stderr)")
        #expect(fromCSV.stdout.contains("new 2"))
        let fromGeoJSON = try await BackstopProcess.run(["import", "observations", geojson, "--data-dir", directory])
        #expect(fromGeoJSON.status == 0, "\(fromGeoJSON.stdout) \(fromGeoJSON.stderr)")
        #expect(fromGeoJSON.stdout.contains("new 1"))
        let unknown = try await BackstopProcess.run(["import", "observations", write("x", to: "notes.txt", in: directory), "--data-dir", directory])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("--format"))
    }
}
}
