import CRingside
import LWWSet

extension LWWSet {
    /// The lab's batched writes: applies writes `0 ..< count` (`write(i)` makes the i-th) in
    /// batches of `batch.count`, each batch filled into `batch` and applied with one
    /// `write(_:outcome:)` call, as the server applies what a ring read returned. Sinks the
    /// number applied (so the work cannot be optimised away) and throws the last failure.
    mutating func writeInBatches(
        _ count: Int, through batch: UnsafeMutableBufferPointer<BorrowedWrite>, _ write: (Int) -> BorrowedWrite
    ) throws(LWWSetError) {
        var applied: UInt64 = 0
        var failure: LWWSetError?
        for start in stride(from: 0, to: count, by: batch.count) {
            let size = Swift.min(batch.count, count - start)
            for i in start ..< start + size { batch[i - start] = write(i) }
            self.write(UnsafeBufferPointer(rebasing: batch[..<size])) { _, result in
                switch result {
                case .success(let outcome): if outcome.isApplied { applied += 1 }
                case .failure(let error): failure = error
                }
            }
        }
        if let failure { throw failure }
        ringside_opaque_sink_u64(applied)
    }
}
