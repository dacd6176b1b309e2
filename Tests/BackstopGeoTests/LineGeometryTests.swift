@testable import BackstopGeo
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

/// A distance measures only the segments near the point (found in an approximate plane): the
/// answer must be the one measuring every segment gives, near the line, far from it, past its
/// ends, beside its corners, and on a line that doubles back on itself.
@Suite struct NearSegmentsTests {
    @Test func measuringNearSegmentsGivesTheWholeLinesAnswer() throws {
        let lines = [
            [GeoPoint(lat: 47.0, lon: 37.0), GeoPoint(lat: 48.0, lon: 37.6), GeoPoint(lat: 48.6, lon: 39.5)],
            [GeoPoint(lat: 38.0, lon: 126.0), GeoPoint(lat: 38.3, lon: 127.5), GeoPoint(lat: 38.1, lon: 127.0), GeoPoint(lat: 38.6, lon: 128.4)],
            [GeoPoint(lat: 30.0, lon: 32.5), GeoPoint(lat: 30.0, lon: 33.0)],
        ]
        var uniform = SeededUniform(seed: 42)
        func next() -> Double { uniform.next() }
        for line in lines {
            let lats = line.map(\.lat), lons = line.map(\.lon)
            // Points far off, and points near the line (where fewer segments are measured).
            for margin in (0..<240).map({ [1.5, 0.3, 0.05][$0 % 3] }) {
                let point = GeoPoint(lat: lats.min()! - margin + next() * (lats.max()! - lats.min()! + 2 * margin),
                                     lon: lons.min()! - margin + next() * (lons.max()! - lons.min()! + 2 * margin))
                let near = try LineGeometry.distance(from: point, to: line, nearSegmentsOnly: true)
                let whole = try LineGeometry.distance(from: point, to: line, nearSegmentsOnly: false)
                #expect(abs(near.distanceMetres - whole.distanceMetres) < 0.01, "\(point)")
                #expect(near.side == whole.side, "\(point)")
                #expect(near.beyondEnd == whole.beyondEnd, "\(point)")
            }
        }
    }

    /// `isWithin` answers clear cases from an approximate plane: every answer must be the
    /// ellipsoid's, near the threshold and far from it, at the latitudes of real missions.
    @Test func withinADistanceIsTheMeasuredAnswer() throws {
        let lines = [
            [GeoPoint(lat: 47.0, lon: 37.0), GeoPoint(lat: 48.0, lon: 37.6), GeoPoint(lat: 48.6, lon: 39.5)],
            [GeoPoint(lat: 38.0, lon: 126.0), GeoPoint(lat: 38.3, lon: 127.5), GeoPoint(lat: 38.6, lon: 128.4)],
            [GeoPoint(lat: 59.0, lon: 28.0), GeoPoint(lat: 59.8, lon: 28.3)],
            [GeoPoint(lat: 66.0, lon: 29.0), GeoPoint(lat: 67.5, lon: 29.8)],
        ]
        var uniform = SeededUniform(seed: 7)
        func next() -> Double { uniform.next() }
        for line in lines {
            let lats = line.map(\.lat), lons = line.map(\.lon)
            for _ in 0..<120 {
                let point = GeoPoint(lat: lats.min()! - 1.2 + next() * (lats.max()! - lats.min()! + 2.4),
                                     lon: lons.min()! - 1.8 + next() * (lons.max()! - lons.min()! + 3.6))
                let measured = try LineGeometry.distance(from: point, to: line).distanceMetres
                // Thresholds far from the distance and within a few per cent of it.
                for metres in [1_000, 15_000, 100_000, measured * 0.93, measured * 0.99, measured * 1.01, measured * 1.07] {
                    #expect(LineGeometry.isWithin(metres, of: line, point) == (measured <= metres), "\(point) at \(measured) m, asked \(metres) m")
                }
            }
        }
    }
}

/// Uniform numbers in [0, 1) from a seed (a linear congruential generator): the same points
/// on every run.
struct SeededUniform {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> Double {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Double(state >> 11) / Double(1 << 53)
    }
}
