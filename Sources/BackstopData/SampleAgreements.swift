import BackstopCore
import Foundation

/// The three sample agreements shipped with Backstop (approximate sample data).
public enum SampleAgreements {
    public static let fileNames = ["donbas-minsk-sample", "korea-dmz-sample", "sinai-treaty-sample"]

    /// The default agreement a demo server runs under.
    public static let defaultID = "donbas-minsk-sample"

    public static func url(named name: String) -> URL? {
        Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Agreements")
    }

    /// The raw document of each sample, by file name.
    public static func documents() throws -> [(name: String, data: Data)] {
        try fileNames.map { name in
            guard let url = url(named: name) else { throw SampleError.missing(name) }
            return (name, try Data(contentsOf: url))
        }
    }

    public enum SampleError: Error, CustomStringConvertible {
        case missing(String)

        public var description: String {
            switch self {
            case .missing(let name): "the sample agreement \(name).json is missing from the build"
            }
        }
    }
}
