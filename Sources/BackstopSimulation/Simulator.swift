import BackstopCore
import Foundation

/// Generates ground-truth events along an agreement's contact line and the records that
/// patrols, fixed cameras, acoustic arrays, the mission's UAV and the parties would file about
/// them, with the errors such records have. Deterministic for a seed.
public struct Simulator: Sendable {
    public let agreement: Agreement
    public let gazetteer: Gazetteer
    public let scenario: SimulationScenario

    public init(agreement: Agreement, gazetteer: Gazetteer, scenario: SimulationScenario) throws(SimulationError) {
        guard let contact = agreement.contactLine?.points, contact.count >= 2 else {
            throw SimulationError("agreement \(agreement.id) has no contact line to simulate along")
        }
        guard scenario.hours > 0, scenario.hours <= 24 * 366 else { throw SimulationError("hours must be more than 0 and at most a year") }
        self.agreement = agreement
        self.gazetteer = gazetteer
        self.scenario = scenario
    }

    public func run() throws -> SimulationResult {
        var world = World(simulator: self)
        return try world.run()
    }
}

public struct SimulationError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// One run's mutable state: the generator, the watchers, what happened and what was filed.
struct World {
    let agreement: Agreement
    let scenario: SimulationScenario
    let line: LineWalker
    let settlements: [GazetteerEntry]
    let settlementIndex: SettlementIndex
    var random: SplitMix64
    /// Bearing-only sensors draw from a stream of their own, so that adding them leaves the
    /// rest of the world (events and every other record) as it was for the seed.
    var sensorRandom: SplitMix64
    var sensorRecordIDs: Set<UUID> = []
    var observers: [SimulatedObserver] = []
    var events: [TruthEvent] = []
    var filed: [(arrival: Date, observation: Observation)] = []
    var reporters: [UUID: SimulatedReporter] = [:]
    var falseReportIDs: [UUID] = []
    var hotspots: [Double] = []

    init(simulator: Simulator) {
        agreement = simulator.agreement
        scenario = simulator.scenario
        line = LineWalker(simulator.agreement.contactLine!.points)
        random = SplitMix64(seed: simulator.scenario.seed)
        sensorRandom = SplitMix64(seed: simulator.scenario.seed ^ 0x5E45_0B5E_4A4B_1E55)
        settlementIndex = SettlementIndex(simulator.gazetteer)
        // Settlements near the line, for place references ("2 km NW of X").
        let points = simulator.agreement.contactLine!.points
        let lats = points.map(\.lat), lons = points.map(\.lon)
        settlements = simulator.gazetteer.entries.filter { $0.population >= 500 }.filter {
            $0.point.lat > lats.min()! - 0.6 && $0.point.lat < lats.max()! + 0.6 && $0.point.lon > lons.min()! - 0.9 && $0.point.lon < lons.max()! + 0.9
        }
    }

    var sides: [SideOfLine] { [.left, .right] }

