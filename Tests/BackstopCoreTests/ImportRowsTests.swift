import BackstopCore
import Foundation
import Testing

@Suite struct ImportRowsTests {
    func values(_ rows: [ImportRow]) throws -> [JSONValue] {
        try rows.map { try $0.value.get() }
    }

    // MARK: Tests

    @Test func csvColumnsAreFieldPathsAndCellsAreTyped() throws {
        let csv = """
        id,kind,count,observed_at,modality,observer.lat,observer.lon,location.bearing_deg,location.distance_km.min,location.distance_km.max,notes,live_fire_training
        7d0b4c64-3a0b-4c6e-9a51-2c6f1f3f9b11,explosion,3,2021-03-01T21:30:00Z,heard,48.14,37.75,135,3,5,"quoted, with ""comma""
        and a line break",false
        """
        let rows = try ImportRows.read(Data(csv.utf8), format: .csv)
        #expect(rows.count == 1)
        #expect(rows[0].location == "row 2")
        let value = try #require(try values(rows).first)
        #expect(value["count"] == .number(3))
        #expect(value["location"]?["distance_km"]?["max"] == .number(5))
        #expect(value["notes"] == .string("quoted, with \"comma\"\nand a line break"))
        #expect(value["live_fire_training"] == .bool(false))
        let observation = try ObservationParser().parse(value)
        #expect(observation.count == 3)
    }

    @Test func aBadCSVCellIsReportedForItsRow() throws {
        let csv = "kind,count\nexplosion,many\nexplosion,2,extra\n"
        let rows = try ImportRows.read(Data(csv.utf8), format: .csv)
        #expect(rows.map(\.location) == ["row 2", "row 3"])
        guard case .failure(let first) = rows[0].value, case .failure(let second) = rows[1].value else {
            Issue.record("both rows should fail")
            return
        }
        #expect(first.path == "count")
        #expect(second.reason.contains("3 cells"))
    }

    @Test func rowsWithoutAnIdGetTheSameIdEveryTime() throws {
        let ndjson = #"{"kind":"tracer","observed_at":"2021-03-01T21:30:00Z","modality":"saw","location":{"lat":48,"lon":37}}"# + "\n"
        let first = try values(try ImportRows.read(Data(ndjson.utf8), format: .ndjson))
        let second = try values(try ImportRows.read(Data(ndjson.utf8), format: .ndjson))
        #expect(first[0]["id"] != nil)
        #expect(first[0]["id"] == second[0]["id"])
        #expect(UUID(uuidString: first[0]["id"]?.stringValue ?? "") != nil)
    }

    @Test func ndjsonReportsTheLineOfBadJSON() throws {
        let rows = try ImportRows.read(Data("{\"kind\":\"tracer\"}\n\n{oops\n".utf8), format: .ndjson)
        #expect(rows.map(\.location) == ["line 1", "line 3"])
        if case .success = rows[1].value { Issue.record("line 3 is not JSON") }
    }

    @Test func geojsonPointsBecomeAbsoluteLocations() throws {
        let geojson = """
        {"type": "FeatureCollection", "features": [
          {"type": "Feature", "id": "7d0b4c64-3a0b-4c6e-9a51-2c6f1f3f9b11", "geometry": {"type": "Point", "coordinates": [37.75, 48.14]},
           "properties": {"kind": "damage", "observed_at": "2021-03-01T08:00:00Z", "modality": "saw", "accuracy_m": 30}},
          {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, "properties": {}}
        ]}
        """
        let rows = try ImportRows.read(Data(geojson.utf8), format: .geojson)
        let observation = try ObservationParser().parse(try rows[0].value.get())
        #expect(observation.location == .absolute(point: .init(lat: 48.14, lon: 37.75), accuracyMetres: 30))
        if case .success = rows[1].value { Issue.record("a LineString is not an observation location") }
    }

    @Test func aGeoJSONFileThatIsNotAFeatureCollectionIsRefused() {
        #expect(throws: ValidationFailure.self) { try ImportRows.read(Data(#"{"type": "Point"}"#.utf8), format: .geojson) }
    }
}
