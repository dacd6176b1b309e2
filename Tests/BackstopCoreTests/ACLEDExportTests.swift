import BackstopCore
import Foundation
import Testing

/// ACLED's layout: 31 columns in the codebook's order, kinds mapped to event types, RFC 4180 quoting.
@Suite struct ACLEDExportTests {
    static let event = ACLEDExport.Event(
        id: UUID(uuidString: "0d5c1c9e-0000-4000-8000-000000000001")!, kind: "explosion", start: Timestamp.parse("2021-03-01T21:30:00Z")!,
        end: Timestamp.parse("2021-03-01T21:31:00Z")!, point: GeoPoint(lat: 48.1, lon: 37.8), radiusMetres: 1_500, place: nil,
        parties: ["armed-formations"], sources: ["team-a", "team-b"], estimatedEvents: 3, recordCount: 2,
        findingTexts: [#"explosion breaks 'firing', "2020-no-firing""#], killed: 1, civilianCasualties: true, tags: ["state=verified"],
        updatedAt: Date(timeIntervalSince1970: 1_614_640_000))

    @Test func aRowHasTheCodebooksColumnsInOrder() {
        #expect(ACLEDExport.columns.count == 31 && ACLEDExport.columns.first == "event_id_cnty" && ACLEDExport.columns.last == "timestamp")
        let fields = ACLEDExport.fields(Self.event)
        #expect(fields.count == 31)
        let row = Dictionary(uniqueKeysWithValues: zip(ACLEDExport.columns, fields))
        #expect(row["event_id_cnty"] == "BST-0d5c1c9e-0000-4000-8000-000000000001" && row["event_date"] == "2021-03-01" && row["year"] == "2021")
        #expect(row["time_precision"] == "1" && row["geo_precision"] == "1" && row["latitude"] == "48.10000" && row["longitude"] == "37.80000")
        #expect(row["event_type"] == "Explosions/Remote violence" && row["sub_event_type"] == "Shelling/artillery/missile attack")
        #expect(row["actor1"] == "armed-formations" && row["civilian_targeting"] == "Civilian targeting" && row["fatalities"] == "1")
        #expect(row["source"] == "team-a; team-b" && row["timestamp"] == "1614640000")
    }

    @Test func kindsMapToACLEDsEventTypes() {
        #expect(ACLEDExport.eventType(of: "bursts_shots").event == "Battles")
        #expect(ACLEDExport.eventType(of: "mine").subEvent == "Remote explosive/landmine/IED")
        #expect(ACLEDExport.eventType(of: "weapon_sighting").disorder == "Strategic developments")
    }

    @Test func fieldsWithCommasQuotesOrLineBreaksAreQuoted() {
        #expect(ACLEDExport.line(["a", "b,c", #"say "hi""#, "x\ny"]) == "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\"\r\n")
        #expect(ACLEDExport.line(ACLEDExport.fields(Self.event)).contains(#"explosion breaks 'firing', ""2020-no-firing"""#))
    }
}
