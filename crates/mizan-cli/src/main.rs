//! The `mizan` command line: create a new application, administer the users of a `mizan-accounts` database, generate the
//! TypeScript client, mint and verify Mizan Web Tokens, derive cache and permission keys, and
//! canonicalize JSON, with the same code the server uses.

mod commands;
mod generate;
mod new;
mod users;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = commands::Cli::parse();
    match commands::run(cli) {
        Ok(output) => {
            println!("{output}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("error[{}]: {}", failure.code, failure.message);
            ExitCode::FAILURE
        }
    }
}
