import BackstopCore
import BackstopData
import Foundation
import Testing

@Suite struct AgreementParserTests {
    func sample(_ name: String) throws -> JSONValue {
        let document = try #require(try SampleAgreements.documents().first { $0.name == name })
        return try JSONValue.parse(document.data)
    }

    /// The Donbas sample with one part replaced.
    func donbas(_ edit: (inout [String: JSONValue]) -> Void) throws -> JSONValue {
        var object = try #require(try sample("donbas-minsk-sample").objectValue)
        edit(&object)
        return .object(object)
    }

    func problems(_ value: JSONValue) -> [FieldError] {
        do {
            _ = try AgreementParser().parse(value)
            return []
        } catch {
            return error.errors
        }
    }

    // MARK: Tests

    @Test(arguments: SampleAgreements.fileNames)
    func theSamplesAreValidAndMarkedApproximate(name: String) throws {
        let agreement = try AgreementParser().parse(try sample(name))
        #expect(agreement.notice?.contains("Approximate sample data") == true)
        #expect(agreement.parties.count == 2)
        #expect(agreement.contactLine != nil)
    }

    @Test func theDonbasSampleCarriesTheMinskRules() throws {
        let agreement = try AgreementParser().parse(try sample("donbas-minsk-sample"))
        let distances = Dictionary(uniqueKeysWithValues: agreement.withdrawalRules.flatMap { rule in rule.weaponClasses.map { ($0, rule.distanceKm) } })
        #expect(distances[.artillery100mmPlus] == 25)
        #expect(distances[.mlrs] == 35)
        #expect(distances[.heavyMLRS] == 70)
        #expect(distances[.tacticalMissile] == 70)
        #expect(distances[.tank] == 15)
        #expect(distances[.mortar] == 15)
        #expect(agreement.zones.filter { $0.kind == .disengagementArea }.map(\.id).sorted() == ["petrivske", "stanytsia-luhanska", "zolote"])
        let aerial = try #require(agreement.prohibitions.first { $0.activity == .aerialVehicleUse })
        #expect(aerial.effectiveFrom == Timestamp.parse("2020-07-26T21:01:00Z"))
        let summary = AgreementSummary(agreement)
        let contact = try #require(summary.lines.first { $0.kind == .contactLine })
        #expect((250...450).contains(contact.lengthKm), "the Donbas contact line was roughly 420 km; the sample simplifies it")
        #expect(summary.zones.allSatisfy { abs(($0.areaKm2 ?? 0) - 4) < 0.1 }, "disengagement areas are drawn 2 × 2 km")
    }

    @Test func theSinaiSampleCapsZoneD() throws {
        let agreement = try AgreementParser().parse(try sample("sinai-treaty-sample"))
        let zoneD = try #require(agreement.zones.first { $0.id == "zone-d" })
        #expect(zoneD.caps.contains(ForceCap(subject: .force(.troops), maximum: 4_000)))
        #expect(zoneD.caps.contains(ForceCap(subject: .weapon(.tank), maximum: 0)))
        #expect(zoneD.party == "israel")
    }

    @Test func theKoreanDMZIsTwoKilometresEachSideOfTheMDL() throws {
        let agreement = try AgreementParser().parse(try sample("korea-dmz-sample"))
        #expect(agreement.zones.first?.area == .lineBuffer(lineID: "mdl", halfWidthKm: 2))
    }

    @Test func aSelfIntersectingLineIsNamedByPath() throws {
        let value = try donbas { object in
            var lines = object["lines"]!.arrayValue!
            var line = lines[0].objectValue!
            line["geometry"] = try! JSONValue.parse(#"{"type": "LineString", "coordinates": [[37, 47], [38, 48], [38, 47], [37, 48]]}"#)
            lines[0] = .object(line)
            object["lines"] = .array(lines)
        }
        #expect(problems(value) == [FieldError(path: "lines[0].geometry.coordinates", reason: "the line intersects itself")])
    }

    @Test func anUnclosedRingIsNamedByPath() throws {
        let value = try donbas { object in
            var zones = object["zones"]!.arrayValue!
            var zone = zones[1].objectValue!
            zone["geometry"] = try! JSONValue.parse(#"{"type": "Polygon", "coordinates": [[[38, 48], [38.1, 48], [38.1, 48.1], [38, 48.1]]]}"#)
            zones[1] = .object(zone)
            object["zones"] = .array(zones)
        }
        #expect(problems(value).map(\.path) == ["zones[1].geometry.coordinates[0]"])
        #expect(problems(value).first?.reason.contains("not closed") == true)
    }

    @Test func anUnknownWeaponClassIsNamedByPath() throws {
        let value = try donbas { object in
            var rules = object["withdrawal_rules"]!.arrayValue!
            var rule = rules[2].objectValue!
            rule["weapon_classes"] = .array([.string("heavy_mlrs"), .string("railgun")])
            rules[2] = .object(rule)
            object["withdrawal_rules"] = .array(rules)
        }
        let found = problems(value)
        #expect(found.map(\.path) == ["withdrawal_rules[2].weapon_classes[1]"])
        #expect(found.first?.reason.contains("unknown weapon class 'railgun'") == true)
    }

    @Test func effectiveDatesOutOfOrderAreNamed() throws {
        let value = try donbas { object in
            object["effective_until"] = .string("2015-01-01T00:00:00Z")
            var rules = object["withdrawal_rules"]!.arrayValue!
            var rule = rules[0].objectValue!
            rule["effective_from"] = .string("2014-01-01T00:00:00Z")
            rules[0] = .object(rule)
            object["withdrawal_rules"] = .array(rules)
        }
        let paths = problems(value).map(\.path)
        #expect(paths.contains("effective_until"))
        #expect(paths.contains("withdrawal_rules[0].effective_from"))
    }

    @Test func referencesToUndefinedThingsAreNamed() throws {
        let value = try donbas { object in
            var parties = object["parties"]!.arrayValue!
            var party = parties[1].objectValue!
            party["measures_from"] = .string("line-of-1990")
            parties[1] = .object(party)
            object["parties"] = .array(parties)
            object["prohibited_activities"] = try! JSONValue.parse(#"[{"id": "x", "activity": "firing", "zone": "nowhere"}, {"id": "y", "activity": "heavy_weapons_near_settlements"}]"#)
        }
        let found = problems(value)
        #expect(found.map(\.path).sorted() == ["parties[1].measures_from", "prohibited_activities[0].zone", "prohibited_activities[1].distance_km"])
    }

    @Test func duplicateIdsAndUnknownFieldsAreNamed() throws {
        let value = try donbas { object in
            var rules = object["withdrawal_rules"]!.arrayValue!
            rules.append(rules[0])
            object["withdrawal_rules"] = .array(rules)
            object["withdrawl_rules"] = .array([])
        }
        let found = problems(value)
        #expect(found.contains(FieldError(path: "withdrawal_rules", reason: "id 'artillery-100mm' is used more than once")))
        #expect(found.contains(FieldError(path: "withdrawl_rules", reason: "is not a known field")))
    }

    @Test func notJSONIsReportedWithoutACrash() {
        #expect(throws: ValidationFailure.self) { try AgreementParser().parse(Data("{ nope".utf8)) }
    }
}
