/// mimalloc: obsdebt allocates and frees many small syntax-tree nodes from several threads at
/// once, where glibc's allocator spends a third of the run (see README, Performance).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(obsdebt::cli::main(std::env::args_os()));
}
