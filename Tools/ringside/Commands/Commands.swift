/// Every `ringside` subcommand, in the order `ringside --help` lists them.
let allCommands: [Command] = [
    .serve,
    .insert,
    .delete,
    .select,
    .tail,
    .load,
    .stat,
    .contention,
    .lww,
]

/// Subcommands that `ringside --help` does not list: helpers the tool starts itself.
let hiddenCommands: [Command] = [
    .loadProducer,
]
