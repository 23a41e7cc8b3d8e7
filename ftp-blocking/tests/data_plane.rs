//! The data plane over loopback TCP: every method moves every byte, the fallbacks, the idle
//! timeout, cancellation from another thread.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::thread;
use std::time::Duration;

use ftp_blocking::data::{
    Cancel, DataOptions, Method, copy, download_file_with, receive_file, send_file,
    upload_file_with,
};
use ftp_blocking::error::{TransportError, Wait};

const IDLE: Duration = Duration::from_secs(60);

fn temp_path(tag: &str) -> PathBuf {
    let mut p = std::env::temp_dir();
    p.push(format!(
        "ftp-blocking-test-{}-{tag}-{:?}",
        std::process::id(),
        thread::current().id()
    ));
    p
}

struct TempFile(PathBuf);
impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

/// Deterministic, non-repeating-looking content.
fn pattern(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x1234_5678;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

fn pair() -> (TcpStream, TcpStream) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    let (s, _) = l.accept().unwrap();
    (c, s)
}

/// A peer that reads everything and returns it.
fn sink(mut s: TcpStream) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut v = Vec::new();
        s.read_to_end(&mut v).unwrap();
        v
    })
}

fn upload_round_trip(method: Method, len: usize, offset: u64) {
    let content = pattern(len);
    let tf = TempFile(temp_path(&format!("up-{method:?}-{len}-{offset}")));
    std::fs::write(&tf.0, &content).unwrap();
    let mut file = File::open(&tf.0).unwrap();
    file.seek(SeekFrom::Start(offset)).unwrap();
    let (client, server) = pair();
    let got = sink(server);
    let mut last = 0;
    let mut progress = |n: u64| {
        assert!(n > last, "progress goes forward");
        last = n;
    };
    let sent = upload_file_with(
        method,
        &mut file,
        &client,
        DataOptions::new(IDLE).progress(&mut progress),
    )
    .unwrap();
    client.shutdown(std::net::Shutdown::Write).unwrap();
    let got = got.join().unwrap();
    assert_eq!(sent, (len as u64) - offset);
    assert_eq!(last, sent, "the last progress report is the total");
    assert!(got == content[offset as usize..], "content differs");
}

fn download_round_trip(method: Method, len: usize, append: bool) {
    let content = pattern(len);
    let tf = TempFile(temp_path(&format!("down-{method:?}-{len}-{append}")));
    let prefix = b"existing-";
    let mut file = if append {
        std::fs::write(&tf.0, prefix).unwrap();
        OpenOptions::new().append(true).open(&tf.0).unwrap()
    } else {
        File::create(&tf.0).unwrap()
    };
    let (client, mut server) = pair();
    let c2 = content.clone();
    let t = thread::spawn(move || {
        server.write_all(&c2).unwrap();
    });
    let got = download_file_with(method, &client, &mut file, DataOptions::new(IDLE)).unwrap();
    t.join().unwrap();
    drop(file);
    assert_eq!(got, len as u64);
    let on_disk = std::fs::read(&tf.0).unwrap();
    let expected: Vec<u8> = if append {
        prefix.iter().chain(content.iter()).copied().collect()
    } else {
        content
    };
    assert!(on_disk == expected, "file content differs");
}

