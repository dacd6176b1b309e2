import Foundation

extension AgreementGeometry {
    /// The agreement as a GeoJSON FeatureCollection a map can draw: its lines, its zones (a
    /// corridor zone derived from its line), and for every withdrawal rule and bound party the
    /// area that party must keep clear.
    public func featureCollection() throws -> JSONValue {
        var features: [JSONValue] = []
        for line in agreement.lines {
            features.append(Self.feature(
                geometry: GeoJSONWriter.lineString(line.points),
                properties: ["feature": .string("line"), "id": .string(line.id), "name": .string(line.name), "line_kind": .string(line.kind.rawValue)]
            ))
        }
        for zone in agreement.zones {
            var derived = false
            if case .lineBuffer = zone.area { derived = true }
            features.append(Self.feature(
                geometry: GeoJSONWriter.polygons(try area(of: zone)),
                properties: ["feature": .string("zone"), "id": .string(zone.id), "name": .string(zone.name),
                             "zone_kind": .string(zone.kind.rawValue), "derived": .bool(derived),
                             "effective_from": .string(Timestamp.format(zone.effectiveFrom))]
            ))
        }
        for rule in agreement.withdrawalRules {
            let bound = agreement.parties.filter { rule.parties.isEmpty || rule.parties.contains($0.id) }
            for party in bound {
                features.append(Self.feature(
                    geometry: GeoJSONWriter.polygons(try withdrawalArea(rule, party: party)),
                    properties: ["feature": .string("withdrawal_area"), "rule": .string(rule.id), "party": .string(party.id),
                                 "measured_from": .string(party.measuresFrom), "distance_km": .number(rule.distanceKm),
                                 "weapon_classes": .array(rule.weaponClasses.map { .string($0.rawValue) }),
                                 "effective_from": .string(Timestamp.format(rule.effectiveFrom))]
                ))
            }
        }
        return .object(["type": .string("FeatureCollection"), "features": .array(features)])
    }

    static func feature(geometry: JSONValue, properties: [String: JSONValue]) -> JSONValue {
        .object(["type": .string("Feature"), "geometry": geometry, "properties": .object(properties)])
    }
}
