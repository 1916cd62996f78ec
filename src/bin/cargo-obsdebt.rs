//! `cargo obsdebt …`: cargo runs `cargo-obsdebt obsdebt …`; drop the repeated name.

/// mimalloc: obsdebt allocates and frees many small syntax-tree nodes from several threads at
/// once, where glibc's allocator spends a third of the run (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "obsdebt") {
        args.remove(1);
    }
    std::process::exit(obsdebt::cli::main(args));
}
