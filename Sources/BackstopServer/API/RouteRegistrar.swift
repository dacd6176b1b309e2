import BackstopCore
import Hummingbird

/// Adds endpoints from the `Endpoint` table to the router, each behind its role check, and
/// answers the other methods on a known path with 405 and an `Allow` header.
struct RouteRegistrar {
    typealias Handler = @Sendable (Request, AppRequestContext, Identity?) async throws -> Response

    let router: Router<AppRequestContext>
    let authenticator: Authenticator
    private let registered = RegisteredMethods()

    init(router: Router<AppRequestContext>, authenticator: Authenticator) {
        self.router = router
        self.authenticator = authenticator
    }

    func add(_ endpoint: Endpoint, _ handler: @escaping Handler) {
        let authenticator = authenticator
        router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { request, context in
            let identity = try await authenticator.authorize(request, for: endpoint)
            var context = context
            context.identity = identity
            return try await handler(request, context, identity)
        }
        registered.add(endpoint)
    }

    /// Call once, after every endpoint is added.
    func addMethodNotAllowed() {
        // HEAD, OPTIONS and TRACE included: on a known path they are refused with 405 and Allow, not 404.
        let candidates: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace, .connect]
        for (path, methods) in registered.byPath {
            let allow = methods.map(\.rawValue).sorted().joined(separator: ", ")
            for method in candidates where !methods.contains(method) {
                router.on(RouterPath(path), method: method) { request, _ -> Response in
                    throw APIError(.methodNotAllowed, code: "method_not_allowed",
                                   message: "\(request.method.rawValue) is not allowed here; allowed: \(allow)",
                                   headers: [.allow: allow])
                }
            }
        }
    }

    private final class RegisteredMethods: @unchecked Sendable {
        // Written only while the router is being built, on one task.
        var byPath: [String: Set<HTTPRequest.Method>] = [:]

        func add(_ endpoint: Endpoint) {
            byPath[endpoint.routerPath, default: []].insert(endpoint.method)
        }
    }
}
