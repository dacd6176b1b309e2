import BackstopCore
import BackstopData
import BackstopStore
import Logging

/// The resolver intake uses: the bundled gazetteer, and the areas of operations of the
/// agreements in the store (for homonyms). Rebuilt after an agreement changes here.
actor LocationResolverCache {
    private let store: any BackstopStore
    private var cached: LocationResolver?

    init(store: any BackstopStore) {
        self.store = store
    }

    func resolver() async throws -> LocationResolver {
        if let cached { return cached }
        let areas = try await store.latestAgreements().compactMap { try? AreaOfOperations($0.agreement()) }
        let places = (try? BundledGazetteer.load()).map { PlaceResolver(gazetteer: $0, areas: areas) }
        let resolver = LocationResolver(places: places)
        cached = resolver
        return resolver
    }

    func invalidate() {
        cached = nil
    }
}
