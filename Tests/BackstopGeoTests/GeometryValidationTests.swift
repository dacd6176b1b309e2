import BackstopGeo
import Testing

@Suite struct GeometryValidationTests {
    func points(_ pairs: [(Double, Double)]) -> [GeoPoint] {
        pairs.map { GeoPoint(lat: $0.1, lon: $0.0) }
    }

    // MARK: Tests

    @Test func aSimpleLineHasNoProblem() {
        #expect(GeometryValidation.lineStringProblem(points([(37, 47), (37.5, 47.5), (38, 48)])) == nil)
    }

    @Test func aLineThatCrossesItselfIsReported() {
        let problem = GeometryValidation.lineStringProblem(points([(0, 0), (1, 1), (1, 0), (0, 1)]))
        #expect(problem == "the line intersects itself")
    }

    @Test func aLineOfOnePositionIsReported() {
        #expect(GeometryValidation.lineStringProblem(points([(0, 0)])) != nil)
    }

    @Test func aValidPolygonHasNoProblem() {
        #expect(GeometryValidation.polygonProblem([points([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)])]) == nil)
    }

    @Test func anUnclosedRingIsReported() {
        let problem = GeometryValidation.polygonProblem([points([(0, 0), (1, 0), (1, 1), (0, 1)])])
        #expect(problem?.contains("not closed") == true)
    }

    @Test func aBowTieIsInvalidWithGEOSsReason() {
        let problem = GeometryValidation.polygonProblem([points([(0, 0), (1, 1), (1, 0), (0, 1), (0, 0)])])
        #expect(problem?.contains("Self-intersection") == true)
    }

    @Test func aHoleOutsideItsShellIsInvalid() {
        let shell = points([(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)])
        let hole = points([(2, 2), (3, 2), (3, 3), (2, 3), (2, 2)])
        #expect(GeometryValidation.polygonProblem([shell, hole]) != nil)
    }
}
