import ArgumentParser
import BackstopCore
import BackstopData
import BackstopSimulation
import Foundation

extension GeoCommand {
    /// Monte Carlo check of the triangulation against the Cramér–Rao lower bound: known truth,
    /// Gaussian bearing noise, three observers.
    struct TriangulationStudy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "triangulation-study",
            abstract: "Localisation error of triangulation on synthetic bearings, next to the Cramér–Rao lower bound."
        )

        @Option(help: "Number of simulated events.") var trials = 2_000
        @Option(help: "Bearing noise: standard deviation in degrees.") var noise = 3.0
        @Option(help: "Random seed.") var seed: UInt64 = 1

        func validate() throws {
            guard (10...1_000_000).contains(trials) else { throw ValidationError("--trials must be between 10 and 1000000") }
            guard noise > 0, noise <= 30 else { throw ValidationError("--noise must be above 0 and at most 30 degrees") }
        }

        func run() async throws {
            // An event near Horlivka seen by three posts 8–14 km away.
            let truth = GeoPoint(lat: 48.30, lon: 38.00)
            let observers = [(210.0, 9_000.0), (300.0, 14_000.0), (20.0, 8_000.0)].map {
                Geodesic.wgs84.destination(from: truth, azimuthDegrees: $0.0, distanceMetres: $0.1)
            }
            let exact = observers.map { BearingObservation(observer: $0, bearingDegrees: Geodesic.wgs84.inverse(from: $0, to: truth).initialAzimuth, sigmaDegrees: noise) }
            var random = SplitMix64(seed: seed)
            var errors: [Double] = []
            var refused = 0
            for _ in 0..<trials {
                let noisy = exact.map { bearing in
                    var copy = bearing
                    copy.bearingDegrees = (bearing.bearingDegrees + noise * Gaussian.sample(&random) + 360).truncatingRemainder(dividingBy: 360)
                    return copy
                }
                do {
                    let fix = try Triangulation.locate(noisy)
                    errors.append(Geodesic.wgs84.distance(from: fix.point, to: truth))
                } catch {
                    refused += 1
                }
            }
            let bound = try Triangulation.cramerRaoBound(truth: truth, bearings: exact)
            let boundErrors = Gaussian.radialErrors(covariance: bound, count: 200_000, random: &random)
            let rms = (errors.map { $0 * $0 }.reduce(0, +) / Double(max(errors.count, 1))).squareRoot()
            GeoCommand.printJSON(.object([
                "trials": .integer(Int(trials)), "bearing_noise_deg": .number(noise), "seed": .integer(Int(seed)),
                "observers": .number(3), "ranges_km": .array([9, 14, 8].map { .number($0) }),
                "refused": .integer(Int(refused)),
                "median_error_m": .number(Gaussian.quantile(errors, 0.5).rounded()),
                "p95_error_m": .number(Gaussian.quantile(errors, 0.95).rounded()),
                "rms_error_m": .number(rms.rounded()),
                "crlb_rms_m": .number((bound[0] + bound[2]).squareRoot().rounded()),
                "crlb_median_m": .number(Gaussian.quantile(boundErrors, 0.5).rounded()),
                "crlb_p95_m": .number(Gaussian.quantile(boundErrors, 0.95).rounded()),
            ]))
        }
    }
}

