import ArgumentParser
import BackstopCore
import BackstopStore
import Foundation

struct SensorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sensor", abstract: "Register sensors and see which are reporting.",
        subcommands: [Add.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register a sensor, or change one, from a JSON file as POST /api/v1/sensors takes it (versioned and audited).",
            discussion: """
            The file holds id, kind (camera, acoustic, radar, uav, other), name, position {lat, lon, accuracy_m},
            for a camera field_of_view {from_degrees, to_degrees, range_km}, expected_interval_seconds, responsible,
            token (the name of the access token it reports with) and, for a change, the version it makes.
            """
        )

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Argument(help: "The sensor's JSON file (- for standard input).")
        var file: String

        @Option(help: "Who is recorded as having registered it.")
        var savedBy = "backstop sensor add"

        func run() async throws {
            let data = file == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: file)
            guard let data else { throw CLIError("cannot read \(file)") }
            let document: JSONValue
            do { document = try JSONValue.parse(data) } catch {
                throw CLIError("\(file): not valid JSON: \(JSONErrorDescription.describe(error))")
            }
            let parsed: (sensor: Sensor, version: Int?)
            do { parsed = try SensorParser.parse(document, by: savedBy, at: Date()) } catch { throw CLIError(error, file: file) }
            try await dataDirectory.withStore { store in
                let existed = try await store.sensor(id: parsed.sensor.id) != nil
                let saved: Sensor
                do {
                    saved = try await store.saveSensor(parsed.sensor, version: parsed.version, audit: AuditDraft(
                        actor: savedBy, action: existed ? "sensor.changed" : "sensor.registered", subject: "sensor/\(parsed.sensor.id)",
                        body: (try? JSONValue.parse(EscalationJSON.data(parsed.sensor))) ?? .object([:])))
                } catch let error as StoreError {
                    throw CLIError(error.description)
                }
                let areas = try await store.latestAgreements().compactMap { try? AreaOfOperations($0.agreement()) }
                for warning in saved.registrationWarnings(areas: areas) {
                    FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
                }
                if try await store.allTokens().first(where: { $0.identity.name == saved.token && $0.identity.role == .sensor && $0.revokedAt == nil }) == nil {
                    FileHandle.standardError.write(Data("warning: no sensor token named '\(saved.token)' exists yet (backstop token create --role sensor --name \(saved.token))\n".utf8))
                }
                print("\(existed ? "Changed" : "Registered") \(saved.id) (\(saved.kind.rawValue)) as version \(saved.version).")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the registered sensors with whether each is reporting now.")

        @OptionGroup var dataDirectory: DataDirectoryOption

        @Option(help: "Only sensors in this state: unknown, up or down.")
        var status: String?

        func validate() throws {
            if let status, SensorLiveness.State(rawValue: status) == nil {
                throw ValidationError("--status must be one of: \(SensorLiveness.State.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(status)')")
            }
        }

        func run() async throws {
            let now = Date()
            try await dataDirectory.withStore { store in
                for stored in try await store.sensors() {
                    let state = stored.liveness.state(of: stored.sensor, at: now)
                    guard status == nil || state.rawValue == status else { continue }
                    let seen = stored.liveness.lastSeen.map { "last report \(Timestamp.format($0))" } ?? "never heard from"
                    print("\(stored.sensor.id)\t\(stored.sensor.kind.rawValue)\t\(state.rawValue)\t\(seen)\t\(stored.sensor.name)")
                }
            }
        }
    }
}
