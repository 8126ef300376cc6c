//! The `accord` command: everything happens in [`accord::cli::run`].

fn main() -> std::process::ExitCode {
    accord::cli::run()
}
