import BackstopCore
import BackstopStore
import Foundation
import Testing

/// Sensors on every store: registered with its audit entry, changed only naming the version
/// read, its registration time kept, and its reports recorded as liveness.
extension StoreConformanceTests {
    static func camera() -> Sensor {
        Sensor(id: "camera-zolote", kind: .camera, name: "Camera at Zolote", position: .init(lat: 48.69, lon: 38.52, accuracyM: 10),
               fieldOfView: .init(fromDegrees: 300, toDegrees: 60, rangeKm: 8), expectedIntervalSeconds: 600, responsible: "team-north",
               token: "camera-zolote", version: 1, registeredAt: start, updatedAt: start, updatedBy: "admin")
    }

    @Test(arguments: StoreKind.allCases)
    func sensorsAreVersionedAndTheirReportsKeptAsLiveness(kind: StoreKind) async throws {
        try await withNodes(kind, 1) { (nodes: [any BackstopStore]) async throws in
            let store = nodes[0]
            let audit = AuditDraft(actor: "admin", action: "sensor.registered", subject: "sensor/camera-zolote", body: .object([:]))
            var camera = Self.camera()
            let saved = try await store.saveSensor(camera, version: nil, audit: audit)
            #expect(saved.version == 1)
            #expect(try await store.auditEntries(subjects: ["sensor/camera-zolote"], limit: 10).map(\.action) == ["sensor.registered"])
            // A change naming a version other than the next is refused.
            await #expect(throws: StoreError.self) { _ = try await store.saveSensor(camera, version: 1, audit: audit) }
            await #expect(throws: StoreError.self) { _ = try await store.saveSensor(camera, version: 7, audit: audit) }
            camera.name = "Camera at Zolote (new mast)"
            camera.registeredAt = Self.start.addingTimeInterval(86_400)
            let changed = try await store.saveSensor(camera, version: 2, audit: audit)
            #expect(changed.version == 2 && changed.registeredAt == Self.start, "the first registration time stays")

            #expect(try await store.sensorSeen(id: "no-such-sensor", at: Self.start) == nil)
            _ = try await store.sensorSeen(id: "camera-zolote", at: Self.start)
            let back = try #require(try await store.sensorSeen(id: "camera-zolote", at: Self.start.addingTimeInterval(7_200)))
            #expect(back.liveness.lastSeen == Self.start.addingTimeInterval(7_200) && back.liveness.silences.count == 1)
            let all = try await store.sensors()
            #expect(all.map(\.sensor.id) == ["camera-zolote"] && all.first?.sensor.name == "Camera at Zolote (new mast)")
            #expect(try await store.sensor(id: "camera-zolote")?.liveness == back.liveness)
        }
    }
}