    mutating func run() throws -> SimulationResult {
        placeObservers()
        hotspots = (0..<scenario.hotspotCount).map { _ in random.uniform(0.05...0.95) }
        let hours = scenario.hours
        for _ in 0..<random.poissonCount(rate: scenario.shellingExchangesPerHour, span: hours) { shellingExchange() }
        for _ in 0..<random.poissonCount(rate: scenario.smallArmsFirePerHour, span: hours) { smallArmsFire() }
        for _ in 0..<random.poissonCount(rate: scenario.weaponGroupsPerHour, span: hours) { weaponGroup() }
        for _ in 0..<random.poissonCount(rate: scenario.uavFlightsPerHour, span: hours) { uavFlight() }
        for _ in 0..<random.poissonCount(rate: scenario.liveFireTrainingPerDay / 24, span: hours) { liveFireTraining() }
        for _ in 0..<random.poissonCount(rate: scenario.movementRestrictionsPerDay / 24, span: hours) { movementRestriction() }
        for _ in 0..<random.poissonCount(rate: scenario.mineLayingPerDay / 24, span: hours) { mineLaying() }
        falsePatrolReports()
        for _ in 0..<random.poissonCount(rate: scenario.falseAllegationsPerHour, span: hours) { falseAllegation() }
        try judge()
        var arrivals = filed
        // Retries: the same record sent again later; the store keeps one.
        for entry in filed {
            // The bearing-only sensors' records draw on their own stream here too.
            if sensorRecordIDs.contains(entry.observation.id) {
                if sensorRandom.chance(scenario.retryRate) { arrivals.append((entry.arrival.addingTimeInterval(sensorRandom.uniform(5...600)), entry.observation)) }
            } else if random.chance(scenario.retryRate) {
                arrivals.append((entry.arrival.addingTimeInterval(random.uniform(5...600)), entry.observation))
            }
        }
        arrivals.sort { $0.arrival != $1.arrival ? $0.arrival < $1.arrival : UUIDOrder.less($0.observation.id, $1.observation.id) }
        let sensors = observers.filter { $0.kind == .bearingCamera || $0.kind == .bearingAcoustic }.map { observer in
            SimulatedSensor(name: observer.name, kind: observer.kind == .bearingCamera ? .camera : .acoustic, point: roundedPoint(observer.point),
                            bearingNoiseDegrees: observer.kind == .bearingCamera ? scenario.bearingCameraNoiseDegrees : scenario.bearingAcousticNoiseDegrees,
                            outages: observer.outages.sorted { $0.start < $1.start })
        }
        return SimulationResult(scenario: scenario, agreementID: agreement.id, events: events, observations: arrivals.map(\.observation),
                                reporters: reporters, falseReportIDs: falseReportIDs, sensors: sensors)
    }

    // MARK: Watchers

    mutating func placeObservers() {
        for index in 0..<scenario.patrolCount {
            let fraction = (Double(index) + 0.5 + random.uniform(-0.3...0.3)) / Double(scenario.patrolCount)
            let point = line.point(at: fraction, side: sides[index % 2], metres: random.uniform(2_000...6_000))
            observers.append(SimulatedObserver(name: String(format: "patrol-%02d", index + 1), kind: .patrol, point: point))
        }
        for index in 0..<scenario.cameraCount {
            let point = line.point(at: random.uniform(0.02...0.98), side: random.element(sides), metres: random.uniform(500...2_000))
            observers.append(SimulatedObserver(name: String(format: "camera-%02d", index + 1), kind: .camera, point: point))
        }
        for index in 0..<scenario.acousticArrayCount {
            let fraction = (Double(index) + 0.5) / Double(scenario.acousticArrayCount)
            let point = line.point(at: fraction, side: random.element(sides), metres: random.uniform(4_000...7_000))
            observers.append(SimulatedObserver(name: String(format: "acoustic-%02d", index + 1), kind: .acousticArray, point: point))
        }
        placeBearingSensors()
    }

    /// Bearing-only cameras close behind the line and acoustic sensors further back, spread
    /// along it, each with its outages.
    mutating func placeBearingSensors() {
        swap(&random, &sensorRandom)
        defer { swap(&random, &sensorRandom) }
        let cameras = (0..<scenario.bearingCameraCount).map { index in
            (String(format: "bearing-camera-%02d", index + 1), SimulatedObserver.Kind.bearingCamera, (Double(index) + 0.5) / Double(scenario.bearingCameraCount), 1_000.0...3_000.0)
        }
        let acoustic = (0..<scenario.bearingAcousticCount).map { index in
            (String(format: "bearing-acoustic-%02d", index + 1), SimulatedObserver.Kind.bearingAcoustic, (Double(index) + 0.5) / Double(scenario.bearingAcousticCount), 3_000.0...8_000.0)
        }
        for (index, (name, kind, fraction, band)) in (cameras + acoustic).enumerated() {
            let at = min(0.99, max(0.01, fraction + random.uniform(-0.2...0.2) / Double(max(scenario.bearingCameraCount, scenario.bearingAcousticCount, 1))))
            var observer = SimulatedObserver(name: name, kind: kind, point: line.point(at: at, side: sides[index % 2], metres: random.uniform(band)))
            for _ in 0..<random.poissonCount(rate: scenario.sensorOutagesPerDay / 24, span: scenario.hours) {
                let start = scenario.start.addingTimeInterval(random.uniform(0...(scenario.hours * 3_600)))
                observer.outages.append(DateInterval(start: start, duration: random.uniform(2...8) * 3_600))
            }
            observers.append(observer)
        }
    }

