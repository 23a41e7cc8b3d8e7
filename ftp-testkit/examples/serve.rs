//! Runs the embedded libunftp server until standard input closes (or for `--seconds N`), for
//! trying a client by hand: `cargo run -p ftp-testkit --example serve -- [--ftps] [--seconds N]`.
//!
//! It prints the address, the served directory and, with `--ftps`, the path of a CA file to
//! trust. Any user name and password log in with write access: loopback only.

use ftp_testkit::embedded::EmbeddedServer;
use std::io::Read;
use std::time::Duration;

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ftps = args.iter().any(|a| a == "--ftps");
    let seconds = args
        .iter()
        .position(|a| a == "--seconds")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse::<u64>().ok());
    let builder = EmbeddedServer::builder();
    let server = if ftps {
        builder.ftps().tls13()
    } else {
        builder
    }
    .start()?;
    println!("addr {}", server.addr());
    println!("root {}", server.root().display());
    let ca_file = std::env::temp_dir().join(format!("ftp-testkit-ca-{}.pem", server.addr().port()));
    if let Some(ca) = server.ca_cert_pem() {
        std::fs::write(&ca_file, ca)?;
        println!("ca {}", ca_file.display());
    }
    match seconds {
        Some(s) => std::thread::sleep(Duration::from_secs(s)),
        None => {
            // Serve until standard input reaches its end (Ctrl-D, or the parent closes it).
            let mut sink = Vec::new();
            std::io::stdin().take(1 << 20).read_to_end(&mut sink)?;
        }
    }
    if ftps {
        std::fs::remove_file(&ca_file)?;
    }
    Ok(())
}
