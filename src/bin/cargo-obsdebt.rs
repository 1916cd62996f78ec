//! `cargo obsdebt …`: cargo runs `cargo-obsdebt obsdebt …`; drop the repeated name. Without a
//! subcommand it runs `check`.

/// mimalloc: obsdebt allocates and frees many small syntax-tree nodes from several threads at
/// once, where glibc's allocator spends a third of the run (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "obsdebt") {
        args.remove(1);
    }
    // `cargo obsdebt` alone checks the current directory, as `cargo clippy` does.
    if args.len() == 1 {
        args.push("check".into());
    }
    std::process::exit(obsdebt::cli::main(args));
}
