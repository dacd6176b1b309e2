import Foundation

/// Turns an observation's location, in whatever form it was reported, into a point with an
/// honest uncertainty. What cannot be resolved is said, not guessed.
public struct LocationResolver: Sendable {
    public var places: PlaceResolver?

    /// A settlement is not a point: the uncertainty of "in X" before any offset.
    public static func settlementRadiusMetres(_ entry: GazetteerEntry) -> Double {
        switch entry.population {
        case 500_000...: 10_000
        case 100_000...: 5_000
        case 10_000...: 3_000
        default: 1_500
        }
    }

    /// Bearing error assumed when the reporter gave none: instruments are sharper than ears.
    public static func assumedBearingError(for modality: Modality) -> Double {
        switch modality {
        case .camera, .uav, .radar, .satellite: 2
        case .acoustic: 5
        case .saw, .sawAndHeard: 10
        default: 15
        }
    }

    /// Half the spacing of the 16 compass points: "NW" means 315° ± 11.25°.
    public static let compassPointError = 11.25

    public init(places: PlaceResolver? = nil) {
        self.places = places
    }

    public func resolve(_ observation: Observation) -> LocationResolution {
        switch observation.location {
        case .absolute(let point, let accuracy):
            return .resolved(ResolvedLocation(point: point, radiusMetres: accuracy, method: .asReported))
        case .relativeToObserver(let fix):
            guard let observer = observation.observer else {
                return .unresolved(reason: "a bearing needs the observer's position")
            }
            guard let distance = fix.distance else {
                return .unresolved(reason: "a bearing without a distance band is a line, not a place; it needs a second bearing on the same event (triangulation)")
            }
            var notes: [String] = []
            let error = fix.bearingErrorDegrees ?? {
                let assumed = Self.assumedBearingError(for: observation.modality)
                notes.append("bearing error assumed ±\(NumberRule.format(assumed))° (none reported)")
                return assumed
            }()
            let region = BearingRegion.extent(
                observer: observer.point, bearingDegrees: fix.bearingDegrees, bearingErrorDegrees: error,
                minMetres: distance.minKm * 1000, maxMetres: distance.maxKm * 1000, observerAccuracyMetres: observer.accuracyMetres ?? 0
            )
            let summary = "bearing \(NumberRule.format(fix.bearingDegrees))° ±\(NumberRule.format(error))°, \(NumberRule.format(distance.minKm))–\(NumberRule.format(distance.maxKm)) km from the observer"
            return .resolved(ResolvedLocation(point: region.bestPoint, radiusMetres: region.radiusMetres, method: .bearingAndDistance,
                                              detail: ([summary] + notes).joined(separator: "; ")))
        case .relativeToPlace(let place, let bearing, let distance):
            return resolvePlace(place, bearing: bearing, distance: distance, observation: observation)
        }
    }

    private func resolvePlace(_ text: String, bearing: Double?, distance: DistanceBand?, observation: Observation) -> LocationResolution {
        guard let places else { return .unresolved(reason: "no gazetteer is loaded") }
        var phrase = PlacePhrase(place: text, bearingDegrees: bearing, distance: distance)
        var bearingError = 10.0
        var notes: [String] = []
        if bearing == nil, distance == nil {
            do {
                phrase = try PlacePhrase.parse(text)
                if phrase.bearingDegrees != nil { bearingError = Self.compassPointError }
            } catch {
                return .unresolved(reason: error.reason)
            }
        } else if bearing != nil {
            notes.append("bearing error assumed ±10° (none can be reported for a place)")
        }
        let resolution: PlaceResolution
        do {
            resolution = try places.resolve(phrase.place, near: observation.observer?.point)
        } catch {
            return .unresolved(reason: error.reason)
        }
        let entry = resolution.chosen.entry
        var detail = "\(entry.name) (geonameid \(entry.geonameID), \(entry.countryCode)): \(resolution.reason)"
        if !resolution.others.isEmpty { detail += "; \(resolution.others.count) other place\(resolution.others.count == 1 ? "" : "s") of that name" }
        if resolution.ambiguous { detail += "; ambiguous: check the place" }
        let extent = Self.settlementRadiusMetres(entry)

        guard let band = phrase.distance else {
            return .resolved(ResolvedLocation(point: entry.point, radiusMetres: extent, method: .gazetteer, detail: ([detail] + notes).joined(separator: "; "), geonameID: entry.geonameID))
        }
        // "2 km" is an estimate: a quarter either way, at least 500 m.
        let slack = max(500, band.maxKm * 250)
        guard let bearing = phrase.bearingDegrees else {
            return .resolved(ResolvedLocation(point: entry.point, radiusMetres: band.maxKm * 1000 + slack + extent, method: .gazetteer,
                                              detail: ([detail, "distance without a direction: anywhere on the ring"] + notes).joined(separator: "; "), geonameID: entry.geonameID))
        }
        let region = BearingRegion.extent(
            observer: entry.point, bearingDegrees: bearing, bearingErrorDegrees: bearingError,
            minMetres: max(0, band.minKm * 1000 - slack), maxMetres: band.maxKm * 1000 + slack, observerAccuracyMetres: extent
        )
        let offset = "\(NumberRule.format(band.minKm))\(band.maxKm != band.minKm ? "–\(NumberRule.format(band.maxKm))" : "") km at \(NumberRule.format(bearing))° ±\(NumberRule.format(bearingError))° from it"
        return .resolved(ResolvedLocation(point: region.bestPoint, radiusMetres: region.radiusMetres, method: .gazetteer,
                                          detail: ([detail, offset] + notes).joined(separator: "; "), geonameID: entry.geonameID))
    }
}
