extension LWWSet {
    /// Calls `body` with every entry as the write that recreates it: for each key (in the
    /// order the set first saw them) the add set's entries as inserts, then the remove set's
    /// as deletes, each lowest score first, with borrowed bytes valid only during the call.
    /// Replaying them into an empty set of the same `maxSize` gives an equal set (a snapshot).
    public func forEachEntry<Failure: Error>(
        _ body: (WriteKind, _ key: UnsafeRawBufferPointer, _ score: Double, _ member: UnsafeRawBufferPointer) throws(Failure) -> Void
    ) throws(Failure) {
        for number in 0 ..< keys.count {
            try withKey(number) { (key) throws(Failure) in
                try unsafeState(number).pointee.add.visitAscending { (score, member) throws(Failure) in
                    try body(.insert, key, score, member)
                }
                try unsafeState(number).pointee.remove.visitAscending { (score, member) throws(Failure) in
                    try body(.delete, key, score, member)
                }
            }
        }
    }
}
