import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// The findings log: each finding once, in the order the mission detected it, with the node
/// that logged it. A reader (an alert sender, a liaison's dashboard) keeps the last `sequence`
/// it saw and asks for what came after.
struct FindingsController: Sendable {
    let store: any BackstopStore

    func register(with routes: RouteRegistrar) {
        routes.add(.listFindings) { request, _, _ in try await list(request) }
    }

    func list(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listFindings.queryParameters)
        let (after, limit) = parameters.sequencePage()
        try parameters.check()
        let items = try await store.findingLog(after: after, limit: limit)
        return JSONResponse.make(.object([
            "findings": .array(items.map(\.jsonValue)),
            "next_after": .integer(Int(items.last?.sequence ?? after)),
        ]))
    }
}
