import BackstopCore
import BackstopStore

extension BackstopStore {
    /// The sectors of every stored policy (its latest version), each with the agreement its
    /// zone sectors come from: where the sectors lie, through GEOS. A stored policy that no
    /// longer parses is left out rather than failing every reader of the sectors.
    func sectorMaps() async throws -> [SectorMap] {
        var maps: [SectorMap] = []
        for stored in try await latestPolicies() {
            guard let policy = try? stored.policy() else { continue }
            let agreement = try await policy.agreementID.asyncMap { try await self.agreement(id: $0, version: nil)?.agreement() } ?? nil
            maps.append(SectorMap(policy: policy, agreement: agreement))
        }
        return maps
    }
}