macro_rules! round_trips {
    ($($name:ident: $body:expr;)*) => { $( #[test] fn $name() { $body } )* };
}

round_trips! {
    zero_copy_upload_sends_a_whole_odd_sized_file: upload_round_trip(Method::ZeroCopy, 3 * (1 << 20) + 12_345, 0);
    copy_upload_sends_a_whole_odd_sized_file: upload_round_trip(Method::Copy, 3 * (1 << 20) + 12_345, 0);
    zero_copy_upload_starts_at_the_file_position: upload_round_trip(Method::ZeroCopy, 100_000, 4_321);
    copy_upload_starts_at_the_file_position: upload_round_trip(Method::Copy, 100_000, 4_321);
    zero_copy_upload_of_an_empty_file_sends_nothing: upload_round_trip(Method::ZeroCopy, 0, 0);
    zero_copy_download_receives_a_whole_odd_sized_stream: download_round_trip(Method::ZeroCopy, 3 * (1 << 20) + 777, false);
    copy_download_receives_a_whole_odd_sized_stream: download_round_trip(Method::Copy, 3 * (1 << 20) + 777, false);
    zero_copy_download_into_an_append_mode_file_falls_back_and_appends: download_round_trip(Method::ZeroCopy, 500_000, true);
    zero_copy_download_of_an_empty_stream_writes_nothing: download_round_trip(Method::ZeroCopy, 0, false);
}

#[test]
fn copy_with_a_tiny_buffer_moves_every_byte_and_reports_each_chunk() {
    let content = pattern(1000);
    let mut out = Vec::new();
    let mut reports = Vec::new();
    let mut progress = |n: u64| reports.push(n);
    let n = copy(
        &mut &content[..],
        &mut out,
        DataOptions::new(IDLE)
            .buffer_size(7)
            .progress(&mut progress),
    )
    .unwrap();
    assert_eq!(n, 1000);
    assert_eq!(out, content);
    assert_eq!(reports.len(), 1000usize.div_ceil(7));
    assert_eq!(reports.last(), Some(&1000));
}

#[test]
fn zero_idle_timeout_is_refused_by_every_path() {
    let (client, _server) = pair();
    let tf = TempFile(temp_path("zero"));
    std::fs::write(&tf.0, b"x").unwrap();
    let mut f = File::open(&tf.0).unwrap();
    let zero = || DataOptions::new(Duration::ZERO);
    assert!(matches!(
        send_file(&mut f, &client, zero()),
        Err(TransportError::ZeroTimeout { .. })
    ));
    let mut w = File::create(temp_path("zero-out")).unwrap();
    let _cleanup = TempFile(temp_path("zero-out"));
    assert!(matches!(
        receive_file(&client, &mut w, zero()),
        Err(TransportError::ZeroTimeout { .. })
    ));
    assert!(matches!(
        copy(&mut &b"x"[..], &mut Vec::new(), zero()),
        Err(TransportError::ZeroTimeout { .. })
    ));
}

fn assert_idle_timeout(r: Result<u64, TransportError>) {
    match r {
        Err(TransportError::Timeout {
            wait: Wait::DataIdle,
            ..
        }) => {}
        other => panic!("expected a data idle timeout, got {other:?}"),
    }
}

#[test]
fn download_from_a_silent_server_ends_with_a_data_idle_timeout() {
    for method in [Method::ZeroCopy, Method::Copy] {
        let (client, _server) = pair();
        let tf = TempFile(temp_path(&format!("silent-{method:?}")));
        let mut f = File::create(&tf.0).unwrap();
        let r = download_file_with(
            method,
            &client,
            &mut f,
            DataOptions::new(Duration::from_millis(50)),
        );
        assert_idle_timeout(r);
    }
}

#[test]
fn upload_to_a_server_that_stops_reading_ends_with_a_data_idle_timeout() {
    // 64 MiB is far more than loopback socket buffers hold.
    let tf = TempFile(temp_path("stuck-up"));
    std::fs::write(&tf.0, vec![7u8; 64 << 20]).unwrap();
    for method in [Method::ZeroCopy, Method::Copy] {
        let (client, server) = pair();
        socket2::SockRef::from(&server)
            .set_recv_buffer_size(4096)
            .unwrap();
        let mut f = File::open(&tf.0).unwrap();
        let r = upload_file_with(
            method,
            &mut f,
            &client,
            DataOptions::new(Duration::from_millis(100)),
        );
        assert_idle_timeout(r);
        drop(server);
    }
}

#[test]
fn cancel_from_another_thread_wakes_a_blocked_download() {
    for method in [Method::ZeroCopy, Method::Copy] {
        let (client, _server) = pair();
        let cancel = Cancel::new();
        cancel.attach(&client).unwrap();
        let remote = cancel.clone();
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            remote.cancel();
        });
        let tf = TempFile(temp_path(&format!("cancel-{method:?}")));
        let mut f = File::create(&tf.0).unwrap();
        // The idle timeout is far away: only the cancellation can end this.
        let r = download_file_with(
            method,
            &client,
            &mut f,
            DataOptions::new(Duration::from_secs(3600)).cancel(&cancel),
        );
        t.join().unwrap();
        assert!(
            matches!(r, Err(TransportError::Cancelled)),
            "{method:?}: {r:?}"
        );
    }
}

#[test]
fn cancel_from_another_thread_wakes_a_blocked_upload() {
    let tf = TempFile(temp_path("cancel-up"));
    std::fs::write(&tf.0, vec![1u8; 64 << 20]).unwrap();
    for method in [Method::ZeroCopy, Method::Copy] {
        let (client, server) = pair();
        socket2::SockRef::from(&server)
            .set_recv_buffer_size(4096)
            .unwrap();
        let cancel = Cancel::new();
        cancel.attach(&client).unwrap();
        let remote = cancel.clone();
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            remote.cancel();
        });
        let mut f = File::open(&tf.0).unwrap();
        let r = upload_file_with(
            method,
            &mut f,
            &client,
            DataOptions::new(Duration::from_secs(3600)).cancel(&cancel),
        );
        t.join().unwrap();
        assert!(
            matches!(r, Err(TransportError::Cancelled)),
            "{method:?}: {r:?}"
        );
        drop(server);
    }
}

#[test]
fn a_handle_cancelled_before_the_transfer_stops_it_before_any_byte() {
    let (client, server) = pair();
    let got = sink(server);
    let cancel = Cancel::new();
    cancel.cancel();
    cancel.attach(&client).unwrap();
    let r = copy(
        &mut &pattern(10)[..],
        &mut &client,
        DataOptions::new(IDLE).cancel(&cancel),
    );
    assert!(matches!(r, Err(TransportError::Cancelled)), "{r:?}");
    drop(client);
    assert!(got.join().unwrap().is_empty());
}
