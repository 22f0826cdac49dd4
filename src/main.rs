//! The `sladd` binary: a thin shell over the library (see `sladd::cli`).

fn main() {
    std::process::exit(sladd::cli::main());
}
