import Foundation

/// One sample escalation policy for each sample agreement (sample data, like the agreements).
public enum SamplePolicies {
    public static let fileNames = SampleAgreements.fileNames.map { "\($0)-policy" }

    /// The raw document of each sample, by file name.
    public static func documents() throws -> [(name: String, data: Data)] {
        try fileNames.map { name in
            guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Policies") else {
                throw SampleAgreements.SampleError.missing(name)
            }
            return (name, try Data(contentsOf: url))
        }
    }
}
