import BackstopCore
import Foundation

/// The gazetteer shipped with Backstop: GeoNames places (population ≥ 500 or seats) in the
/// sample agreements' regions. Data: GeoNames (geonames.org), CC BY 4.0.
public enum BundledGazetteer {
    public enum LoadError: Error, CustomStringConvertible {
        case missing

        public var description: String { "the bundled gazetteer is missing from the build" }
    }

    private static let loaded: Result<Gazetteer, any Error> = Result {
        guard let url = Bundle.module.url(forResource: "geonames-subset", withExtension: "tsv", subdirectory: "Gazetteer") else {
            throw LoadError.missing
        }
        return try Gazetteer(tsv: String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }

    /// Parsed once per process.
    public static func load() throws -> Gazetteer {
        try loaded.get()
    }
}
