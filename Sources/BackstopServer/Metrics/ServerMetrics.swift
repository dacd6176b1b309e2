import Prometheus

/// Domain counters, kept in the registry that `/metrics` renders.
struct ServerMetrics: Sendable {
    let registry: PrometheusCollectorRegistry
    let observationsCreated: Counter
    let observationsReplayed: Counter
    let observationsRejected: Counter
    let observationConflicts: Counter
    let sensorRecordsOutsideView: Counter

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        observationsCreated = registry.makeCounter(name: "backstop_observations_stored_total", labels: [("outcome", "created")], help: "Observations stored, by outcome")
        observationsReplayed = registry.makeCounter(name: "backstop_observations_stored_total", labels: [("outcome", "replayed")], help: "Observations stored, by outcome")
        observationsRejected = registry.makeCounter(name: "backstop_observation_submissions_rejected_total", help: "Observation submissions refused as invalid")
        observationConflicts = registry.makeCounter(name: "backstop_observation_conflicts_total", help: "Submissions refused because an id exists with other content")
        sensorRecordsOutsideView = registry.makeCounter(name: "backstop_sensor_records_outside_view_total",
                                                        help: "Records received from a registered camera that do not fit its field of view (kept, flagged)")
    }
}
