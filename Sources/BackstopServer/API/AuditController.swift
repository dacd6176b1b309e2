import BackstopCore
import BackstopStore
import Foundation
import Hummingbird

/// The audit log over HTTP: pages of entries after a sequence, as `backstop audit export`
/// writes them, so a reader can verify the chain (each entry's `hash` over its canonical
/// content, each `previous_hash` the hash before it) without trusting the server's word.
struct AuditController: Sendable {
    let store: any BackstopStore

    func register(with routes: RouteRegistrar) {
        routes.add(.listAudit) { request, _, _ in try await list(request) }
    }

    func list(_ request: Request) async throws -> Response {
        var parameters = QueryParameters(request, allowed: Endpoint.listAudit.queryParameters)
        let (after, limit) = parameters.sequencePage()
        try parameters.check()
        let entries = try await store.auditEntries(after: after, limit: limit)
        return JSONResponse.make(.object([
            "entries": .array(entries.map(\.jsonValue)),
            "next_after": .integer(Int(entries.last?.sequence ?? after)),
        ]))
    }
}
