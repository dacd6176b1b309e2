import BackstopGeo
import Foundation

/// One record filed by a monitor, sensor, partner or party: what was seen or heard, when,
/// how, and where. The reporter is not part of it: it comes from the authenticated identity.
public struct Observation: Sendable, Hashable {
    /// Client-generated; the idempotency key of a submission.
    public var id: UUID
    public var kind: ObservationKind
    public var subkind: String?
    /// How many of `kind` the record reports ("9 explosions").
    public var count: Int
    public var observedAt: Date
    public var observedUntil: Date?
    public var timePrecision: TimePrecision?
    public var modality: Modality
    public var observer: ObserverPosition?
    public var location: ObservationLocation
    public var direction: FireDirection?
    public var flight: Flight?
    public var weapon: WeaponReport?
    public var liveFireTraining: Bool
    public var casualties: Casualties?
    public var grading: AdmiraltyGrade?
    public var notes: String?

    public init(
        id: UUID, kind: ObservationKind, subkind: String? = nil, count: Int = 1,
        observedAt: Date, observedUntil: Date? = nil, timePrecision: TimePrecision? = nil,
        modality: Modality, observer: ObserverPosition? = nil, location: ObservationLocation,
        direction: FireDirection? = nil, flight: Flight? = nil, weapon: WeaponReport? = nil,
        liveFireTraining: Bool = false, casualties: Casualties? = nil, grading: AdmiraltyGrade? = nil,
        notes: String? = nil
    ) {
        self.id = id
        self.kind = kind
        self.subkind = subkind
        self.count = count
        self.observedAt = observedAt
        self.observedUntil = observedUntil
        self.timePrecision = timePrecision
        self.modality = modality
        self.observer = observer
        self.location = location
        self.direction = direction
        self.flight = flight
        self.weapon = weapon
        self.liveFireTraining = liveFireTraining
        self.casualties = casualties
        self.grading = grading
        self.notes = notes
    }
}
