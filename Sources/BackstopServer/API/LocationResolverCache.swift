import BackstopCore
import BackstopData
import BackstopStore
import Logging

/// The resolver intake uses: the bundled gazetteer, and the areas of operations of the
/// agreements in the store (for homonyms). Rebuilt after an agreement changes here.
actor LocationResolverCache {
    private let store: any BackstopStore
    private var cached: LocationResolver?
    /// Bumped by every invalidation, so a resolver built from agreements read before a change
    /// is not cached after it.
    private var generation = 0

    init(store: any BackstopStore) {
        self.store = store
    }

    func resolver() async throws -> LocationResolver {
        if let cached { return cached }
        let started = generation
        let areas = try await store.latestAgreements().compactMap { try? AreaOfOperations($0.agreement()) }
        let places = (try? BundledGazetteer.load()).map { PlaceResolver(gazetteer: $0, areas: areas) }
        let resolver = LocationResolver(places: places)
        if generation == started { cached = resolver }
        return resolver
    }

    func invalidate() {
        generation += 1
        cached = nil
    }
}