    var patrols: [SimulatedObserver] { observers.filter { $0.kind == .patrol } }

    // MARK: Ground truth

    mutating func randomTime(duration: Double) -> (Date, Date) {
        let start = scenario.start.addingTimeInterval(random.uniform(0...(scenario.hours * 3_600)))
        return (start, start.addingTimeInterval(duration))
    }

    mutating func fireFraction() -> Double {
        guard random.chance(scenario.hotspotShare), !hotspots.isEmpty else { return random.uniform(0.01...0.99) }
        let spread = 10_000 / max(line.length, 1)
        return min(0.99, max(0.01, random.element(hotspots) + random.normal() * spread))
    }

    mutating func newEvent(_ category: TruthEvent.Category, kind: ObservationKind, at point: GeoPoint, from start: Date, to end: Date,
                           count: Int = 1, direction: FireDirection? = nil, weapon: WeaponReport? = nil, liveFire: Bool = false) -> Int {
        events.append(TruthEvent(id: String(format: "e%05d", events.count + 1), category: category, kind: kind, start: start, end: end,
                                 point: point, count: count, direction: direction, weapon: weapon, liveFireTraining: liveFire))
        return events.count - 1
    }

    mutating func shellingExchange() {
        let fraction = fireFraction()
        let firingSide = random.element(sides)
        let count = min(30, 1 + Int(-log(max(random.uniform(0...1), 1e-9)) * 5))
        let (start, end) = randomTime(duration: Double(count) * random.uniform(10...40))
        let launch = line.point(at: fraction + random.normal() * 0.002, side: firingSide, metres: random.uniform(3_000...9_000))
        let impact = line.point(at: fraction + random.normal() * 0.002, side: firingSide == .left ? .right : .left, metres: random.uniform(100...4_000))
        let launchEvent = newEvent(.shellingLaunch, kind: .explosion, at: launch, from: start, to: end, count: count, direction: .outgoing)
        let flight = random.uniform(5...40)
        let impactEvent = newEvent(.shellingImpact, kind: .explosion, at: impact, from: start.addingTimeInterval(flight), to: end.addingTimeInterval(flight),
                                   count: count, direction: .incoming)
        detectFire(launchEvent, audibleMetres: 12_000)
        detectFire(impactEvent, audibleMetres: 12_000)
        allege(impactEvent)
    }

    mutating func smallArmsFire() {
        let point = line.point(at: fireFraction(), side: random.element(sides), metres: random.uniform(0...800))
        let count = random.integer(1...12)
        let (start, end) = randomTime(duration: Double(count) * random.uniform(20...90))
        let event = newEvent(.smallArmsFire, kind: .burstsShots, at: point, from: start, to: end, count: count, direction: .unknown)
        detectFire(event, audibleMetres: 4_000)
    }

