//! The `shopops` command.

fn main() -> std::process::ExitCode {
    shopops::cli::run()
}
