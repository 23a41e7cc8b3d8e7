//! Drives the sans-IO client by hand over plain std sockets: logs in anonymously, lists a
//! directory (MLSD entries parsed by the core) and downloads a file:
//! `cargo run -p ftp-proto --example driver -- 127.0.0.1:21990 some-file.txt`
use ftp_proto::client::{FromOutcome, Op};
use ftp_proto::{ListingItem::Mlsd, *};
use std::io::{ErrorKind::TimedOut, ErrorKind::WouldBlock, Read, Write};
use std::{net::TcpStream, time::Duration, time::Instant};
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
/// How long a socket may wait: until the core's next deadline (`None`: no limit).
fn wait(client: &Client) -> Option<Duration> {
    let left = client
        .poll_timeout()?
        .saturating_duration_since(Instant::now());
    Some(left.max(Duration::from_millis(1)))
}
/// Runs the drive loop until operation `op` finishes, and returns its typed result.
fn run<T: FromOutcome>(op: Op<T>, client: &mut Client, ctl: &mut TcpStream) -> Result<T> {
    let (mut actions, mut result, mut buf) = (Vec::new(), None, vec![0; 65536]);
    let mut data: Option<TcpStream> = None;
    loop {
        loop {
            match client.poll_output() {
                Output::Idle => break,
                Output::Send(t) => ctl
                    .write_all(&t.bytes)
                    .map(|_| println!("-> {}", t.display))?,
                Output::Event(Event::Reply(r)) => println!("<- {r}"),
                Output::Event(Event::Entry { entry: Mlsd(e), .. }) => {
                    println!("  {}", e.name_lossy())
                }
                Output::Event(Event::Finished { op: id, result: r }) if id == op.id() => {
                    result = Some(r)
                }
                Output::Action(a) => actions.push(a),
                _ => {}
            }
        }
        // Then one change: an action's result, the outcome, the next input or the clock.
        let now = Instant::now;
        if !actions.is_empty() {
            match actions.remove(0) {
                Action::ConnectData { addr } => {
                    let limit = wait(client).unwrap_or(Duration::MAX);
                    match TcpStream::connect_timeout(&addr, limit) {
                        Ok(s) => {
                            let (local, peer) = (s.local_addr()?, s.peer_addr()?);
                            data = Some(s);
                            client.handle_data(DataEvent::Connected { local, peer }, now());
                        }
                        Err(e) if e.kind() == TimedOut => client.handle_timeout(now()),
                        Err(e) => client.handle_data(failed(DataFailure::Connect, e), now()),
                    }
                }
                Action::StartData { announced_size } => {
                    let mut s = data.take().ok_or("no data connection")?;
                    let mut total = 0;
                    let event = loop {
                        s.set_read_timeout(wait(client))?; // until the core's DataIdle deadline
                        match s.read(&mut buf) {
                            Ok(0) => break Some(DataEvent::Finished { bytes: total }),
                            Ok(n) => {
                                total += n as u64; // parsed or not, the bytes are progress
                                client.handle_data_input(&buf[..n], now());
                            }
                            Err(e) if matches!(e.kind(), WouldBlock | TimedOut) => break None,
                            Err(e) => break Some(failed(DataFailure::Io, e)),
                        }
                    };
                    println!("   ({total} bytes, {announced_size:?} announced)");
                    match event {
                        Some(event) => client.handle_data(event, now()),
                        None => client.handle_timeout(now()), // DataIdle: the core gives up
                    }
                }
                Action::CloseData | Action::CloseAll => data = None,
                other => return Err(format!("this example does not do {other:?}").into()),
            }
        } else if let Some(r) = result.take() {
            return Ok(op.result(r)?);
        } else {
            ctl.set_read_timeout(wait(client))?;
            match ctl.read(&mut buf) {
                Ok(0) => client.handle_control_eof(),
                Ok(n) => client.handle_control_input(&buf[..n], now()),
                Err(e) if matches!(e.kind(), WouldBlock | TimedOut) => client.handle_timeout(now()),
                Err(e) => return Err(e.into()),
            }
        }
    }
}
fn failed(kind: DataFailure, e: std::io::Error) -> DataEvent {
    let message = e.to_string();
    DataEvent::Failed { kind, message }
}
fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or("127.0.0.1:21990".into()).parse()?;
    let file = Arg::try_from(args.next().unwrap_or("README.txt".into()))?;
    let mut ctl = TcpStream::connect_timeout(&addr, Duration::from_secs(30))?;
    let (mut client, now) = (Client::new(Config::default()), Instant::now);
    let op = client.connect(ctl.local_addr()?, ctl.peer_addr()?, now())?;
    println!("{}", run(op, &mut client, &mut ctl)?);
    run(
        client.login_with(Credentials::anonymous(), now())?,
        &mut client,
        &mut ctl,
    )?;
    run(
        client.transfer(TransferRequest::mlsd(None), now())?,
        &mut client,
        &mut ctl,
    )?;
    let done = run(
        client.transfer(TransferRequest::retr(file), now())?,
        &mut client,
        &mut ctl,
    )?;
    println!(
        "{done:?}\n{:?}",
        run(client.quit(now())?, &mut client, &mut ctl)?
    );
    Ok(())
}