    mutating func weaponGroup() {
        let options: [(WeaponClass, String)] = [
            (.mlrs, "BM-21 Grad"), (.artillery100mmPlus, "2S1 Gvozdika"), (.artillery100mmPlus, "D-30"), (.tank, "T-72"),
            (.mortar, "2B11 Sani"), (.antiTankGun, "MT-12 Rapira"), (.armouredVehicle, "BMP-2"), (.antiAircraft, "ZU-23-2"),
        ]
        let (weaponClass, model) = random.element(options)
        let quantity = random.integer(1...6)
        let side = random.element(sides)
        let point = line.point(at: random.uniform(0.02...0.98), side: side, metres: random.uniform(500...45_000))
        let (start, end) = randomTime(duration: random.uniform(1_800...10_800))
        let event = newEvent(.weaponGroup, kind: .weaponSighting, at: point, from: start, to: end,
                             weapon: WeaponReport(model: model, weaponClass: weaponClass, quantity: quantity))
        // A patrol on its route passes it; sometimes a second one; the mission's UAV may fly over.
        var visitors = patrols.sorted { Geodesic.wgs84.distance(from: $0.point, to: point) < Geodesic.wgs84.distance(from: $1.point, to: point) }.prefix(3)
        if random.chance(0.85), let first = visitors.popFirst() { sight(event, by: first) }
        if random.chance(0.25), let second = visitors.popFirst() { sight(event, by: second) }
        if random.chance(0.4) { sight(event, by: SimulatedObserver(name: "mission-uav", kind: .missionUAV, point: point)) }
    }

    mutating func uavFlight() {
        let point = line.point(at: random.uniform(0.02...0.98), side: random.element(sides), metres: random.uniform(0...5_000))
        let (start, end) = randomTime(duration: random.uniform(300...1_800))
        let event = newEvent(.uavFlight, kind: .uavOverflight, at: point, from: start, to: end)
        for observer in patrols {
            let distance = Geodesic.wgs84.distance(from: observer.point, to: point)
            guard distance < 4_000, random.chance(0.7) else { continue }
            file(report(of: event, by: observer, modality: .saw, style: .bearing), event: event, reporter: reporter(observer, member: "a"))
        }
    }

    mutating func liveFireTraining() {
        let point = line.point(at: random.uniform(0.02...0.98), side: random.element(sides), metres: random.uniform(15_000...60_000))
        let (start, end) = randomTime(duration: random.uniform(1_800...7_200))
        let event = newEvent(.liveFireTraining, kind: .burstsShots, at: point, from: start, to: end, count: random.integer(5...40), liveFire: true)
        if random.chance(0.8), let patrol = patrols.min(by: { Geodesic.wgs84.distance(from: $0.point, to: point) < Geodesic.wgs84.distance(from: $1.point, to: point) }) {
            let visitor = SimulatedObserver(name: patrol.name, kind: .patrol, point: Geodesic.wgs84.destination(from: point, azimuthDegrees: random.uniform(0...360), distanceMetres: random.uniform(800...2_000)))
            file(report(of: event, by: visitor, modality: .sawAndHeard, style: .absolute(300)), event: event, reporter: reporter(visitor, member: "a"))
        }
    }

    mutating func movementRestriction() {
        let patrol = random.element(patrols)
        let point = Geodesic.wgs84.destination(from: patrol.point, azimuthDegrees: random.uniform(0...360), distanceMetres: random.uniform(200...3_000))
        let (start, end) = randomTime(duration: random.uniform(600...5_400))
        let event = newEvent(.movementRestriction, kind: .freedomOfMovementRestriction, at: point, from: start, to: end)
        let here = SimulatedObserver(name: patrol.name, kind: .patrol, point: point)
        file(report(of: event, by: here, modality: .saw, style: .absolute(20)), event: event, reporter: reporter(here, member: "a"))
        if random.chance(0.5) { file(report(of: event, by: here, modality: .saw, style: .absolute(20)), event: event, reporter: reporter(here, member: "b")) }
    }

    mutating func mineLaying() {
        let point = line.point(at: random.uniform(0.02...0.98), side: random.element(sides), metres: random.uniform(0...3_000))
        let (start, end) = randomTime(duration: random.uniform(600...3_600))
        let event = newEvent(.mineLaying, kind: .mine, at: point, from: start, to: end)
        for observer in patrols where Geodesic.wgs84.distance(from: observer.point, to: point) < 3_000 && random.chance(0.5) {
            file(report(of: event, by: observer, modality: .saw, style: .bearing),
                 event: event, reporter: reporter(observer, member: "a"))
        }
    }

