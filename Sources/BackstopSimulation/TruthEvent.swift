import BackstopCore
import Foundation

/// Something that happened in the simulated world, with the records filed about it and the
/// findings a perfect observer would make under the agreement.
public struct TruthEvent: Sendable, Hashable {
    public enum Category: String, Sendable, CaseIterable {
        case shellingLaunch = "shelling_launch"
        case shellingImpact = "shelling_impact"
        case smallArmsFire = "small_arms_fire"
        case weaponGroup = "weapon_group"
        case uavFlight = "uav_flight"
        case liveFireTraining = "live_fire_training"
        case movementRestriction = "movement_restriction"
        case mineLaying = "mine_laying"
    }

    public var id: String
    public var category: Category
    public var kind: ObservationKind
    public var start: Date
    public var end: Date
    public var point: GeoPoint
    public var count: Int
    public var direction: FireDirection?
    public var weapon: WeaponReport?
    public var liveFireTraining: Bool
    public var findings: [TruthFinding] = []
    public var observationIDs: [UUID] = []
}

public struct TruthFinding: Sendable, Hashable {
    public var kind: String
    public var ruleID: String
    public var agreementID: String

    public var key: String { "\(agreementID)/\(ruleID)/\(kind)" }
}

/// Who filed a simulated record: the reporter name a token would carry, and the team.
public struct SimulatedReporter: Sendable, Hashable {
    public var reporter: String
    public var team: String?

    public var isMission: Bool { !reporter.hasPrefix("party-") }
}

/// Everything a simulation produced.
public struct SimulationResult: Sendable {
    public var scenario: SimulationScenario
    public var agreementID: String
    public var events: [TruthEvent]
    /// In the order they would arrive, retries included.
    public var observations: [Observation]
    public var reporters: [UUID: SimulatedReporter]
    public var falseReportIDs: [UUID]
    /// The bearing-only sensors, with their true noise and outages.
    public var sensors: [SimulatedSensor] = []
}

/// A bearing-only sensor of the simulation: where it stands, how noisy its bearings truly are
/// (σ; it reports ± 2σ), and when it was down.
public struct SimulatedSensor: Sendable, Hashable {
    public var name: String
    public var kind: Sensor.Kind
    public var point: GeoPoint
    public var bearingNoiseDegrees: Double
    public var outages: [DateInterval]
}
