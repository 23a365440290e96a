//! `mizan generate`: the manifest, from a file or a running server, into TypeScript.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use crate::commands::Failure;

/// Where the manifest comes from and where the code goes.
#[derive(Debug, Args)]
pub(crate) struct GenerateArgs {
    /// A manifest file (`-` for standard input).
    #[arg(long, conflicts_with = "url", required_unless_present = "url")]
    manifest: Option<PathBuf>,
    /// A running server's manifest, such as http://127.0.0.1:8000/api/mizan/manifest (plain HTTP).
    #[arg(long)]
    url: Option<String>,
    /// The folder to write into; created when missing.
    #[arg(long)]
    out: PathBuf,
    /// Write nothing; fail, naming the files, when the folder is not what would be generated.
    #[arg(long)]
    check: bool,
}

pub(crate) fn run(args: GenerateArgs) -> Result<String, Failure> {
    let text = match (&args.manifest, &args.url) {
        (Some(path), _) if path.as_os_str() == "-" => {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure::new("io", e))?;
            text
        }
        (Some(path), _) => std::fs::read_to_string(path)
            .map_err(|e| Failure::new("io", format!("{}: {e}", path.display())))?,
        (None, Some(url)) => fetch(url)?,
        (None, None) => return Err(Failure::new("usage", "give --manifest or --url")),
    };
    let manifest =
        mizan_codegen::read_manifest(&text).map_err(|e| Failure::new("invalid_manifest", e))?;
    let files = mizan_codegen::generate(&manifest).map_err(|e| Failure::new("generate", e))?;
    if args.check {
        let stale = mizan_codegen::stale_files(&manifest, &args.out)
            .map_err(|e| Failure::new("generate", e))?;
        if !stale.is_empty() {
            return Err(Failure::new(
                "stale_client",
                format!(
                    "{} in {} differ from what the manifest generates; run `mizan generate` without --check",
                    stale.join(", "),
                    args.out.display()
                ),
            ));
        }
        return Ok(format!(
            "{} files in {} are up to date",
            files.len(),
            args.out.display()
        ));
    }
    let written =
        mizan_codegen::generate_into(&manifest, &args.out).map_err(|e| Failure::new("io", e))?;
    Ok(format!(
        "{} files in {} ({} changed)",
        files.len(),
        args.out.display(),
        written.len()
    ))
}

/// A plain HTTP/1.1 GET: enough for a development server on loopback, without a TLS stack.
fn fetch(url: &str) -> Result<String, Failure> {
    let bad_url = || Failure::new("usage", "--url must look like http://host:port/path");
    let rest = url.strip_prefix("http://").ok_or_else(bad_url)?;
    let (authority, path) = rest
        .split_once('/')
        .map_or((rest, "/".to_owned()), |(a, p)| (a, format!("/{p}")));
    let address = if authority.contains(':') {
        authority.to_owned()
    } else {
        format!("{authority}:80")
    };
    let io = |e: std::io::Error| Failure::new("io", format!("{url}: {e}"));
    let mut stream = TcpStream::connect(&address).map_err(io)?;
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .map_err(io)?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nAccept: application/json\r\nConnection: close\r\n\r\n").map_err(io)?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(io)?;
    let response = String::from_utf8(response).map_err(|e| Failure::new("io", e))?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| Failure::new("io", "no HTTP response"))?;
    if !head.starts_with("HTTP/1.1 200") {
        return Err(Failure::new(
            "io",
            format!("{url}: {}", head.lines().next().unwrap_or("")),
        ));
    }
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        return Err(Failure::new(
            "io",
            "chunked responses are not supported; use --manifest",
        ));
    }
    Ok(body.to_owned())
}
