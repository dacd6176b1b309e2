import BackstopCore
import BackstopStore
import Hummingbird
import Logging
import Prometheus

/// Assembles the whole HTTP application; production and tests both start here.
public func buildApplication(
    store: any BackstopStore,
    configuration: ServerConfiguration = ServerConfiguration(),
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger = Logger(label: "backstop.server")
) -> some ApplicationProtocol {
    let router = buildRouter(store: store, configuration: configuration, registry: registry)
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "backstop"),
        logger: logger
    )
}

public func buildRouter(
    store: any BackstopStore,
    configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry
) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: ErrorMappingMiddleware())
    router.add(middleware: MetricsMiddleware())
    let metrics = ServerMetrics(registry: registry)
    let routes = RouteRegistrar(router: router, authenticator: Authenticator(store: store))
    SystemController(store: store, metrics: metrics, node: configuration.nodeName).register(with: routes)
    let resolvers = LocationResolverCache(store: store)
    let board = IncidentBoard(store: store)
    board.follow(announcements: store.announcements(), every: configuration.followInterval)
    board.changed()
    let findingsWork = FindingsWork(store: store, board: board, node: configuration.nodeName, leaseDuration: configuration.leaseSeconds)
    findingsWork.run()
    ObservationsController(store: store, configuration: configuration, metrics: metrics, resolvers: resolvers).register(with: routes)
    AgreementsController(store: store, configuration: configuration, resolvers: resolvers).register(with: routes)
    IncidentsController(store: store, board: board).register(with: routes)
    FindingsController(store: store, work: findingsWork).register(with: routes)
    routes.addMethodNotAllowed()
    return router
}
