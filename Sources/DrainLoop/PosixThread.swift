import Glibc

/// A joinable POSIX thread that runs one closure: the agent runner's thread and the
/// counting demo's workers (module Counting: hence `package`). Join it exactly once.
package struct PosixThread {
    /// `pthread_create` refused: the error number it returned (EAGAIN: thread limit reached).
    package struct StartFailure: Error {
        /// The error number.
        package let code: Int32
    }

    private let handle: pthread_t

    /// Starts a thread that runs `body`.
    package static func spawn(_ body: sending @escaping () -> Void) throws(StartFailure) -> PosixThread {
        let start = ThreadStart(body: body)
        let context = Unmanaged.passRetained(start).toOpaque()
        var handle = pthread_t()
        let code = pthread_create(&handle, nil, { context in
            let start = Unmanaged<ThreadStart>.fromOpaque(context!).takeRetainedValue()
            start.run()
            return nil
        }, context)
        guard code == 0 else {
            Unmanaged<ThreadStart>.fromOpaque(context).release()
            throw StartFailure(code: code)
        }
        return PosixThread(handle: handle)
    }

    /// Waits for the thread to end.
    package func join() {
        pthread_join(handle, nil)
    }
}

/// What a new thread runs, handed over through `pthread_create`'s context pointer.
private final class ThreadStart {
    let run: () -> Void

    init(body: @escaping () -> Void) {
        run = body
    }
}
