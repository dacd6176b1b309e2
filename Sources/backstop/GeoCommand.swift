import ArgumentParser
import BackstopCore
import BackstopData
import BackstopSQLite
import BackstopStore
import Foundation

struct GeoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geo", abstract: "Locate, resolve and measure on the ellipsoid.",
        subcommands: [Locate.self, Resolve.self, Distance.self, TriangulationStudy.self]
    )

    static func point(_ text: String, option: String) throws -> GeoPoint {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let lat = parts[0], let lon = parts[1] else {
            throw ValidationError("\(option) must be LAT,LON in decimal degrees (got '\(text)')")
        }
        guard (-90...90).contains(lat) else { throw ValidationError("\(option): latitude must be between -90 and 90 (got \(lat))") }
        guard (-180...180).contains(lon) else { throw ValidationError("\(option): longitude must be between -180 and 180 (got \(lon))") }
        return GeoPoint(lat: lat, lon: lon)
    }

    static func printJSON(_ value: JSONValue) {
        print(String(decoding: value.canonicalData(), as: UTF8.self))
    }


    struct Locate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Observer + bearing (± error) + distance band → best point and uncertainty polygon.")

        @Option(help: "Observer position, LAT,LON.") var observer: String
        @Option(help: "Bearing in degrees from true north, optionally with its error: 135 or 135±10 (also 135+-10).") var bearing: String
        @Option(help: "Distance band in km: 3-5, or a single value.") var distance: String
        @Option(name: .customLong("observer-accuracy"), help: "Observer position error in metres.") var observerAccuracy: Double = 0

        func run() async throws {
            let origin = try GeoCommand.point(observer, option: "--observer")
            let normalised = bearing.replacingOccurrences(of: "+-", with: "±").replacingOccurrences(of: "+/-", with: "±")
            let bearingParts = normalised.split(separator: "±").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(bearingParts.count), let degrees = bearingParts[0], bearingParts.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--bearing must be DEGREES or DEGREES±ERROR (got '\(bearing)')")
            }
            guard (0..<360).contains(degrees) else { throw ValidationError("--bearing must be at least 0 and less than 360 degrees (got \(degrees))") }
            let error = bearingParts.count == 2 ? bearingParts[1]! : 10
            guard (0...180).contains(error) else { throw ValidationError("--bearing error must be between 0 and 180 degrees (got \(error))") }
            let band = distance.split(separator: "-").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard (1...2).contains(band.count), band.allSatisfy({ $0 != nil }) else {
                throw ValidationError("--distance must be MIN-MAX in km, e.g. 3-5 (got '\(distance)')")
            }
            let minimum = band[0]!, maximum = band.count == 2 ? band[1]! : band[0]!
            guard minimum >= 0, maximum <= 1_000 else { throw ValidationError("--distance must be between 0 and 1000 km") }
            guard maximum >= minimum else { throw ValidationError("--distance: max must not be less than min (\(maximum) < \(minimum))") }
            guard observerAccuracy >= 0 else { throw ValidationError("--observer-accuracy must not be negative") }
            let region = try BearingRegion.locate(observer: origin, bearingDegrees: degrees, bearingErrorDegrees: error,
                                                  minMetres: minimum * 1000, maxMetres: maximum * 1000, observerAccuracyMetres: observerAccuracy)
            GeoCommand.printJSON(.object([
                "point": GeoJSONWriter.point(region.bestPoint),
                "radius_m": .number(region.radiusMetres.rounded()),
                "uncertainty": GeoJSONWriter.polygons([region.polygon]),
            ]))
        }
    }

    struct Resolve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Resolve a place phrase such as \"2 km NW of Avdiivka\" with the gazetteer.")

        @Argument(help: "The phrase.") var phrase: String
        @Option(help: "Observer position LAT,LON, to prefer nearby places.") var near: String?
        @Option(help: "Agreement id (a sample, or one in --data-dir) whose area of operations is preferred.") var agreement: String?
        @OptionGroup var dataDirectory: DataDirectoryOption

        func run() async throws {
            let observer = try near.map { try GeoCommand.point($0, option: "--near") }
            var areas: [AreaOfOperations] = []
            if let agreement { areas = [AreaOfOperations(try await GeoCommand.agreement(agreement, dataDirectory: dataDirectory.path))] }
            let resolver = PlaceResolver(gazetteer: try BundledGazetteer.load(), areas: areas)
            let parsed: PlacePhrase
            do { parsed = try PlacePhrase.parse(phrase) } catch { throw CLIError(error.reason) }
            let resolution: PlaceResolution
            do { resolution = try resolver.resolve(parsed.place, near: observer) } catch { throw CLIError(error.reason) }
            let observation = Observation(id: UUID(), kind: .damage, observedAt: Date(), modality: .saw,
                                          observer: observer.map { ObserverPosition(point: $0) },
                                          location: .relativeToPlace(place: phrase, bearingDegrees: nil, distance: nil))
            guard case .resolved(let location) = LocationResolver(places: resolver).resolve(observation) else {
                throw CLIError("could not resolve '\(phrase)'")
            }
            func candidate(_ c: PlaceResolution.Candidate) -> JSONValue {
                .object([
                    "geonameid": .integer(Int(c.entry.geonameID)), "name": .string(c.entry.name), "country": .string(c.entry.countryCode),
                    "admin1": .string(c.entry.admin1), "population": .integer(Int(c.entry.population)),
                    "lat": .number(c.entry.point.lat), "lon": .number(c.entry.point.lon),
                    "inside_area_of_operations": c.insideAreaOfOperations.map(JSONValue.bool) ?? .null,
                    "distance_from_observer_km": c.distanceFromObserverMetres.map { .number(($0 / 100).rounded() / 10) } ?? .null,
                ])
            }
            GeoCommand.printJSON(.object([
                "point": GeoJSONWriter.point(location.point),
                "radius_m": .number((location.radiusMetres ?? 0).rounded()),
                "place": candidate(resolution.chosen),
                "reason": .string(resolution.reason),
                "ambiguous": .bool(resolution.ambiguous),
                "other_candidates": .array(resolution.others.map(candidate)),
                "detail": .string(location.detail ?? ""),
            ]))
        }
    }

    struct Distance: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Geodesic distance from a point to each line of an agreement, and its side.")

        @Option(help: "Agreement id (a sample, or one in --data-dir).") var agreement: String
        @Argument(help: "LAT,LON") var point: String
        @OptionGroup var dataDirectory: DataDirectoryOption

        func run() async throws {
            let target = try GeoCommand.point(point, option: "LAT,LON")
            let document = try await GeoCommand.agreement(agreement, dataDirectory: dataDirectory.path)
            let report = try AgreementGeometry(document).position(of: target)
            GeoCommand.printJSON(report.jsonValue)
        }
    }

    /// Finds an agreement among the store's (when the data directory exists) and the samples.
    static func agreement(_ id: String, dataDirectory: String) async throws -> Agreement {
        if FileManager.default.fileExists(atPath: URL(fileURLWithPath: dataDirectory).appendingPathComponent(SQLiteStore.fileName).path) {
            let store = try await SQLiteStore.open(directory: dataDirectory)
            let stored = try await store.agreement(id: id, version: nil)
            try await store.close()
            if let stored { return try stored.agreement() }
        }
        for (name, data) in try SampleAgreements.documents() where name == id {
            return try AgreementParser().parse(data)
        }
        throw CLIError("no agreement '\(id)'; samples: \(SampleAgreements.fileNames.joined(separator: ", "))")
    }
}
