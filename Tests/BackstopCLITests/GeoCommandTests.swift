import BackstopCore
import Foundation
import Testing

extension ProcessTests {
    @Suite struct GeoCommandTests {
        func json(_ output: BackstopProcess.Output) throws -> JSONValue {
            try JSONValue.parse(output.stdout)
        }

        // MARK: Tests

        @Test func locatePrintsThePointThePolygonAndTheRadius() async throws {
            let output = try await BackstopProcess.run(["geo", "locate", "--observer", "48.14,37.75", "--bearing", "135±10", "--distance", "3-5"])
            #expect(output.status == 0, "\(output.stderr)")
            let result = try json(output)
            #expect(result["uncertainty"]?["type"] == .string("Polygon"))
            #expect((1_000...1_500).contains(result["radius_m"]?.doubleValue ?? 0))
            let point = GeoPoint(lat: result["point"]?["lat"]?.doubleValue ?? 0, lon: result["point"]?["lon"]?.doubleValue ?? 0)
            #expect(abs(Geodesic.wgs84.distance(from: GeoPoint(lat: 48.14, lon: 37.75), to: point) - 4_000) < 1)
        }

        @Test(arguments: [
            (["--bearing", "400", "--distance", "3-5"], "--bearing must be at least 0 and less than 360"),
            (["--bearing", "135", "--distance", "5-3"], "max must not be less than min"),
            (["--bearing", "north", "--distance", "3-5"], "--bearing must be DEGREES"),
            (["--bearing", "135±200", "--distance", "3-5"], "error must be between 0 and 180"),
        ])
        func locateRefusesBadInput(arguments: [String], message: String) async throws {
            let output = try await BackstopProcess.run(["geo", "locate", "--observer", "48.14,37.75"] + arguments)
            #expect(output.status != 0)
            #expect(output.stderr.contains(message), "\(output.stderr)")
        }

        @Test func resolveExplainsItsChoiceAmongHomonyms() async throws {
            let output = try await BackstopProcess.run(["geo", "resolve", "2 km NW of Avdiivka", "--agreement", "donbas-minsk-sample", "--data-dir", BackstopProcess.temporaryDirectory()])
            #expect(output.status == 0, "\(output.stderr)")
            let result = try json(output)
            #expect(result["place"]?["geonameid"] == .number(713122))
            #expect(result["other_candidates"]?.arrayValue?.count == 2)
            #expect(result["reason"]?.stringValue?.contains("area of operations") == true)
            let near = try json(try await BackstopProcess.run(["geo", "resolve", "Avdiivka", "--near", "51.78,32.80"]))
            #expect(near["place"]?["geonameid"] == .number(713120))
        }

        @Test func resolveRefusesAnUnknownPlace() async throws {
            let output = try await BackstopProcess.run(["geo", "resolve", "3 km N of Atlantis"])
            #expect(output.status != 0)
            #expect(output.stderr.contains("unknown place 'Atlantis'"))
        }

        @Test func distanceGivesEachLineAndTheSide() async throws {
            let output = try await BackstopProcess.run(["geo", "distance", "--agreement", "donbas-minsk-sample", "48.29986,38.01709", "--data-dir", BackstopProcess.temporaryDirectory()])
            #expect(output.status == 0, "\(output.stderr)")
            let result = try json(output)
            #expect(result["party_side"] == .string("armed-formations"))
            #expect(result["lines"]?.arrayValue?.count == 2)
            let bad = try await BackstopProcess.run(["geo", "distance", "--agreement", "donbas-minsk-sample", "98,38"])
            #expect(bad.status != 0)
            #expect(bad.stderr.contains("latitude must be between -90 and 90"))
        }
    }
}
