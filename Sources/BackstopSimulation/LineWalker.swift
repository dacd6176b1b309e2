import BackstopCore
import Foundation

/// Positions along a line and off to either side of it, along geodesics.
struct LineWalker: Sendable {
    let points: [GeoPoint]
    let cumulative: [Double]

    init(_ points: [GeoPoint]) {
        self.points = points
        var total = 0.0
        var lengths = [0.0]
        for (a, b) in zip(points, points.dropFirst()) {
            total += Geodesic.wgs84.distance(from: a, to: b)
            lengths.append(total)
        }
        cumulative = lengths
    }

    var length: Double { cumulative.last ?? 0 }

    /// The point `fraction` of the way along, and the line's azimuth there.
    func point(at fraction: Double) -> (point: GeoPoint, azimuth: Double) {
        let target = min(max(fraction, 0), 1) * length
        var segment = 0
        while segment < points.count - 2 && cumulative[segment + 1] < target { segment += 1 }
        let inverse = Geodesic.wgs84.inverse(from: points[segment], to: points[segment + 1])
        let point = Geodesic.wgs84.destination(from: points[segment], azimuthDegrees: inverse.initialAzimuth, distanceMetres: target - cumulative[segment])
        return (point, inverse.initialAzimuth)
    }

    /// A point `metres` off the line on one side (left is 90° anticlockwise of the direction the line runs).
    func point(at fraction: Double, side: SideOfLine, metres: Double) -> GeoPoint {
        let (base, azimuth) = point(at: fraction)
        guard metres > 0 else { return base }
        return Geodesic.wgs84.destination(from: base, azimuthDegrees: azimuth + (side == .left ? -90 : 90), distanceMetres: metres)
    }
}

extension SplitMix64 {
    mutating func uniform(_ range: ClosedRange<Double>) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * Double(next() >> 11) / Double(1 << 53)
    }

    mutating func chance(_ probability: Double) -> Bool { uniform(0...1) < probability }

    mutating func integer(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + Int(next() % UInt64(range.count))
    }

    /// Standard normal, by Box–Muller.
    mutating func normal() -> Double {
        let u = max(uniform(0...1), 1e-12), v = uniform(0...1)
        return (-2 * log(u)).squareRoot() * cos(2 * .pi * v)
    }

    /// Events of a Poisson process with `rate` per unit over `span` units.
    mutating func poissonCount(rate: Double, span: Double) -> Int {
        var count = 0
        var time = 0.0
        while true {
            time += -log(max(uniform(0...1), 1e-12)) / rate
            if time > span { return count }
            count += 1
        }
    }

    mutating func element<T>(_ items: [T]) -> T { items[integer(0...(items.count - 1))] }
}
