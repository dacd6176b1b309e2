import AsyncHTTPClient
import BackstopCore
import BackstopStore
import Foundation
import Logging
import Metrics
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization

/// Delivers the outbox as Standard Webhooks, on one node at a time (the `webhook-delivery`
/// lease). Each subscription receives its messages in outbox order: its next message waits
/// until the one before is delivered or dead. A node that dies mid-delivery recorded nothing,
/// so the next holder sends the message again with the same `webhook-id` (at most a repeat).
struct DeliveryWork: Service {
    let store: any BackstopStore
    let node: String
    let leaseDuration: Double
    let interval: Duration
    let schedule: RetrySchedule
    let now: @Sendable () -> Date
    let logger = Logger(label: "backstop.delivery")
    /// How long one attempt may take before it counts as failed.
    var attemptTimeout: Duration = .seconds(10)
    private let lease = LeaseRenewal()

    func run() async throws {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let inFlight = InFlight()
        await cancelWhenGracefulShutdown {
            // Attempts run beside the loop, one subscription at a time each: a receiver that
            // takes its 10 s holds up only its own messages, and the loop keeps renewing the lease.
            await withDiscardingTaskGroup { group in
                repeat {
                    do { try await tick(client: client, inFlight: inFlight, group: &group) } catch {
                        logger.warning("delivery tick failed; the next one tries again", metadata: ["error": "\(error)"])
                    }
                } while (try? await Task.sleep(for: interval)) != nil
            }
        }
        try? await client.shutdown()
        try? await store.releaseLease(EscalationLeases.delivery, holder: node)
    }

    /// Starts an attempt for every due delivery whose subscription has none under way.
    func tick(client: HTTPClient, inFlight: InFlight, group: inout DiscardingTaskGroup) async throws {
        guard try await lease.holds(EscalationLeases.delivery, holder: node, duration: leaseDuration, in: store) else { return }
        let due = try await store.deliveryQueue(limit: 200).filter { ($0.nextAttemptAt ?? .distantPast) <= now() && !inFlight.contains($0.subscriptionId) }
        guard !due.isEmpty else { return }
        let subscriptions = try await store.escalationRecords(.subscription, ids: due.map { $0.subscriptionId.uuidString.lowercased() })
            .reduce(into: [UUID: Subscription]()) { result, record in
                if let subscription = try? record.decode(Subscription.self) { result[subscription.id] = subscription }
            }
        for delivery in due {
            guard let subscription = subscriptions[delivery.subscriptionId], inFlight.start(subscription.id) else { continue }
            group.addTask {
                await attempt(delivery, to: subscription, client: client)
                inFlight.finish(subscription.id)
            }
        }
    }

    /// The subscriptions with an attempt under way.
    final class InFlight: Sendable {
        private let ids = Mutex<Set<UUID>>([])

        func contains(_ id: UUID) -> Bool { ids.withLock { $0.contains(id) } }
        func start(_ id: UUID) -> Bool { ids.withLock { $0.insert(id).inserted } }
        func finish(_ id: UUID) { _ = ids.withLock { $0.remove(id) } }
    }

    private func attempt(_ pending: Delivery, to subscription: Subscription, client: HTTPClient) async {
        do {
            guard let message = try await store.outboxMessage(id: pending.messageId) else { return }
            let sentAt = now()
            var outcome = await send(message, to: subscription, at: sentAt, client: client)
            // Stopped mid-attempt (shutdown): record nothing, so the next holder sends it again.
            if Task.isCancelled { return }
            var delivery = pending
            delivery.attempts.append(Delivery.Attempt(at: sentAt, status: outcome.status, error: outcome.error, node: node))
            var changed: Subscription?
            var audit: [AuditDraft] = []
            if let status = outcome.status, (200..<300).contains(status) {
                delivery.state = .delivered
                delivery.deliveredAt = Timestamp.normalised(now())
                delivery.nextAttemptAt = nil
                Counter(label: "backstop_webhook_deliveries_total", dimensions: [("outcome", "delivered")]).increment()
            } else if outcome.status == 410 {
                var disabled = subscription
                disabled.state = .disabled
                disabled.stateReason = "the receiver answered 410 Gone at \(Timestamp.format(sentAt))"
                disabled.version += 1
                changed = disabled
                delivery.state = .cancelled
                delivery.nextAttemptAt = nil
                audit.append(AuditDraft(actor: "webhook delivery (\(node))", action: "subscription.disabled",
                                        subject: "subscription/\(subscription.id.uuidString.lowercased())", body: .object(["reason": .string(disabled.stateReason!)])))
                Counter(label: "backstop_webhook_deliveries_total", dimensions: [("outcome", "gone")]).increment()
            } else {
                delivery.scheduledAttempts += 1
                if outcome.error == nil { outcome.error = "the receiver answered \(outcome.status ?? 0)" }
                delivery.attempts[delivery.attempts.count - 1].error = outcome.error
                delivery.nextAttemptAt = schedule.next(after: delivery.scheduledAttempts, failedAt: sentAt, retryAfter: outcome.retryAfter,
                                                       jitter: Double.random(in: 0..<1))
                if delivery.nextAttemptAt == nil {
                    delivery.state = .dead
                    audit.append(AuditDraft(actor: "webhook delivery (\(node))", action: "delivery.dead", subject: "delivery/\(delivery.id.uuidString.lowercased())",
                                            body: .object(["attempts": .integer(delivery.attempts.count), "last_error": .string(outcome.error ?? "")])))
                }
                Counter(label: "backstop_webhook_deliveries_total", dimensions: [("outcome", delivery.state == .dead ? "dead" : "retry")]).increment()
            }
            let kept = try await store.recordDelivery(delivery, subscription: changed, audit: audit,
                                                      fence: WorkFence(lease: EscalationLeases.delivery, holder: node))
            if !kept { logger.warning("lost the delivery lease; the next holder repeats this message", metadata: ["delivery": "\(delivery.id)"]) }
        } catch {
            logger.warning("delivery not recorded; it is repeated", metadata: ["delivery": "\(pending.id)", "error": "\(error)"])
        }
    }

    private struct Outcome {
        var status: Int?
        var error: String?
        var retryAfter: Double?
    }

    private func send(_ message: OutboxMessage, to subscription: Subscription, at time: Date, client: HTTPClient) async -> Outcome {
        var request = HTTPClientRequest(url: subscription.url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "Backstop-Webhooks/1")
        for (name, value) in StandardWebhook.headers(secret: subscription.secret, id: message.id.uuidString.lowercased(),
                                                     timestamp: Int64(time.timeIntervalSince1970), body: message.body) {
            request.headers.add(name: name, value: value)
        }
        request.body = .bytes(ByteBuffer(string: message.body))
        do {
            let response = try await client.execute(request, timeout: TimeAmount(attemptTimeout))
            _ = try? await response.body.collect(upTo: 64 * 1024)
            return Outcome(status: Int(response.status.code), error: nil, retryAfter: response.headers.first(name: "retry-after").flatMap(Self.retryAfter))
        } catch {
            return Outcome(status: nil, error: "\(error)".prefix(300).description, retryAfter: nil)
        }
    }

    /// `Retry-After` in seconds or as an HTTP date.
    static func retryAfter(_ value: String) -> Double? {
        if let seconds = Double(value.trimmingCharacters(in: .whitespaces)), seconds >= 0 { return seconds }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 0)
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter.date(from: value).map { max(0, $0.timeIntervalSinceNow) }
    }
}
