import BackstopCore
import Hummingbird

/// Adds endpoints from the `Endpoint` table to the router, each behind its role check and its
/// query parameter check, and records them in a `RouteTable` so that any other method on a
/// known path is answered with 405 and an `Allow` header (see `MethodNotAllowedMiddleware`).
struct RouteRegistrar {
    typealias Handler = @Sendable (Request, AppRequestContext, Identity?) async throws -> Response

    let router: Router<AppRequestContext>
    let authenticator: Authenticator
    let table: RouteTable

    func add(_ endpoint: Endpoint, _ handler: @escaping Handler) {
        let authenticator = authenticator
        router.on(RouterPath(endpoint.routerPath), method: endpoint.method) { request, context in
            let (identity, session) = try await authenticator.authorize(request, for: endpoint)
            var context = context
            context.identity = identity
            context.session = session
            do {
                // Every endpoint refuses query parameters it does not read (a mistyped filter must
                // not silently widen a listing); the handler then reads the ones it knows.
                try QueryParameters(request, allowed: endpoint.queryParameters).check()
                return try await handler(request, context, identity)
            } catch var error as APIError where error.code == APIError.validationCode && endpoint.parameterRefusal != error.status {
                error.status = endpoint.parameterRefusal
                throw error
            }
        }
        table.add(endpoint)
    }
}

/// The paths the server answers and the methods each takes, filled while the router is built.
final class RouteTable: @unchecked Sendable {
    // Written only while the router is being built, on one task; read-only afterwards.
    private var methods: [[String]: Set<String>] = [:]

    func add(_ endpoint: Endpoint) {
        methods[Self.segments(endpoint.routerPath), default: []].insert(endpoint.method.rawValue)
    }

    /// The methods a request path takes, nil when no route has its shape.
    func allowedMethods(for path: String) -> [String]? {
        let requested = Self.segments(path)
        let matching = methods.filter { pattern, _ in
            pattern.count == requested.count
                && zip(pattern, requested).allSatisfy { pattern, given in pattern.hasPrefix(":") ? !given.isEmpty : pattern == given }
        }
        guard !matching.isEmpty else { return nil }
        // As the router does, a literal segment wins over a parameter: `/alerts/drill` is not
        // `/alerts/{id}`.
        let literals = { (pattern: [String]) in pattern.filter { !$0.hasPrefix(":") }.count }
        let best = matching.keys.map(literals).max() ?? 0
        return matching.filter { literals($0.key) == best }.values.reduce(into: Set<String>()) { $0.formUnion($1) }.sorted()
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Any method on a known path that the path does not take is 405 with `Allow`, whatever the
/// method (HEAD, OPTIONS, TRACE, QUERY, PROPFIND…), instead of a 404 that says the path is unknown.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let table: RouteTable

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            guard let allowed = table.allowedMethods(for: request.uri.path), !allowed.contains(request.method.rawValue) else { throw error }
            let allow = allowed.joined(separator: ", ")
            throw APIError(.methodNotAllowed, code: "method_not_allowed",
                           message: "\(request.method.rawValue) is not allowed here; allowed: \(allow)",
                           headers: [.allow: allow])
        }
    }
}
