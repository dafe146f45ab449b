import CRingside
import Glibc

extension SystemCall {
    /// `epoll_create1(2)`.
    public static let epollCreate1 = SystemCall("epoll_create1")
    /// `epoll_ctl(2)`.
    public static let epollCtl = SystemCall("epoll_ctl")
    /// `epoll_wait(2)`.
    public static let epollWait = SystemCall("epoll_wait")
    /// `eventfd(2)`.
    public static let eventfd = SystemCall("eventfd")
}

extension Sys {
    /// `epoll_create1(2)` with `EPOLL_CLOEXEC`.
    public static func epollCreate() throws(SystemCallError) -> Int32 {
        try SystemCall.epollCreate1.run { epoll_create1(Int32(EPOLL_CLOEXEC)) }
    }

    /// `epoll_ctl(2)`: `operation` (`EPOLL_CTL_ADD`, `_MOD`, `_DEL`) for `descriptor` with
    /// the interest `events` (`EPOLLIN | EPOLLET ...`) and the tag `data` returned with them.
    public static func epollControl(
        _ epoll: Int32, _ operation: Int32, _ descriptor: Int32, events: UInt32, data: UInt64
    ) throws(SystemCallError) {
        var event = epoll_event()
        event.events = events
        event.data.u64 = data
        _ = try SystemCall.epollCtl.run { epoll_ctl(epoll, operation, descriptor, &event) }
    }

    /// `epoll_wait(2)` into `events` (up to its count), at most `timeoutMilliseconds` (-1: no
    /// limit): how many are ready. An interrupted wait returns 0 (the caller loops anyway).
    public static func epollWait(
        _ epoll: Int32, _ events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32
    ) throws(SystemCallError) -> Int {
        do throws(SystemCallError) {
            return Int(try SystemCall.epollWait.run(retryOnInterrupt: false) {
                epoll_wait(epoll, events.baseAddress, Int32(clamping: events.count), timeoutMilliseconds)
            })
        } catch where error.errno == .interrupted {
            return 0
        }
    }

    /// `eventfd(2)` with `EFD_CLOEXEC` added to `flags` (`EFD_NONBLOCK`, `EFD_SEMAPHORE`).
    public static func eventfd(initialValue: UInt32 = 0, flags: Int32) throws(SystemCallError) -> Int32 {
        try SystemCall.eventfd.run { CRingside.eventfd(initialValue, flags | Int32(EFD_CLOEXEC)) }
    }

    /// Adds 1 to an eventfd's counter (wakes a waiter in `epoll_wait` or `poll`). A full
    /// counter (`EAGAIN` on a non-blocking eventfd) already means a wake-up is pending.
    public static func eventfdSignal(_ descriptor: Int32) throws(SystemCallError) {
        var one: UInt64 = 1
        do throws(SystemCallError) {
            _ = try withUnsafeBytes(of: &one) { bytes throws(SystemCallError) in try write(descriptor, bytes) }
        } catch where error.errno == .wouldBlock {
            return
        }
    }
}