    // MARK: Detection

    /// Fire is heard by patrols (likelier when close), seen by cameras within 5 km and located
    /// by acoustic arrays within 20 km.
    mutating func detectFire(_ event: Int, audibleMetres: Double) {
        let point = events[event].point
        for observer in observers {
            let distance = Geodesic.wgs84.distance(from: observer.point, to: point)
            switch observer.kind {
            case .patrol:
                guard distance < audibleMetres else { continue }
                let probability = 0.95 - 0.85 * max(0, distance - 2_000) / (audibleMetres - 2_000)
                guard random.chance(probability) else { continue }
                let style: ReportStyle = random.chance(scenario.placeReferenceRate) ? .place : .bearing
                let record = report(of: event, by: observer, modality: distance < 3_000 ? .sawAndHeard : .heard, style: style)
                file(record, event: event, reporter: reporter(observer, member: "a"))
                if random.chance(scenario.duplicateRate) {
                    file(report(of: event, by: observer, modality: .heard, style: .bearing), event: event, reporter: reporter(observer, member: "b"))
                }
            case .camera:
                guard distance < 5_000, random.chance(0.6) else { continue }
                file(report(of: event, by: observer, modality: .camera, style: .absolute(300 + distance * 0.05)), event: event, reporter: reporter(observer, member: nil))
            case .acousticArray:
                guard distance < min(20_000, audibleMetres * 1.6), random.chance(0.85) else { continue }
                file(report(of: event, by: observer, modality: .acoustic, style: .absolute(300 + distance * 0.03)), event: event, reporter: reporter(observer, member: nil))
            case .bearingCamera, .bearingAcoustic:
                swap(&random, &sensorRandom)
                defer { swap(&random, &sensorRandom) }
                let reach = observer.kind == .bearingCamera ? 8_000.0 : 20_000.0
                guard distance < min(reach, audibleMetres * 1.6), !observer.isDown(at: events[event].start),
                      random.chance(observer.kind == .bearingCamera ? 0.7 : 0.85) else { continue }
                let record = report(of: event, by: observer, modality: observer.kind == .bearingCamera ? .camera : .acoustic, style: .lineOfBearing)
                sensorRecordIDs.insert(record.id)
                file(record, event: event, reporter: reporter(observer, member: nil))
            case .missionUAV:
                continue
            }
        }
    }

    mutating func sight(_ event: Int, by observer: SimulatedObserver) {
        let point = events[event].point
        if observer.kind == .missionUAV {
            file(report(of: event, by: observer, modality: .uav, style: .absolute(50)), event: event, reporter: reporter(observer, member: nil))
            return
        }
        // The patrol stops within sight of the group, at a few hundred metres.
        let standpoint = Geodesic.wgs84.destination(from: point, azimuthDegrees: random.uniform(0...360), distanceMetres: random.uniform(300...1_500))
        let visitor = SimulatedObserver(name: observer.name, kind: .patrol, point: standpoint)
        let style: ReportStyle = random.chance(0.5) ? .absolute(150) : .bearing
        file(report(of: event, by: visitor, modality: .saw, style: style), event: event, reporter: reporter(visitor, member: "a"))
    }

    /// The party on whose side an impact fell alleges it, sometimes.
    mutating func allege(_ event: Int) {
        guard random.chance(scenario.allegationRate), let contact = agreement.contactLine,
              let side = try? LineGeometry.distance(from: events[event].point, to: contact.points).side,
              let party = agreement.parties.first(where: { $0.side == side }) else { return }
        let record = allegation(at: events[event].point, time: events[event].start, count: events[event].count,
                                grade: AdmiraltyGrade(reliability: .d, credibility: .possiblyTrue))
        file(record, event: event, reporter: SimulatedReporter(reporter: "party-\(party.id)", team: nil))
    }

