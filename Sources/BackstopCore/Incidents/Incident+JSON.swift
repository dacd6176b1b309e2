import Foundation

extension Incident {
    /// The incident as the API returns it, with its findings.
    public func jsonValue(findings: [Finding]) -> JSONValue {
        .object([
            "id": .string(id.uuidString.lowercased()),
            "kind": .string(kind.rawValue),
            "start": .string(Timestamp.format(start)),
            "end": .string(Timestamp.format(end)),
            "location": point.map { point in
                .object(["lat": .number(point.lat), "lon": .number(point.lon), "radius_m": radiusMetres.map(JSONValue.number) ?? .null])
            } ?? .null,
            "record_count": .integer(Int(recordCount)),
            "estimated_events": .integer(Int(estimatedEvents)),
            "modalities": .array(modalities.map { .string($0.rawValue) }),
            "sources": .array(sources.map(JSONValue.string)),
            "independent_sources": .integer(Int(sources.count)),
            "grades": .array(grades.map { .string($0.description) }),
            "confidence": .number((confidence * 1000).rounded() / 1000),
            "reportable": .bool(isReportable),
            "direction": direction.map { .string($0.rawValue) } ?? .null,
            "live_fire_training": .bool(liveFireTraining),
            "analyst_edited": .bool(analystEdited),
            "weapons": .array(weaponsByClass.sorted { $0.key.rawValue < $1.key.rawValue }.map { weaponClass, tally in
                .object(["class": .string(weaponClass.rawValue), "quantity": .integer(Int(tally.quantity)), "models": .array(tally.models.map(JSONValue.string))])
            }),
            "findings": .array(findings.map(\.jsonValue)),
            "observation_ids": .array(memberIDs.map { .string($0.uuidString.lowercased()) }),
        ])
    }
}

extension Finding {
    public var jsonValue: JSONValue {
        .object([
            "kind": .string(kind.rawValue),
            "agreement": .string(agreementID),
            "rule": .string(ruleID),
            "party": party.map(JSONValue.string) ?? .null,
            "measured": measured.map(JSONValue.number) ?? .null,
            "limit": limit.map(JSONValue.number) ?? .null,
            "text": .string(text),
        ])
    }
}
