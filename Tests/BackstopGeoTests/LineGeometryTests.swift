import BackstopGeo
import Testing

@Suite struct LineGeometryTests {
    let line = [GeoPoint(lat: 47.0, lon: 37.0), GeoPoint(lat: 48.0, lon: 37.6), GeoPoint(lat: 48.6, lon: 39.5)]

    // MARK: Tests

    /// References: minimum geodesic distance to the geodesic segments, found by sampling each
    /// segment with geographiclib 2.0 (`InverseLine`, 2,000 samples, then a ternary search).
    @Test(arguments: [
        (48.9, 36.0, 154_992.489_866, SideOfLine.left),
        (47.2, 39.2, 132_002.599_237, .right),
        (48.2, 38.0, 6_999.974_952, .left),
        (46.0, 37.0, 111_161.082_504, .right),
    ])
    func distanceToALineMatchesGeographicLib(lat: Double, lon: Double, expected: Double, side: SideOfLine) throws {
        let measured = try LineGeometry.distance(from: GeoPoint(lat: lat, lon: lon), to: line)
        #expect(abs(measured.distanceMetres - expected) < 2, "off by \(measured.distanceMetres - expected) m")
        #expect(measured.side == side)
    }

    /// Nearest to the vertex of a hairpin: the two segments disagree; the point lies outside
    /// the salient, on the right.
    @Test func theSideAtASharpTurnIsDecidedByBothSegments() throws {
        let hairpin = [GeoPoint(lat: 48.0, lon: 37.0), GeoPoint(lat: 48.0, lon: 37.1), GeoPoint(lat: 48.05, lon: 37.0)]
        #expect(try LineGeometry.distance(from: GeoPoint(lat: 48.005, lon: 37.12), to: hairpin).side == .right)
        #expect(try LineGeometry.distance(from: GeoPoint(lat: 48.01, lon: 37.05), to: hairpin).side == .left, "inside the hairpin")
    }

    @Test func aPointPastTheEndIsFlagged() throws {
        let measured = try LineGeometry.distance(from: GeoPoint(lat: 46.0, lon: 37.0), to: line)
        #expect(measured.beyondEnd)
        #expect(abs(measured.nearestPoint.lat - 47.0) < 1e-6)
        let inside = try LineGeometry.distance(from: GeoPoint(lat: 48.2, lon: 38.0), to: line)
        #expect(!inside.beyondEnd)
    }

    @Test func sidesFollowTheDirectionOfTheLine() throws {
        let eastward = [GeoPoint(lat: 48, lon: 37), GeoPoint(lat: 48, lon: 38)]
        #expect(try LineGeometry.distance(from: GeoPoint(lat: 48.1, lon: 37.5), to: eastward).side == .left)
        #expect(try LineGeometry.distance(from: GeoPoint(lat: 47.9, lon: 37.5), to: eastward).side == .right)
        #expect(try LineGeometry.distance(from: GeoPoint(lat: 48.1, lon: 37.5), to: eastward.reversed()).side == .right)
    }

    @Test func aPolygonHoldsWhatIsInsideIt() throws {
        let square: PolygonRings = [[GeoPoint(lat: 48, lon: 37), GeoPoint(lat: 48, lon: 37.1), GeoPoint(lat: 48.1, lon: 37.1), GeoPoint(lat: 48.1, lon: 37), GeoPoint(lat: 48, lon: 37)]]
        #expect(try LineGeometry.contains(square, GeoPoint(lat: 48.05, lon: 37.05)))
        #expect(try !LineGeometry.contains(square, GeoPoint(lat: 48.15, lon: 37.05)))
    }

    @Test func aWithdrawalAreaLiesOnOneSideWithinItsWidth() throws {
        let left = try LineGeometry.sideArea(of: line, side: .left, widthMetres: 25_000)
        #expect(!left.isEmpty)
        let near = try LineGeometry.distance(from: GeoPoint(lat: 47.6, lon: 37.2), to: line)
        #expect(near.side == .left && near.distanceMetres < 25_000)
        #expect(try left.contains { try LineGeometry.contains($0, GeoPoint(lat: 47.6, lon: 37.2)) })
        let across = try LineGeometry.distance(from: GeoPoint(lat: 47.6, lon: 37.6), to: line)
        #expect(across.side == .right && across.distanceMetres < 25_000)
        #expect(try !left.contains { try LineGeometry.contains($0, GeoPoint(lat: 47.6, lon: 37.6)) }, "right of the line")
        #expect(try !left.contains { try LineGeometry.contains($0, GeoPoint(lat: 48.9, lon: 36.0)) }, "155 km away")
    }

    @Test func aCorridorIsTheBufferOnBothSides() throws {
        let corridor = try LineGeometry.corridor(around: [GeoPoint(lat: 38, lon: 127), GeoPoint(lat: 38, lon: 128)], halfWidthMetres: 2_000)
        #expect(try corridor.contains { try LineGeometry.contains($0, GeoPoint(lat: 38.01, lon: 127.5)) })
        #expect(try corridor.contains { try LineGeometry.contains($0, GeoPoint(lat: 37.99, lon: 127.5)) })
        #expect(try !corridor.contains { try LineGeometry.contains($0, GeoPoint(lat: 38.03, lon: 127.5)) })
    }
}