    // MARK: Noise

    mutating func falsePatrolReports() {
        let patrolRecords = reporters.values.filter { $0.reporter.hasPrefix("patrol-") }.count
        let count = Int((Double(patrolRecords) * scenario.falseReportRate).rounded())
        for _ in 0..<count {
            let observer = random.element(patrols)
            let (start, _) = randomTime(duration: 0)
            let distance = random.uniform(1_000...6_000)
            let point = Geodesic.wgs84.destination(from: observer.point, azimuthDegrees: random.uniform(0...360), distanceMetres: distance)
            let phantom = TruthEvent(id: "false", category: .shellingImpact, kind: .explosion, start: start, end: start.addingTimeInterval(random.uniform(0...120)),
                                     point: point, count: random.integer(1...5), direction: random.element([.incoming, .outgoing, .unknown]), liveFireTraining: false)
            let record = report(of: phantom, by: observer, modality: .heard, style: .bearing)
            falseReportIDs.append(record.id)
            filed.append((arrival(of: record), record))
            reporters[record.id] = SimulatedReporter(reporter: observer.name + "/a", team: observer.name)
        }
    }

    mutating func falseAllegation() {
        let party = random.element(agreement.parties)
        let point = line.point(at: random.uniform(0.02...0.98), side: party.side, metres: random.uniform(200...8_000))
        let (start, _) = randomTime(duration: 0)
        let record = allegation(at: point, time: start, count: random.integer(1...10), grade: AdmiraltyGrade(reliability: .d, credibility: .doubtful))
        falseReportIDs.append(record.id)
        filed.append((arrival(of: record), record))
        reporters[record.id] = SimulatedReporter(reporter: "party-\(party.id)", team: nil)
    }

    mutating func allegation(at point: GeoPoint, time: Date, count: Int, grade: AdmiraltyGrade) -> Observation {
        let claimed = Geodesic.wgs84.destination(from: point, azimuthDegrees: random.uniform(0...360), distanceMetres: abs(random.normal()) * 700)
        return Observation(
            id: randomUUID(), kind: .explosion, count: count, observedAt: rounded(time.addingTimeInterval(random.normal() * 600)), timePrecision: .hour,
            modality: .partyAllegation, location: .absolute(point: roundedPoint(claimed), accuracyMetres: 1_000), direction: .incoming, grading: grade
        )
    }

    // MARK: Filing

    enum ReportStyle {
        case absolute(Double)
        case bearing
        case place
        /// A bearing with its error and no distance: a fixed sensor's detection.
        case lineOfBearing
    }

    /// Patrol members file under their own names and count as one source, their patrol.
    func reporter(_ observer: SimulatedObserver, member: String?) -> SimulatedReporter {
        observer.kind == .patrol ? SimulatedReporter(reporter: "\(observer.name)/\(member ?? "a")", team: observer.name)
            : SimulatedReporter(reporter: observer.name, team: nil)
    }

    mutating func file(_ observation: Observation, event: Int, reporter: SimulatedReporter) {
        events[event].observationIDs.append(observation.id)
        filed.append((arrival(of: observation), observation))
        reporters[observation.id] = reporter
    }

    mutating func arrival(of observation: Observation) -> Date {
        // Most records arrive within the hour; some only when the patrol is back in signal.
        let delay = random.chance(0.05) ? random.uniform(3_600...6 * 3_600) : random.uniform(30...3_600)
        return observation.observedAt.addingTimeInterval(delay)
    }

    mutating func report(of event: Int, by observer: SimulatedObserver, modality: Modality, style: ReportStyle) -> Observation {
        report(of: events[event], by: observer, modality: modality, style: style)
    }

