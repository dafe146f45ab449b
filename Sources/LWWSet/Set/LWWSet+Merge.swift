extension LWWSet {
    /// Merges another replica into this one: every entry of `other`'s add sets is applied
    /// as an insert and every entry of its remove sets as a delete, by the usual rules
    /// (key by key in the order `other` first saw them; within a key, the add set then the
    /// remove set, each lowest score first).
    ///
    /// When no set reaches `maxSize`, merging is commutative, associative and idempotent:
    /// replicas that have merged each other's writes hold the same entries. With a bound in
    /// play, the outcome depends on order, as the writes themselves do.
    public mutating func merge(_ other: LWWSet) throws(LWWSetError) {
        for number in 0 ..< other.keys.count {
            try other.withKey(number) { (key) throws(LWWSetError) in
                try other.unsafeState(number).pointee.add.visitAscending { (score, member) throws(LWWSetError) in
                    _ = try write(.insert, rawKey: key, score: score, rawMember: member)
                }
                try other.unsafeState(number).pointee.remove.visitAscending { (score, member) throws(LWWSetError) in
                    _ = try write(.delete, rawKey: key, score: score, rawMember: member)
                }
            }
        }
    }
}
