import BackstopCore
import BackstopGeo
import Foundation

/// A small, fixed set of observations along the sample Donbas line, so a fresh server has
/// something to show. Deterministic: the same ids every time, so re-seeding adds nothing.
public enum DemoObservations {
    public static func make(endingAt end: Date, count: Int = 60) -> [Observation] {
        let patrols: [(name: String, point: GeoPoint)] = [
            ("Avdiivka", GeoPoint(lat: 48.1402, lon: 37.7501)),
            ("Svitlodarsk", GeoPoint(lat: 48.4337, lon: 38.2233)),
            ("Shchastia", GeoPoint(lat: 48.7378, lon: 39.2305)),
            ("Marinka", GeoPoint(lat: 47.9453, lon: 37.5054)),
        ]
        let kinds: [ObservationKind] = [.explosion, .explosion, .burstsShots, .projectile, .muzzleFlash, .illuminationFlare, .weaponSighting, .uavOverflight]
        var generator = SplitMix64(seed: 2015)
        return (0..<count).map { index in
            let patrol = patrols[index % patrols.count]
            let kind = kinds[Int(generator.next() % UInt64(kinds.count))]
            let minutesAgo = Double(generator.next() % (24 * 60))
            let bearing = Double(generator.next() % 360)
            let near = Double(generator.next() % 4) + 1
            let location: ObservationLocation
            if index % 3 == 0 {
                let point = Geodesic.wgs84.destination(from: patrol.point, azimuthDegrees: bearing, distanceMetres: near * 1000)
                location = .absolute(point: GeoPoint(lat: (point.lat * 1e5).rounded() / 1e5, lon: (point.lon * 1e5).rounded() / 1e5), accuracyMetres: 500)
            } else {
                location = .relativeToObserver(BearingFix(bearingDegrees: bearing, bearingErrorDegrees: 10, distance: DistanceBand(minKm: near, maxKm: near + 2)))
            }
            var weapon: WeaponReport?
            if kind == .weaponSighting {
                weapon = WeaponReport(model: "BM-21 Grad", weaponClass: .mlrs, calibreMillimetres: 122, quantity: 2)
            }
            return Observation(
                // Random ids: sequential ones would let anyone probe which ids exist (a 409 answers for
                // another reporter's id) and collide with a client that counts from 1.
                id: UUID(),
                kind: kind,
                subkind: kind == .explosion ? "undetermined" : nil,
                count: kind == .explosion || kind == .burstsShots ? Int(generator.next() % 9) + 1 : 1,
                observedAt: end.addingTimeInterval(-minutesAgo * 60).roundedToMillisecond,
                modality: [.heard, .saw, .sawAndHeard][index % 3],
                observer: ObserverPosition(point: patrol.point, accuracyMetres: 20),
                location: location,
                direction: [.incoming, .outgoing, .unknown][index % 3],
                weapon: weapon,
                grading: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue),
                notes: "Demo observation near \(patrol.name)"
            )
        }
    }
}

extension Date {
    var roundedToMillisecond: Date {
        Timestamp.date(milliseconds: Timestamp.milliseconds(self))
    }
}
