import BackstopCore
import HTTPTypes

/// Every route the server answers, with the roles it admits. The router is built from this
/// table, the role × endpoint test walks it, and the OpenAPI test compares it with the document.
public struct Endpoint: Sendable, Hashable {
    public var method: HTTPRequest.Method
    /// In OpenAPI form, e.g. `/api/v1/observations/{id}`.
    public var path: String
    /// Nil for endpoints anyone may call without a token.
    public var roles: Set<Role>?
    /// The query parameters it reads; any other is refused (422) before the handler runs.
    public var queryParameters: Set<String> = []
    /// A request without a token is served as the public (a token, when sent, must be valid).
    public var admitsAnonymous = false
    /// How a refused query parameter is answered: 422 across the API, 400 where a standard says
    /// so (OGC API – Features).
    public var parameterRefusal: HTTPResponse.Status = .unprocessableContent
    /// A console form's endpoint: its handler checks the CSRF field of the form itself.
    public var checksFormCSRF = false

    public init(method: HTTPRequest.Method, path: String, roles: Set<Role>?, queryParameters: Set<String> = [], admitsAnonymous: Bool = false) {
        self.admitsAnonymous = admitsAnonymous
        self.method = method
        self.path = path
        self.roles = roles
        self.queryParameters = queryParameters
    }