    mutating func report(of event: TruthEvent, by observer: SimulatedObserver, modality: Modality, style: ReportStyle) -> Observation {
        let sensor = observer.kind != .patrol
        let at = event.start.addingTimeInterval(random.normal() * (sensor ? 2 : scenario.timeNoiseSeconds))
        var until: Date?
        if event.end.timeIntervalSince(event.start) > 60 {
            until = max(at.addingTimeInterval(1), event.end.addingTimeInterval(random.normal() * (sensor ? 2 : scenario.timeNoiseSeconds)))
        }
        var count = 1
        if event.count > 1 {
            count = max(1, (0..<event.count).filter { _ in random.chance(sensor ? 0.95 : 0.85) }.count)
        }
        var weapon = event.weapon
        if var seen = weapon, let quantity = seen.quantity, quantity > 1, random.chance(0.2) {
            seen.quantity = random.integer(1...quantity)
            weapon = seen
        }
        let location: ObservationLocation
        switch style {
        case .absolute(let accuracy):
            let error = abs(random.normal()) * accuracy / 2
            location = .absolute(point: roundedPoint(Geodesic.wgs84.destination(from: event.point, azimuthDegrees: random.uniform(0...360), distanceMetres: error)),
                                 accuracyMetres: accuracy.rounded())
        case .bearing:
            location = bearingReport(from: observer.point, to: event.point)
        case .place:
            location = placeReference(for: event.point) ?? bearingReport(from: observer.point, to: event.point)
        case .lineOfBearing:
            let sigma = observer.kind == .bearingCamera ? scenario.bearingCameraNoiseDegrees : scenario.bearingAcousticNoiseDegrees
            var bearing = (Geodesic.wgs84.inverse(from: observer.point, to: event.point).initialAzimuth + random.normal() * sigma)
                .truncatingRemainder(dividingBy: 360)
            if bearing < 0 { bearing += 360 }
            location = .relativeToObserver(BearingFix(bearingDegrees: Self.reportedBearing(bearing), bearingErrorDegrees: 2 * sigma, distance: nil))
        }
        let grade: AdmiraltyGrade = switch observer.kind {
        case .patrol: AdmiraltyGrade(reliability: .b, credibility: modality == .heard ? .possiblyTrue : .probablyTrue)
        case .camera, .missionUAV, .bearingCamera: AdmiraltyGrade(reliability: .a, credibility: .probablyTrue)
        case .acousticArray, .bearingAcoustic: AdmiraltyGrade(reliability: .b, credibility: .probablyTrue)
        }
        var direction = event.direction
        if direction != nil, !sensor, random.chance(0.15) { direction = .unknown }
        return Observation(
            id: randomUUID(), kind: event.kind,
            subkind: event.kind == .explosion ? (event.direction == .outgoing ? "undetermined" : "impact") : nil,
            count: count, observedAt: rounded(at), observedUntil: until.map(rounded), timePrecision: sensor ? .exact : .minute,
            modality: modality, observer: observer.kind == .missionUAV ? nil : ObserverPosition(point: roundedPoint(observer.point), accuracyMetres: 20),
            location: location, direction: direction, weapon: weapon, liveFireTraining: event.liveFireTraining, grading: grade
        )
    }

    /// What a patrol reports by eye or ear: a noisy bearing and a band around a noisy distance.
    mutating func bearingReport(from observer: GeoPoint, to target: GeoPoint) -> ObservationLocation {
        let inverse = Geodesic.wgs84.inverse(from: observer, to: target)
        var bearing = (inverse.initialAzimuth + random.normal() * scenario.bearingNoiseDegrees).truncatingRemainder(dividingBy: 360)
        if bearing < 0 { bearing += 360 }
        return .relativeToObserver(BearingFix(bearingDegrees: Self.reportedBearing(bearing), bearingErrorDegrees: scenario.reportedBearingErrorDegrees,
                                              distance: band(around: inverse.distanceMetres * exp(random.normal() * scenario.distanceNoiseLog))))
    }

