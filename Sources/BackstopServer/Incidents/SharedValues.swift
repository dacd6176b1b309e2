import BackstopCore

/// The texts and lists that many incidents hold alike (modalities, sources, grades, the
/// findings' agreement, rule and kind), kept once for a page of incidents read at start
/// instead of once per incident: each list is an allocation of its own, and a node keeps every
/// stored incident in memory (three such lists per summary came to a fifth of a kilobyte an
/// incident). Used for one page, then dropped: the table never outgrows what the page holds.
struct SharedValues {
    private var texts: [String: String] = [:]
    private var lists: [[String]: [String]] = [:]

    mutating func text(_ value: String) -> String {
        if let kept = texts[value] { return kept }
        texts[value] = value
        return value
    }

    mutating func list(_ value: [String]) -> [String] {
        guard !value.isEmpty else { return value }
        if let kept = lists[value] { return kept }
        lists[value] = value
        return value
    }

    mutating func share(_ summary: inout IncidentSummary) {
        summary.modalities = list(summary.modalities)
        summary.sources = list(summary.sources)
        summary.grades = list(summary.grades)
        for index in summary.findings.indices { share(&summary.findings[index]) }
    }

    mutating func share(_ finding: inout IncidentSummary.FindingSummary) {
        finding.kind = text(finding.kind)
        finding.agreement = text(finding.agreement)
        finding.rule = text(finding.rule)
        finding.party = finding.party.map { text($0) }
    }

    /// The incidents, their alike values shared.
    static func shared(_ incidents: [StoredIncident]) -> [StoredIncident] {
        var values = SharedValues()
        return incidents.map { incident in
            var incident = incident
            values.share(&incident.summary)
            if var confirmed = incident.confirmedSummary {
                values.share(&confirmed)
                incident.confirmedSummary = confirmed
            }
            for index in incident.confirmedFindings.indices { values.share(&incident.confirmedFindings[index]) }
            return incident
        }
    }
}
