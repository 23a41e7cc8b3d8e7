//! The session of Python ftplib's documentation, through this crate, against an FTP server
//! started in this process (libunftp on a temporary directory and a free loopback port):
//!
//! ```sh
//! cargo run -p ftp-blocking --example demo
//! ```
//!
//! It connects, logs in, changes directory, lists, downloads README, uploads a file, lists
//! with MLSD, asks a size, renames, deletes and quits, printing each reply. Nothing to set up.
//! (The embedded server lets any user in with write access: fine on loopback, never elsewhere.)

use std::error::Error;

use ftp_blocking::Ftp;
use ftp_testkit::embedded::EmbeddedServer;

const README: &str = "\
This is the README of the demo server.
It was written by examples/demo.rs into the server's root before the session began.
";

fn main() -> Result<(), Box<dyn Error>> {
    let server = EmbeddedServer::start()?;
    std::fs::write(server.root().join("README"), README)?;
    std::fs::create_dir(server.root().join("pub"))?;
    std::fs::write(server.root().join("pub").join("notes.txt"), "notes\n")?;
    let addr = server.addr();
    println!(
        "# embedded FTP server on {addr}, root {}",
        server.root().display()
    );

    // ftp = FTP('ftp.example.org')
    let mut ftp = Ftp::connect(&addr.ip().to_string(), addr.port())?;
    println!("{}", ftp.getwelcome());
    // ftp.login()
    println!("{}", ftp.login("anonymous", "", "")?);
    // ftp.cwd('pub'), and back
    println!("{}", ftp.cwd("pub")?);
    println!("# PWD: {}", ftp.pwd()?);
    println!("{}", ftp.cwd("/")?);
    // ftp.retrlines('LIST')
    let reply = ftp.dir(&[], |line| println!("{line}"))?;
    println!("{reply}");
    // with open('README', 'wb') as fp: ftp.retrbinary('RETR README', fp.write)
    let mut readme = Vec::new();
    let reply = ftp.retrbinary(
        "RETR README",
        |chunk| readme.extend_from_slice(chunk),
        8192,
        None,
    )?;
    print!("{}", String::from_utf8_lossy(&readme));
    println!("{reply}");
    // ftp.storbinary('STOR hello.txt', fp)
    let mut upload = &b"Hello from ftp-blocking!\n"[..];
    println!(
        "{}",
        ftp.storbinary("STOR hello.txt", &mut upload, 8192, None, None)?
    );
    // for name, facts in ftp.mlsd(): ...
    let mut listing = ftp.mlsd("", &[])?;
    for entry in listing.by_ref() {
        let entry = entry?;
        let facts = entry.facts();
        println!(
            "{:<12} type={:<5} size={}",
            entry.name_lossy(),
            facts
                .get("type")
                .map(String::from_utf8_lossy)
                .unwrap_or_default(),
            facts
                .size()
                .map_or_else(|| "-".to_owned(), |s| s.to_string())
        );
    }
    if let Some(reply) = listing.reply() {
        println!("{reply}");
    }
    drop(listing);
    // ftp.size('hello.txt')
    println!("# SIZE hello.txt: {:?}", ftp.size("hello.txt")?);
    // ftp.rename('hello.txt', 'greeting.txt')
    println!("{}", ftp.rename("hello.txt", "greeting.txt")?);
    // ftp.delete('greeting.txt')
    println!("{}", ftp.delete("greeting.txt")?);
    // ftp.quit()
    println!("{}", ftp.quit()?);
    Ok(())
}
