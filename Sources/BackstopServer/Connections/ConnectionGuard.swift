import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Accounts for every connection when a request's body is not read to its end.
///
/// Hummingbird stops reading a connection once it has answered a request that asked for
/// `Connection: close`, and then waits for the client to close. When the answer came early
/// (401, 404, 413 before the body was read) the client is still sending: it blocks on a full
/// socket, never reads the answer, and the socket stays open for as long as the client likes.
/// So an answer written before its request's body ended is sent with `Connection: close`, the
/// rest of the body is read and discarded (up to `drainLimit` bytes, within `drainTimeout`) so
/// the client gets to read the answer, and then the connection is closed.
///
/// It also bounds how long a body may take to arrive (`bodyTimeout` from the request head),
/// which Hummingbird's idle timeout does not: a client trickling a byte every few seconds
/// would otherwise hold a connection and a handler forever.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let drainLimit: Int
    private let bodyTimeout: TimeAmount
    private let drainTimeout: TimeAmount

    /// Requests whose head / end arrived, and responses whose end was written, on this connection.
    private var headsRead = 0
    private var endsRead = 0
    private var responsesEnded = 0
    /// Set once an answer went out before its body ended: the rest is discarded, then the connection closes.
    private var draining = false
    private var drained = 0
    private var drainComplete = false
    private var answerFlushed = false
    private var bodyDeadline: Scheduled<Void>?

    init(drainLimit: Int, bodyTimeout: TimeAmount, drainTimeout: TimeAmount) {
        self.drainLimit = drainLimit
        self.bodyTimeout = bodyTimeout
        self.drainTimeout = drainTimeout
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head:
            headsRead += 1
            if !draining { scheduleDeadline(context, in: bodyTimeout) }
        case .body(let buffer):
            if draining { drained += buffer.readableBytes }
        case .end:
            endsRead += 1
            if endsRead == headsRead { cancelBodyDeadline() }
        }
        guard draining else {
            context.fireChannelRead(data)
            return
        }
        if case .end = part { drainComplete = true }
        if drainComplete || drained > drainLimit {
            closeWhenAnswered(context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        // While discarding, keep reading ourselves: the handler above may have stopped asking.
        if draining { context.read() }
        context.fireChannelReadComplete()
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        var part = unwrapOutboundIn(data)
        // The answer to request n (n = responsesEnded + 1) is early when request n's body has
        // not ended yet.
        let early = endsRead <= responsesEnded
        switch part {
        case .head(var head) where early:
            head.headerFields[.connection] = "close"
            part = .head(head)
            context.write(wrapOutboundOut(part), promise: promise)
        case .end where early:
            responsesEnded += 1
            draining = true
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { [self] _ in
                answerFlushed = true
                closeWhenAnswered(context)
            }
            written.futureResult.cascade(to: promise)
            context.writeAndFlush(data, promise: written)
            // A client that stopped sending gets `drainTimeout`, not the rest of the body's time.
            scheduleDeadline(context, in: min(drainTimeout, bodyTimeout))
            context.read()
        case .end:
            responsesEnded += 1
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelBodyDeadline()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelBodyDeadline()
    }

    /// Closes once the answer is out and the rest of the body was read (or was too much).
    private func closeWhenAnswered(_ context: ChannelHandlerContext) {
        guard drainComplete || drained > drainLimit, answerFlushed, context.channel.isActive else { return }
        context.close(promise: nil)
    }

    private func scheduleDeadline(_ context: ChannelHandlerContext, in amount: TimeAmount) {
        cancelBodyDeadline()
        bodyDeadline = context.eventLoop.assumeIsolatedUnsafeUnchecked().scheduleTask(in: amount) { [self] in
            bodyDeadline = nil
            // The body did not arrive in time (or, while draining, the rest of it): give up on it.
            if endsRead < headsRead || draining { context.close(promise: nil) }
        }
    }

    private func cancelBodyDeadline() {
        bodyDeadline?.cancel()
        bodyDeadline = nil
    }
}

@available(*, unavailable)
extension ConnectionGuard: Sendable {}