    /// The path as Hummingbird's router writes parameters (`:id`).
    public var routerPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? ":" + segment.dropFirst().dropLast() : segment
        }.joined(separator: "/")
    }

    public static let insideMission: Set<Role> = [.admin, .supervisor, .analyst]
    public static let everyReader: Set<Role> = Set(Role.allCases).subtracting([.sensor])

    public static let health = Endpoint(method: .get, path: "/healthz", roles: nil)
    public static let openAPI = Endpoint(method: .get, path: "/openapi.yaml", roles: nil)
    public static let metrics = Endpoint(method: .get, path: "/metrics", roles: [.admin])
    public static let submitObservations = Endpoint(
        method: .post, path: "/api/v1/observations",
        roles: [.admin, .supervisor, .analyst, .monitor, .sensor, .partner, .party]
    )
    /// Monitors, partners and parties see only their own (or their team's) observations.
    public static let listObservations = Endpoint(
        method: .get, path: "/api/v1/observations",
        roles: [.admin, .supervisor, .analyst, .monitor, .partner, .party],
        queryParameters: ["from", "to", "bbox", "kind", "reporter", "limit", "cursor"]
    )
    /// Every observation the listing with the same filters shows the caller, as a file.
    public static let exportObservations = Endpoint(method: .get, path: "/api/v1/observations/export", roles: listObservations.roles,
                                                    queryParameters: ["format", "from", "to", "bbox", "kind", "reporter"])
    public static let getObservation = Endpoint(method: .get, path: "/api/v1/observations/{id}", roles: listObservations.roles)
    /// Agreements are public documents: anyone reads them, without a token too (the public map draws them).
    public static let listAgreements = Endpoint(method: .get, path: "/api/v1/agreements", roles: everyReader, admitsAnonymous: true)
    public static let getAgreement = Endpoint(method: .get, path: "/api/v1/agreements/{id}", roles: everyReader, queryParameters: ["version"],
                                              admitsAnonymous: true)
    public static let getAgreementGeometry = Endpoint(method: .get, path: "/api/v1/agreements/{id}/geometry", roles: everyReader,
                                                      queryParameters: ["version"], admitsAnonymous: true)
    public static let putAgreement = Endpoint(method: .put, path: "/api/v1/agreements/{id}", roles: [.admin, .supervisor])
    /// Incidents join records of many reporters: the mission's staff see them all; partners,
    /// parties and the public (also without a token) see those released to them.
    public static let incidentReaders: Set<Role> = insideMission.union([.partner, .party, .public])
    public static let listIncidents = Endpoint(method: .get, path: "/api/v1/incidents", roles: incidentReaders,
                                               queryParameters: ["from", "to", "bbox", "kind", "finding", "min_confidence", "state",
                                                                 "needs_review", "sector", "limit", "cursor"], admitsAnonymous: true)
    /// Every incident the listing with the same filters shows the caller, as a file.
    public static let exportIncidents = Endpoint(method: .get, path: "/api/v1/incidents/export", roles: incidentReaders,
                                                 queryParameters: ["format", "from", "to", "bbox", "kind", "finding", "min_confidence", "state",
                                                                   "needs_review", "sector"], admitsAnonymous: true)
    /// JSON, or the incident's page (`?f=html` or `Accept: text/html`).
    public static let getIncident = Endpoint(method: .get, path: "/api/v1/incidents/{id}", roles: incidentReaders, queryParameters: ["f"],
                                             admitsAnonymous: true)
    /// Live updates as server-sent events: which incidents the caller may see changed.
    public static let incidentEvents = Endpoint(method: .get, path: "/api/v1/incidents/events", roles: incidentReaders,
                                                queryParameters: ["timeout"], admitsAnonymous: true)
    public static let incidentHistory = Endpoint(method: .get, path: "/api/v1/incidents/{id}/history", roles: insideMission)
    /// Decisions: JSON, or the console's forms (whose handlers check the form's CSRF field).
    private static func decision(_ path: String, _ roles: Set<Role>) -> Endpoint {
        var endpoint = Endpoint(method: .post, path: path, roles: roles)
        endpoint.checksFormCSRF = true
        return endpoint
    }
    public static let proposeAssessment = decision("/api/v1/incidents/{id}/assessments", insideMission)
    public static let confirmAssessment = decision("/api/v1/incidents/{id}/assessments/{number}/confirm", [.admin, .supervisor])
    public static let returnAssessment = decision("/api/v1/incidents/{id}/assessments/{number}/return", [.admin, .supervisor])
    /// Analysts merge incidents fusion kept apart and split ones it joined.
    public static let mergeIncident = decision("/api/v1/incidents/{id}/merge", insideMission)
    public static let splitIncident = decision("/api/v1/incidents/{id}/split", insideMission)
    public static let releaseIncident = decision("/api/v1/incidents/{id}/release", [.admin, .supervisor])

    /// The findings log, in the order findings were first detected; escalation reads it.
    public static let listFindings = Endpoint(method: .get, path: "/api/v1/findings", roles: insideMission, queryParameters: ["after", "limit"])
    /// The findings log after `after`, all of it, as a file (NDJSON or CSV).
    public static let exportFindings = Endpoint(method: .get, path: "/api/v1/findings/export", roles: insideMission, queryParameters: ["format", "after"])

    /// The audit log: every change, hash-chained. The mission's supervisors and admins read it.
    public static let listAudit = Endpoint(method: .get, path: "/api/v1/audit", roles: [.admin, .supervisor], queryParameters: ["after", "limit"])
    public static let listTokens = Endpoint(method: .get, path: "/api/v1/tokens", roles: [.admin])
    public static let revokeToken = Endpoint(method: .post, path: "/api/v1/tokens/{name}/revoke", roles: [.admin])

    /// Escalation policies: versioned like agreements, changed by supervisors.
    public static let listPolicies = Endpoint(method: .get, path: "/api/v1/policies", roles: insideMission)
    public static let getPolicy = Endpoint(method: .get, path: "/api/v1/policies/{id}", roles: insideMission, queryParameters: ["version"])
    public static let putPolicy = Endpoint(method: .put, path: "/api/v1/policies/{id}", roles: [.admin, .supervisor])
    /// Sectors' alert levels and the alerts that changed them: the mission, and the partners,
    /// parties and public for alerts released to them (the public feed needs no token).
    public static let alertReaders: Set<Role> = insideMission.union([.partner, .party, .public])
    public static let listSectors = Endpoint(method: .get, path: "/api/v1/sectors", roles: insideMission.union([.partner]))
    public static let listAlerts = Endpoint(method: .get, path: "/api/v1/alerts", roles: alertReaders,
                                            queryParameters: ["sector", "kind", "exercise", "limit", "after"], admitsAnonymous: true)
    public static let alertFeed = Endpoint(method: .get, path: "/api/v1/alerts/feed.atom", roles: alertReaders, admitsAnonymous: true)
    public static let getAlert = Endpoint(method: .get, path: "/api/v1/alerts/{id}", roles: alertReaders, admitsAnonymous: true)
    public static let getAlertCAP = Endpoint(method: .get, path: "/api/v1/alerts/{id}/cap", roles: alertReaders, admitsAnonymous: true)
    /// An exercise: an alert marked as such, sent the same way, counted nowhere.
    public static let drillAlert = Endpoint(method: .post, path: "/api/v1/alerts/drill", roles: [.admin, .supervisor])
    /// Guarantor requests: analysts draft, supervisors issue and withdraw, the addressed
    /// partner answers.
    public static let requestReaders: Set<Role> = insideMission.union([.partner])
    public static let listRequests = Endpoint(method: .get, path: "/api/v1/guarantor-requests", roles: requestReaders,
                                              queryParameters: ["state", "type", "partner", "exercise", "limit"])
    public static let draftRequest = Endpoint(method: .post, path: "/api/v1/guarantor-requests", roles: insideMission)
    public static let getRequest = Endpoint(method: .get, path: "/api/v1/guarantor-requests/{id}", roles: requestReaders)
    public static let getRequestCAP = Endpoint(method: .get, path: "/api/v1/guarantor-requests/{id}/cap", roles: requestReaders)
    public static let issueRequest = decision("/api/v1/guarantor-requests/{id}/issue", [.admin, .supervisor])
    public static let withdrawRequest = decision("/api/v1/guarantor-requests/{id}/withdraw", [.admin, .supervisor])
    public static let acknowledgeRequest = decision("/api/v1/guarantor-requests/{id}/acknowledge", [.partner])
    public static let acceptRequest = decision("/api/v1/guarantor-requests/{id}/accept", [.partner])
    public static let declineRequest = decision("/api/v1/guarantor-requests/{id}/decline", [.partner])
    public static let completeRequest = decision("/api/v1/guarantor-requests/{id}/complete", [.partner])
    /// Webhook subscriptions: the mission's admins and supervisors, and partners for their own
    /// endpoint. Dead letters are redelivered by admins.
    public static let subscriptionOwners: Set<Role> = [.admin, .supervisor, .partner]
    public static let createSubscription = Endpoint(method: .post, path: "/api/v1/subscriptions", roles: subscriptionOwners)
    public static let listSubscriptions = Endpoint(method: .get, path: "/api/v1/subscriptions", roles: subscriptionOwners)
    public static let getSubscription = Endpoint(method: .get, path: "/api/v1/subscriptions/{id}", roles: subscriptionOwners)
    public static let deleteSubscription = Endpoint(method: .delete, path: "/api/v1/subscriptions/{id}", roles: subscriptionOwners)
    public static let listSubscriptionDeliveries = Endpoint(method: .get, path: "/api/v1/subscriptions/{id}/deliveries", roles: subscriptionOwners,
                                                            queryParameters: ["state", "limit"])
    public static let listDeliveries = Endpoint(method: .get, path: "/api/v1/deliveries", roles: [.admin], queryParameters: ["state", "limit"])
    public static let redeliver = Endpoint(method: .post, path: "/api/v1/deliveries/{id}/redeliver", roles: [.admin])

    /// The sensor registry: admins and supervisors register sensors, the mission's staff read
    /// them with whether each is reporting, and a sensor's own token sends its heartbeat.
    public static let registerSensor = Endpoint(method: .post, path: "/api/v1/sensors", roles: [.admin, .supervisor])
    public static let listSensors = Endpoint(method: .get, path: "/api/v1/sensors", roles: insideMission, queryParameters: ["status", "kind"])
    public static let getSensor = Endpoint(method: .get, path: "/api/v1/sensors/{id}", roles: insideMission)
    public static let sensorHeartbeat = Endpoint(method: .post, path: "/api/v1/sensors/{id}/heartbeat", roles: [.sensor, .admin])
    public static let sensors = [registerSensor, listSensors, getSensor, sensorHeartbeat]

    /// OGC API – Features, Part 1 (with Part 2's CRS84 and EPSG:4326), for GIS clients: the
    /// incidents and findings each caller may see, observations for the mission's staff.
    /// Anonymous callers read what was released to the public. Refusals are 400, as the standard says.
    private static func feature(_ path: String, _ parameters: Set<String> = ["f"]) -> Endpoint {
        var endpoint = Endpoint(method: .get, path: path, roles: incidentReaders, queryParameters: parameters, admitsAnonymous: true)
        endpoint.parameterRefusal = .badRequest
        return endpoint
    }
    public static let featuresLanding = feature("/ogc")
    public static let featuresAPI = feature("/ogc/api")
    public static let featuresConformance = feature("/ogc/conformance")
    public static let featuresCollections = feature("/ogc/collections")
    public static let featuresCollection = feature("/ogc/collections/{collectionId}")
    public static let featuresItems = feature("/ogc/collections/{collectionId}/items",
                                              ["f", "bbox", "bbox-crs", "crs", "datetime", "limit", "offset", "cursor", "kind"])
    public static let featuresItem = feature("/ogc/collections/{collectionId}/items/{featureId}", ["f", "crs"])
    /// The daily report: drafted by the mission (and on the schedule), approved by a supervisor
    /// who did not last edit its text, published for good; the public edition of published
    /// versions is read by everyone, without a token too.
    public static let listReports = Endpoint(method: .get, path: "/api/v1/reports", roles: incidentReaders, queryParameters: ["state", "limit"],
                                             admitsAnonymous: true)
    public static let draftReport = Endpoint(method: .post, path: "/api/v1/reports", roles: insideMission)
    public static let getReport = Endpoint(method: .get, path: "/api/v1/reports/{id}", roles: incidentReaders,
                                           queryParameters: ["f", "version", "edition"], admitsAnonymous: true)
    public static let editReport = Endpoint(method: .patch, path: "/api/v1/reports/{id}", roles: insideMission)
    public static let redraftReport = Endpoint(method: .post, path: "/api/v1/reports/{id}/redraft", roles: insideMission)
    public static let approveReport = Endpoint(method: .post, path: "/api/v1/reports/{id}/approve", roles: [.admin, .supervisor])
    public static let correctReport = Endpoint(method: .post, path: "/api/v1/reports/{id}/corrections", roles: insideMission)
    /// What the reports' charts draw: ceasefire violations per day and per sector.
    public static let violationStatistics = Endpoint(method: .get, path: "/api/v1/statistics/violations", roles: insideMission, queryParameters: ["days"])
    public static let reports = [listReports, draftReport, getReport, editReport, redraftReport, approveReport, correctReport, violationStatistics]

    /// The web console: pages for people in a browser, signed in with a session cookie (a
    /// bearer token works too). The public's pages need no sign-in.
    private static func page(_ path: String, _ roles: Set<Role>?, anonymous: Bool = false, _ parameters: Set<String> = []) -> Endpoint {
        Endpoint(method: .get, path: path, roles: roles, queryParameters: parameters, admitsAnonymous: anonymous)
    }
    public static let home = page("/", everyReader, anonymous: true)
    public static let signInPage = page("/signin", nil)
    public static let signIn: Endpoint = {
        var endpoint = Endpoint(method: .post, path: "/signin", roles: nil)
        endpoint.checksFormCSRF = true
        return endpoint
    }()
    public static let signOut: Endpoint = {
        var endpoint = Endpoint(method: .post, path: "/signout", roles: everyReader)
        endpoint.checksFormCSRF = true
        return endpoint
    }()
    public static let operationsMap = page("/console/map", insideMission.union([.partner, .party]))
    public static let verificationQueue = page("/console/queue", insideMission)
    public static let escalationBoard = page("/console/escalation", insideMission.union([.partner]))
    /// The monitors' field form (offline first), and the places it suggests.
    public static let fieldForm = page("/console/field", insideMission.union([.monitor]))
    public static let fieldPlaces = page("/console/field/places", insideMission.union([.monitor]))
    /// The daily reports with their charts, and one report's work page.
    public static let reportsPage = page("/console/reports", insideMission)
    public static let reportPage = page("/console/reports/{id}", insideMission)
    public static let publicMap = page("/public/map", incidentReaders, anonymous: true)
    public static let asset = page("/assets/{name}", nil)
    public static let assetImage = page("/assets/images/{name}", nil)
    /// Browsers ask for it on every page they show, the API's JSON answers too.
    public static let favicon = page("/favicon.ico", nil)
    public static let console = [home, signInPage, signIn, signOut, operationsMap, verificationQueue, escalationBoard, fieldForm, fieldPlaces, reportsPage, reportPage, publicMap, asset, assetImage, favicon]

    public static let features = [featuresLanding, featuresAPI, featuresConformance, featuresCollections, featuresCollection,
                                  featuresItems, featuresItem]

    public static let all: [Endpoint] = features + reports + sensors + console + [
        health, openAPI, metrics, submitObservations, listObservations, exportObservations, getObservation,
        listAgreements, getAgreement, getAgreementGeometry, putAgreement, listIncidents, exportIncidents, incidentEvents, getIncident, incidentHistory,
        proposeAssessment, confirmAssessment, returnAssessment, releaseIncident, mergeIncident, splitIncident, listFindings, exportFindings,
        listAudit, listTokens, revokeToken,
        listPolicies, getPolicy, putPolicy, listSectors, listAlerts, alertFeed, getAlert, getAlertCAP, drillAlert,
        listRequests, draftRequest, getRequest, getRequestCAP, issueRequest, withdrawRequest, acknowledgeRequest, acceptRequest,
        declineRequest, completeRequest, createSubscription, listSubscriptions, getSubscription, deleteSubscription,
        listSubscriptionDeliveries, listDeliveries, redeliver,
    ]
}
