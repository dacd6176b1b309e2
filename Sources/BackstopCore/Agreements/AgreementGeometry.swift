import Foundation

/// The agreement's geometric questions answered on the ellipsoid: how far a point is from each
/// line and on whose side, which zones hold it, and the areas a map draws.
public struct AgreementGeometry: Sendable {
    public let agreement: Agreement

    public init(_ agreement: Agreement) {
        self.agreement = agreement
    }

    public struct LinePosition: Sendable, Hashable {
        public var lineID: String
        public var kind: LineKind
        public var distanceMetres: Double
        public var side: SideOfLine?
        /// The party on whose side of this line the point lies (sides follow the contact line's direction).
        public var party: String?
        public var beyondEnd: Bool
    }

    public struct Position: Sendable {
        public var point: GeoPoint
        public var lines: [LinePosition]
        /// The party on whose side of the contact line the point lies.
        public var party: String?
        public var zones: [String]

        public var jsonValue: JSONValue {
            .object([
                "point": .object(["lat": .number(point.lat), "lon": .number(point.lon)]),
                "party_side": party.map(JSONValue.string) ?? .null,
                "zones": .array(zones.map(JSONValue.string)),
                "lines": .array(lines.map { line in
                    .object([
                        "id": .string(line.lineID), "kind": .string(line.kind.rawValue),
                        "distance_km": .number((line.distanceMetres).rounded() / 1000),
                        "side": line.side.map { .string($0.rawValue) } ?? .null,
                        "party_side": line.party.map(JSONValue.string) ?? .null,
                        "beyond_end": .bool(line.beyondEnd),
                    ])
                }),
            ])
        }
    }

    public func partyOn(_ side: SideOfLine?) -> String? {
        side.flatMap { side in agreement.parties.first { $0.side == side }?.id }
    }

    public func position(of point: GeoPoint) throws -> Position {
        let lines = try agreement.lines.map { line in
            let measured = try LineGeometry.distance(from: point, to: line.points)
            return LinePosition(lineID: line.id, kind: line.kind, distanceMetres: measured.distanceMetres, side: measured.side,
                                party: partyOn(measured.side), beyondEnd: measured.beyondEnd)
        }
        let zones = try agreement.zones.filter { try contains($0, point) }.map(\.id)
        let contact = lines.first { $0.kind == .contactLine }
        return Position(point: point, lines: lines, party: contact?.party, zones: zones)
    }

    /// Whether a zone holds the point; a corridor zone by geodesic distance to its line.
    public func contains(_ zone: Zone, _ point: GeoPoint) throws -> Bool {
        switch zone.area {
        case .polygon(let rings):
            return try LineGeometry.contains(rings, point)
        case .lineBuffer(let lineID, let halfWidthKm):
            guard let line = agreement.lines.first(where: { $0.id == lineID }) else { return false }
            let measured = try LineGeometry.distance(from: point, to: line.points)
            return measured.distanceMetres <= halfWidthKm * 1000 && !measured.beyondEnd
        }
    }

    /// The zone as polygons for a map (a corridor zone is derived from its line).
    public func area(of zone: Zone) throws -> [PolygonRings] {
        switch zone.area {
        case .polygon(let rings):
            return [rings]
        case .lineBuffer(let lineID, let halfWidthKm):
            guard let line = agreement.lines.first(where: { $0.id == lineID }) else { return [] }
            return try LineGeometry.corridor(around: line.points, halfWidthMetres: halfWidthKm * 1000)
        }
    }

    /// The area a withdrawal rule empties for one party: within the rule's distance of the
    /// party's measuring line, on the party's own side.
    public func withdrawalArea(_ rule: WithdrawalRule, party: Party) throws -> [PolygonRings] {
        guard let line = agreement.lines.first(where: { $0.id == party.measuresFrom }) else { return [] }
        return try LineGeometry.sideArea(of: line.points, side: party.side, widthMetres: rule.distanceKm * 1000)
    }
}
