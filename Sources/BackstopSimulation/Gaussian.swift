import BackstopCore
import Foundation

/// Normal samples (Box–Muller) for simulations.
public enum Gaussian {
    public static func sample(_ random: inout SplitMix64) -> Double {
        let u1 = max(Double(random.next() >> 11) / Double(1 << 53), .leastNonzeroMagnitude)
        let u2 = Double(random.next() >> 11) / Double(1 << 53)
        return (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
    }

    /// Distances from the origin of points drawn from N(0, [[ee, en], [en, nn]]).
    public static func radialErrors(covariance c: [Double], count: Int, random: inout SplitMix64) -> [Double] {
        let l11 = c[0].squareRoot(), l21 = c[1] / l11, l22 = max(c[2] - l21 * l21, 0).squareRoot()
        return (0..<count).map { _ in
            let z1 = sample(&random), z2 = sample(&random)
            let x = l11 * z1, y = l21 * z1 + l22 * z2
            return (x * x + y * y).squareRoot()
        }
    }

    public static func quantile(_ values: [Double], _ q: Double) -> Double {
        guard !values.isEmpty else { return .nan }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * q).rounded()))]
    }
}
