extension ConnectionCore {
    /// Called under the mutex by a reader whose reads found nothing for a while (the ticker,
    /// a blocking stream reader): the carrier's announced sleep, to be slept once the caller
    /// has released the mutex (a caller sharing the connection, an insert on another thread,
    /// never waits behind an idle reader), or nil to read again now (a carrier that cannot
    /// sleep apart from `waitForWork` has waited there, holding the mutex at most 2 ms). A
    /// failure fails the connection and answers nil.
    func prepareIdleWait(timeout: Duration) -> CarrierSleep? {
        guard failure == nil else { return nil }
        do {
            return try carrier.prepareSleep(timeout: timeout)
        } catch {
            fail(error)
            return nil
        }
    }
}
