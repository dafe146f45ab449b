import Posix

extension ChildProcess {
    /// The path of the running executable (`/proc/self/exe`): the lab re-executes itself for
    /// its peer roles.
    public static func currentExecutable() throws(SystemCallError) -> String {
        try Sys.readLink("/proc/self/exe")
    }

    /// The path of the helper executable `name` built next to the running test bundle or
    /// lab binary (SwiftPM puts every product of a build in one folder).
    public static func executable(named name: String) throws(SystemCallError) -> String {
        let current = try currentExecutable()
        let folder = current[..<(current.lastIndex(of: "/") ?? current.startIndex)]
        return folder + "/" + name
    }
}
