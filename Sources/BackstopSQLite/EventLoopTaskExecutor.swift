import NIOCore
import NIOPosix

/// Runs tasks on a NIO event loop instead of the cooperative threads: for the store's write
/// transactions and the task that hands a batch's parts to the writer (`PartHandOver.take`).
/// On the cooperative threads each of them waited for one of those threads, and they were all
/// reading the batch's next part: a transaction started milliseconds late, and the writer got
/// each part up to a part's reading late, and sat idle meanwhile.
///
/// The loop is a thread of the process's own (one for every store it opens, as NIO's own
/// singleton threads are), not one of the loops that serve the network: a transaction's body
/// may compute between its statements.
final class EventLoopTaskExecutor: TaskExecutor, @unchecked Sendable {
    static let writer = EventLoopTaskExecutor(MultiThreadedEventLoopGroup(numberOfThreads: 1).next())

    private let loop: any EventLoop

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
