import BackstopGeo
import Foundation

/// What `backstop agreement check` prints and the agreements list returns: the shape of an
/// agreement at a glance, with geodesic line lengths and zone areas.
public struct AgreementSummary: Sendable, Hashable {
    public struct LineInfo: Sendable, Hashable {
        public var id: String
        public var kind: LineKind
        public var lengthKm: Double
    }

    public struct ZoneInfo: Sendable, Hashable {
        public var id: String
        public var kind: ZoneKind
        /// Nil for zones defined as a buffer around a line until the geometry engine derives them.
        public var areaKm2: Double?
        public var capCount: Int
    }

    public var id: String
    public var version: Int?
    public var title: String
    public var notice: String?
    public var effectiveFrom: Date
    public var parties: [Party]
    public var lines: [LineInfo]
    public var zones: [ZoneInfo]
    public var withdrawalRuleCount: Int
    public var prohibitionCount: Int
    public var ruleCount: Int

    public init(_ agreement: Agreement, geodesic: Geodesic = .wgs84) {
        id = agreement.id
        version = agreement.version
        title = agreement.title
        notice = agreement.notice
        effectiveFrom = agreement.effectiveFrom
        parties = agreement.parties
        lines = agreement.lines.map { LineInfo(id: $0.id, kind: $0.kind, lengthKm: geodesic.length(of: $0.points) / 1000) }
        zones = agreement.zones.map { zone in
            let area: Double? = switch zone.area {
            case .polygon(let rings):
                rings.enumerated().reduce(0) { total, ring in
                    total + (ring.offset == 0 ? 1 : -1) * geodesic.area(ofRing: ring.element)
                } / 1_000_000
            case .lineBuffer: nil
            }
            return ZoneInfo(id: zone.id, kind: zone.kind, areaKm2: area, capCount: zone.caps.count)
        }
        withdrawalRuleCount = agreement.withdrawalRules.count
        prohibitionCount = agreement.prohibitions.count
        ruleCount = agreement.ruleCount
    }

    public var jsonValue: JSONValue {
        .object([
            "id": .string(id),
            "version": version.map { .integer(Int($0)) } ?? .null,
            "title": .string(title),
            "notice": notice.map(JSONValue.string) ?? .null,
            "effective_from": .string(Timestamp.format(effectiveFrom)),
            "parties": .array(parties.map { .object(["id": .string($0.id), "name": .string($0.name), "side": .string($0.side.rawValue), "measures_from": .string($0.measuresFrom)]) }),
            "lines": .array(lines.map { .object(["id": .string($0.id), "kind": .string($0.kind.rawValue), "length_km": .number(Self.round($0.lengthKm))]) }),
            "zones": .array(zones.map { .object(["id": .string($0.id), "kind": .string($0.kind.rawValue), "area_km2": $0.areaKm2.map { .number(Self.round($0)) } ?? .null, "caps": .integer(Int($0.capCount))]) }),
            "withdrawal_rules": .integer(Int(withdrawalRuleCount)),
            "prohibited_activities": .integer(Int(prohibitionCount)),
            "rule_count": .integer(Int(ruleCount)),
        ])
    }

    /// Human-readable lines for a terminal.
    public var text: String {
        var out = ["\(title) (\(id)\(version.map { ", version \($0)" } ?? ""))"]
        if let notice { out.append("  note: \(notice)") }
        out.append("  effective from \(Timestamp.format(effectiveFrom))")
        out.append("  parties: " + parties.map { "\($0.name) [\($0.id), \($0.side.rawValue) of the contact line, measures from \($0.measuresFrom)]" }.joined(separator: "; "))
        for line in lines { out.append(String(format: "  line %@ (%@): %.1f km", line.id, line.kind.rawValue, line.lengthKm)) }
        for zone in zones {
            let area = zone.areaKm2.map { String(format: "%.1f km²", $0) } ?? "buffer of a line"
            out.append("  zone \(zone.id) (\(zone.kind.rawValue)): \(area), \(zone.capCount) caps")
        }
        out.append("  rules: \(ruleCount) (\(withdrawalRuleCount) withdrawal rules, \(zones.count) zones, \(prohibitionCount) prohibited activities)")
        return out.joined(separator: "\n")
    }

    private static func round(_ value: Double) -> Double { (value * 10).rounded() / 10 }
}
