import BackstopCore
import BackstopData
import BackstopStore
import Foundation
import Logging

/// The server's incidents: an `IncidentBook` built from every stored observation on first
/// use and updated as observations are committed. The store holds the observations, which
/// are the record; incidents are derived from them and rebuilt identically after a restart.
actor IncidentBoard {
    private let store: any BackstopStore
    private let logger: Logger
    private var book: IncidentBook?
    private var loading: Task<IncidentBook, any Error>?

    init(store: any BackstopStore, logger: Logger = Logger(label: "backstop.incidents")) {
        self.store = store
        self.logger = logger
    }

    /// The book, loaded if need be. Callers that arrive while it loads wait for the same load.
    private func loaded() async throws -> IncidentBook {
        if let book { return book }
        let task = loading ?? Task { [store] in try await Self.load(from: store) }
        loading = task
        do {
            let value = try await task.value
            if book == nil { book = value }
            return book!
        } catch {
            loading = nil
            throw error
        }
    }

    private static func compliance(from store: any BackstopStore) async throws -> MissionCompliance {
        let agreements = try await store.latestAgreements().compactMap { try? $0.agreement() }
        return MissionCompliance(agreements: agreements, settlements: SettlementIndex(try BundledGazetteer.load()))
    }

    private static func load(from store: any BackstopStore) async throws -> IncidentBook {
        var book = IncidentBook(compliance: try await compliance(from: store))
        var query = ObservationQuery()
        query.limit = ObservationQuery.maximumLimit
        while true {
            let page = try await store.observations(matching: query)
            book.add(page.items.map(Self.record))
            guard let next = page.next else { return book }
            query.after = next
        }
    }

    static func record(_ stored: StoredObservation) -> FusionRecord {
        FusionRecord(observation: stored.observation, resolution: stored.resolution, reporter: stored.reporter, reporterTeam: stored.reporterTeam)
    }

    /// Fuses newly committed observations. A failure here loses nothing: the observations are
    /// stored, and the next load fuses them.
    func ingest(_ stored: [StoredObservation]) async {
        guard !stored.isEmpty else { return }
        do {
            _ = try await loaded()
            book!.add(stored.map(Self.record))
        } catch {
            logger.error("incidents not updated; they will be rebuilt on the next read", metadata: ["error": "\(error)"])
        }
    }

    /// Bumped by every agreement change, so that of two overlapping refreshes the one that
    /// read the agreements last is the one applied.
    private var agreementGeneration = 0

    /// Checks every incident again under the agreements now stored.
    func agreementsChanged() async {
        agreementGeneration += 1
        let generation = agreementGeneration
        do {
            _ = try await loaded()
            let compliance = try await Self.compliance(from: store)
            guard generation == agreementGeneration, book != nil else { return }
            book!.replaceCompliance(compliance)
        } catch {
            logger.error("findings not rechecked after an agreement change; incidents will be rebuilt", metadata: ["error": "\(error)"])
            guard generation == agreementGeneration else { return }
            book = nil
            loading = nil
        }
    }

    /// Starts the load now, so the first request after a start does not wait for it.
    func warm() async {
        do { _ = try await loaded() } catch {
            logger.error("incidents could not be loaded yet; the next read tries again", metadata: ["error": "\(error)"])
        }
    }

    /// Reads the book in place. Handing the book out as a value would make the next
    /// intake copy all of it (copy-on-write) while a reader still held it.
    func read<T: Sendable>(_ body: @Sendable (borrowing IncidentBook) throws -> T) async throws -> T {
        _ = try await loaded()
        return try body(book!)
    }
}