    /// A bearing to a tenth of a degree in [0, 360): 359.96° is reported as 0°, not 360°.
    static func reportedBearing(_ degrees: Double) -> Double {
        let tenths = (degrees * 10).rounded()
        return tenths >= 3_600 ? (tenths - 3_600) / 10 : tenths / 10
    }

    /// A distance band as a patrol gives it: whole kilometres around its estimate.
    func band(around metres: Double) -> DistanceBand {
        let km = metres / 1_000
        let low = max(0, (km * 0.7).rounded(.down)), high = max(low + 1, (km * 1.3).rounded(.up))
        return DistanceBand(minKm: low, maxKm: high)
    }

    /// "N km DIR of PLACE" from the nearest settlement within 10 km, as a phrase.
    func placeReference(for point: GeoPoint) -> ObservationLocation? {
        let nearest = settlements.map { ($0, Geodesic.wgs84.distance(from: $0.point, to: point)) }.min { $0.1 < $1.1 }
        guard let (place, distance) = nearest, distance < 10_000 else { return nil }
        if distance < 1_000 { return .relativeToPlace(place: place.name, bearingDegrees: nil, distance: nil) }
        var azimuth = Geodesic.wgs84.inverse(from: place.point, to: point).initialAzimuth
        if azimuth < 0 { azimuth += 360 }
        let points = ["N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE", "S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"]
        let direction = points[Int((azimuth / 22.5).rounded()) % 16]
        return .relativeToPlace(place: "\(Int((distance / 1_000).rounded())) km \(direction) of \(place.name)", bearingDegrees: nil, distance: nil)
    }

    mutating func randomUUID() -> UUID {
        var bytes = [UInt8](repeating: 0, count: 16)
        for index in 0..<16 { bytes[index] = UInt8(truncatingIfNeeded: random.next()) }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }

    func rounded(_ date: Date) -> Date { Timestamp.date(milliseconds: Timestamp.milliseconds(date)) }

    func roundedPoint(_ point: GeoPoint) -> GeoPoint {
        GeoPoint(lat: (point.lat * 1e6).rounded() / 1e6, lon: (point.lon * 1e6).rounded() / 1e6)
    }

    // MARK: Truth findings

    /// The findings a perfect observer would make: each event as an incident at its true place,
    /// time and weapons, checked under the agreement.
    mutating func judge() throws {
        let compliance = MissionCompliance(agreements: [agreement], settlements: settlementIndex)
        let perfect = events.enumerated().map { index, event in
            var record = FusionRecord(id: UUID(uuid: (0, 0, 0, 0, 0, 0, 0x40, 0, 0x80, 0, 0, 0, UInt8(index >> 24 & 0xFF), UInt8(index >> 16 & 0xFF), UInt8(index >> 8 & 0xFF), UInt8(index & 0xFF))),
                                      kind: event.kind, start: event.start, end: event.end, timeToleranceSeconds: 0, point: event.point,
                                      radiusMetres: 0, source: "truth", modality: .saw, count: event.count, grade: nil)
            record.weapon = event.weapon
            record.liveFireTraining = event.liveFireTraining
            record.direction = event.direction
            return Incident(members: [record])
        }
        let sightings = perfect.filter(MissionCompliance.countsTowardsCaps)
        for index in events.indices {
            let incident = perfect[index]
            let current = MissionCompliance.countsTowardsCaps(incident) ? ComplianceChecker.currentForCaps(incident, among: sightings) : []
            events[index].findings = try compliance.findings(for: incident, current: current).map {
                TruthFinding(kind: $0.kind.rawValue, ruleID: $0.ruleID, agreementID: $0.agreementID)
            }
        }
    }
}

struct SimulatedObserver: Sendable {
    enum Kind { case patrol, camera, acousticArray, missionUAV, bearingCamera, bearingAcoustic }
    var name: String
    var kind: Kind
    var point: GeoPoint
    /// When it reported nothing.
    var outages: [DateInterval] = []

    func isDown(at date: Date) -> Bool { outages.contains { $0.contains(date) } }
}
