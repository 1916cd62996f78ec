//! `cargo obsdebt …`: cargo runs `cargo-obsdebt obsdebt …`; drop the repeated name.

fn main() {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_some_and(|a| a == "obsdebt") {
        args.remove(1);
    }
    std::process::exit(obsdebt::cli::main(args));
}
