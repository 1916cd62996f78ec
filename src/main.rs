fn main() {
    std::process::exit(obsdebt::cli::main(std::env::args_os()));
}
