/// Every `ringside` subcommand, in the order `ringside --help` lists them.
let allCommands: [Command] = [
    .contention,
    .lww,
    .serve,
    .stat,
]
