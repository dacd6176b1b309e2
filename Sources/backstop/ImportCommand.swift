import ArgumentParser
import BackstopCore
import BackstopData
import BackstopSQLite
import BackstopStore
import Foundation

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import records from files.", subcommands: [Observations.self])

    struct Observations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "observations",
            abstract: "Import observations from NDJSON, CSV or GeoJSON. Importing the same file again adds nothing."
        )

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Argument(help: "The file to import.")
        var file: String

        @Option(help: "ndjson, csv or geojson (default: from the file's extension).")
        var format: String?

        @Option(help: "Reporter recorded for the imported observations (default: import:<file name>).")
        var reporter: String?

        @Option(help: "Reporter team recorded for the imported observations.")
        var team: String?

        func run() async throws {
            let format = try resolveFormat()
            guard let data = FileManager.default.contents(atPath: file) else { throw CLIError("cannot read \(file)") }
            let rows: [ImportRow]
            do {
                rows = try ImportRows.read(data, format: format)
            } catch {
                throw CLIError("\(file): " + error.errors.map(\.description).joined(separator: "; "))
            }
            let store = try await dataDirectory.open()
            let importer = ObservationImporter(
                store: store,
                reporter: reporter ?? ImportRows.reporter(forFile: URL(fileURLWithPath: file).lastPathComponent),
                team: team,
                progress: ProgressBar(total: rows.count),
                resolver: LocationResolver(places: PlaceResolver(
                    gazetteer: try BundledGazetteer.load(),
                    areas: try await store.latestAgreements().map { AreaOfOperations(try $0.agreement()) }
                ))
            )
            let summary = try await importer.run(rows)
            try await store.close()
            print(summary.text)
            if !summary.rejected.isEmpty { throw ExitCode(1) }
        }

        private func resolveFormat() throws -> ImportFormat {
            if let format {
                guard let parsed = ImportFormat(rawValue: format.lowercased()) else {
                    throw ValidationError("--format '\(format)' is not one of: ndjson, csv, geojson")
                }
                return parsed
            }
            guard let guessed = ImportFormat(fileName: file) else {
                throw ValidationError("cannot tell the format of \(file) from its extension; pass --format ndjson, csv or geojson")
            }
            return guessed
        }
    }
}
