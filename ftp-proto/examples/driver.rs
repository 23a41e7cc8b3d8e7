//! Drives the sans-IO client by hand over plain std sockets: logs in anonymously, lists a
//! directory (MLSD entries parsed by the core) and downloads a file:
//! `cargo run -p ftp-proto --example driver -- 127.0.0.1:21990 some-file.txt`
use ftp_proto::{ListingItem::Mlsd, *};
use std::{io::ErrorKind, io::Read, io::Write, net::TcpStream, time::Duration};
type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;
const T30: Duration = Duration::from_secs(30);
/// Runs the drive loop until the current operation finishes, and returns its outcome. The
/// control read timeout stands in for the armed timer.
fn run(client: &mut Client, ctl: &mut TcpStream, data: &mut Option<TcpStream>) -> Result<Outcome> {
    let (mut actions, mut result, mut timer, mut buf) = (Vec::new(), None, None, vec![0; 65536]);
    loop {
        loop {
            match client.poll_output() {
                Output::Idle => break,
                Output::Send(t) => ctl
                    .write_all(&t.bytes)
                    .map(|_| println!("-> {}", t.display))?,
                Output::Timer(TimerUpdate::Arm { timer: t, after }) => {
                    timer = ctl.set_read_timeout(Some(after)).map(|_| Some(t))?
                }
                Output::Event(Event::Reply(r)) => println!("<- {r}"),
                Output::Event(Event::Entry { entry: Mlsd(e), .. }) => {
                    println!("   {}", e.name_lossy())
                }
                Output::Event(Event::Finished { result: r, .. }) => result = Some(r),
                Output::Action(a) => actions.push(a),
                _ => {}
            }
        }
        // Then one change: an action's result, the outcome, or the next control input.
        if !actions.is_empty() {
            match actions.remove(0) {
                Action::ConnectData { addr } => match TcpStream::connect_timeout(&addr, T30) {
                    Ok(s) => {
                        let (local, peer) = (s.local_addr()?, s.peer_addr()?);
                        *data = Some(s);
                        client.handle_data(DataEvent::Connected { local, peer });
                    }
                    Err(e) => client.handle_data(failed(DataFailure::Connect, e)),
                },
                Action::StartData { announced_size } => {
                    let mut s = data.take().ok_or("no data connection")?;
                    s.set_read_timeout(Some(Duration::from_secs(60)))?; // the DataIdle timer
                    let mut total = 0;
                    let event = loop {
                        match s.read(&mut buf) {
                            Ok(0) => break DataEvent::Finished { bytes: total },
                            Ok(n) => {
                                total += n as u64;
                                client.handle_data_input(&buf[..n]); // used by parsed sinks only
                            }
                            Err(e) => break failed(DataFailure::Io, e),
                        }
                    };
                    println!("   ({total} bytes, {announced_size:?} announced)");
                    client.handle_data(event);
                }
                Action::CloseData | Action::CloseAll => *data = None,
                other => return Err(format!("this example does not do {other:?}").into()),
            }
        } else if let Some(r) = result.take() {
            return Ok(r?);
        } else {
            match ctl.read(&mut buf) {
                Ok(0) => client.handle_control_eof(),
                Ok(n) => client.handle_control_input(&buf[..n]),
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    client.handle_timeout(timer.ok_or("no timer armed")?)
                }
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
    let (mut ctl, mut data) = (TcpStream::connect_timeout(&addr, T30)?, None);
    let mut client = Client::new(Config::default());
    macro_rules! step {
        ($request:expr) => {{
            $request?;
            run(&mut client, &mut ctl, &mut data)?
        }};
    }
    step!(client.connect(ctl.local_addr()?, ctl.peer_addr()?));
    step!(client.login_with(Credentials::anonymous()));
    step!(client.transfer(TransferRequest::mlsd(None)));
    println!("{:?}", step!(client.transfer(TransferRequest::retr(file))));
    step!(client.quit());
    Ok(())
}
