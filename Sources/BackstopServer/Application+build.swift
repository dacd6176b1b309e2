import BackstopCore
import BackstopStore
import Hummingbird
import HummingbirdCore
import ServiceLifecycle
import Logging
import NIOCore
import Prometheus

/// Assembles the whole HTTP application with its background work; `serve` and the tests both
/// start here. The background work (deriving incidents and their findings) runs as
/// services of the application: at SIGTERM the server stops taking connections and finishes
/// the requests in flight first, then the work stops and gives up its lease.
public func buildApplication(
    store: any BackstopStore,
    configuration: ServerConfiguration = ServerConfiguration(),
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    logger: Logger = Logger(label: "backstop.server"),
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> some ApplicationProtocol {
    let parts = buildRouter(store: store, configuration: configuration, registry: registry)
    let connections = HTTP1Channel.Configuration(
        additionalChannelHandlers: [ConnectionGuard(drainLimit: configuration.drainBytes,
                                                    bodyTimeout: TimeAmount(configuration.bodyTimeout),
                                                    drainTimeout: TimeAmount(configuration.drainTimeout))],
        idleTimeout: TimeAmount(configuration.idleTimeout)
    )
    return Application(
        router: parts.router,
        server: .http1(configuration: connections),
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "backstop"),
        services: parts.services,
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// The router and the background work it depends on.
func buildRouter(
    store: any BackstopStore,
    configuration: ServerConfiguration,
    registry: PrometheusCollectorRegistry
) -> (router: Router<AppRequestContext>, services: [any Service]) {
    let router = Router(context: AppRequestContext.self)
    let table = RouteTable()
    router.add(middleware: ErrorMappingMiddleware())
    router.add(middleware: MethodNotAllowedMiddleware(table: table))
    router.add(middleware: MetricsMiddleware())
    let metrics = ServerMetrics(registry: registry)
    let sessions = ConsoleSessions(keys: ConsoleKeyCache(store: store), lifetime: configuration.sessionLifetime)
    let routes = RouteRegistrar(router: router, authenticator: Authenticator(store: store, sessions: sessions, now: configuration.now), table: table)
    SystemController(store: store, metrics: metrics, node: configuration.nodeName).register(with: routes)
    let resolvers = LocationResolverCache(store: store)
    let intake = IntakeActivity()
    let work = IncidentWork(store: store, node: configuration.nodeName, leaseDuration: configuration.leaseSeconds, now: configuration.now, intake: intake)
    let board = IncidentBoard(store: store, work: work, readWait: configuration.incidentsReadWait)
    let observations = ObservationsController(store: store, configuration: configuration, metrics: metrics, resolvers: resolvers, intake: intake)
    observations.register(with: routes)
    ObservationExportController(observations: observations).register(with: routes)
    AgreementsController(store: store, configuration: configuration, resolvers: resolvers).register(with: routes)
    let incidents = IncidentsController(store: store, board: board, now: configuration.now, configuration: configuration)
    incidents.register(with: routes)
    IncidentExportController(incidents: incidents).register(with: routes)
    IncidentEventsController(board: board, incidents: incidents).register(with: routes)
    IncidentDecisionsController(store: store, board: board, incidents: incidents, now: configuration.now).register(with: routes)
    IncidentGroupingController(store: store, board: board, incidents: incidents, now: configuration.now).register(with: routes)
    FindingsController(store: store, now: configuration.now).register(with: routes)
    SensorsController(store: store, now: configuration.now, resolvers: resolvers).register(with: routes)
    FeaturesController(sources: FeatureSources(incidents: incidents, observations: observations), pages: .bundled,
                       now: configuration.now).register(with: routes)
    let reports = ReportsController(store: store, assembler: ReportAssembler(store: store, incidents: incidents, calendar: configuration.reports.calendar),
                                    settings: configuration.reports, pages: .bundled, now: configuration.now)
    reports.register(with: routes)
    ConsoleController(store: store, sessions: sessions, incidents: incidents, reports: reports,
                      alerts: AlertsController(store: store, board: board, now: configuration.now), resolvers: resolvers, pages: .bundled,
                      now: configuration.now)
        .register(with: routes)
    AuditController(store: store).register(with: routes)
    TokensController(store: store, now: configuration.now).register(with: routes)
    PoliciesController(store: store, configuration: configuration).register(with: routes)
    AlertsController(store: store, board: board, now: configuration.now).register(with: routes)
    GuarantorRequestsController(store: store, now: configuration.now, draftBodyLimit: configuration.maxBodyBytes).register(with: routes)
    SubscriptionsController(store: store, now: configuration.now).register(with: routes)
    let following = IncidentFollowing(board: board, announcements: store.announcements(), interval: configuration.followInterval)
    let escalation = EscalationWork(store: store, node: configuration.nodeName, leaseDuration: configuration.leaseSeconds,
                                    interval: configuration.escalationInterval, now: configuration.now)
    let delivery = DeliveryWork(store: store, node: configuration.nodeName, leaseDuration: configuration.leaseSeconds,
                                interval: configuration.deliveryInterval, schedule: configuration.retrySchedule, now: configuration.now)
    let silence = SensorSilenceWork(store: store, node: configuration.nodeName, leaseDuration: configuration.leaseSeconds,
                                    interval: configuration.escalationInterval, now: configuration.now)
    var services: [any Service] = [following, work, escalation, delivery, silence]
    if configuration.reports.draftsOnSchedule {
        services.append(ReportDrafting(store: store, reports: reports, settings: configuration.reports, node: configuration.nodeName,
                                       leaseDuration: configuration.leaseSeconds, now: configuration.now))
    }
    if let signer = configuration.auditSigner, configuration.checkpointEvery > 0 {
        services.append(AuditCheckpointing(store: store, signer: signer, every: Int64(configuration.checkpointEvery),
                                           interval: configuration.followInterval, now: configuration.now))
    }
    return (router, services)
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
