//! `redis-enterprise`: every operation of the Redis Software REST API from a shell, built at run
//! time from the spec the client was generated from (see the crate README). This file only
//! parses, runs and maps the outcome to an exit code.

mod cli;
mod connect;
mod exit;
mod model;
mod output;
mod run;

use std::process::ExitCode;

fn main() -> ExitCode {
    let matches = match cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            // Help and version print to stdout and succeed; real usage errors exit 2.
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _printed = e.print();
            return ExitCode::from(code);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            exit::Failure::local(format!("cannot start the runtime: {e}")).print();
            return ExitCode::from(exit::LOCAL);
        }
    };
    match runtime.block_on(run::run(&matches)) {
        Ok(()) => ExitCode::from(exit::OK),
        Err(failure) => {
            failure.print();
            ExitCode::from(failure.code)
        }
    }
}
