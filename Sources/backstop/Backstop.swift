import ArgumentParser

@main
struct Backstop: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backstop",
        abstract: "Ceasefire monitoring: observations, incidents and agreements.",
        subcommands: [ServeCommand.self, AgreementCommand.self, TokenCommand.self, ImportCommand.self, GeoCommand.self, SimulateCommand.self, EvaluateCommand.self, BenchCommand.self]
    )
}

/// Where the embedded store lives; shared by every command that opens it.
struct DataDirectoryOption: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory of the embedded SQLite store.")
    var path: String = "./backstop-data"
}
