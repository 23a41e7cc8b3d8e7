//! Reply framing vectors, each also fed split at every byte offset.

use ftp_proto::{FrameError, FramerLimits, Reply, ReplyCode, ReplyFramer};

/// What one frame should be: a reply's code and lines, or an error.
#[derive(Debug, PartialEq)]
enum Want {
    Reply(u16, Vec<&'static str>),
    Error(FrameError),
}

fn frames(framer: &mut ReplyFramer) -> Vec<Result<Reply, FrameError>> {
    std::iter::from_fn(|| framer.next_reply()).collect()
}

fn to_want(frame: Result<Reply, FrameError>) -> (u16, Vec<Vec<u8>>, Option<FrameError>) {
    match frame {
        Ok(r) => (
            r.code().as_u16(),
            r.lines().map(<[u8]>::to_vec).collect(),
            None,
        ),
        Err(e) => (0, Vec::new(), Some(e)),
    }
}

/// Feeds `input` whole, byte by byte, and split in two at every offset; all must agree with
/// `want` and leave `rest` bytes buffered.
fn check(limits: FramerLimits, input: &[u8], want: &[Want], rest: usize) {
    let want: Vec<_> = want
        .iter()
        .map(|w| match w {
            Want::Reply(code, lines) => (
                *code,
                lines.iter().map(|l| l.as_bytes().to_vec()).collect(),
                None,
            ),
            Want::Error(e) => (0, Vec::new(), Some(e.clone())),
        })
        .collect();
    let mut feeds: Vec<Vec<&[u8]>> = vec![input.chunks(1).collect()];
    for split in 0..=input.len() {
        feeds.push(vec![&input[..split], &input[split..]]);
    }
    for feed in feeds {
        let mut framer = ReplyFramer::new(limits);
        let mut got = Vec::new();
        for chunk in &feed {
            framer.push(chunk);
            got.extend(frames(&mut framer).into_iter().map(to_want));
        }
        assert_eq!(
            got,
            want,
            "chunks {:?}",
            feed.iter().map(|c| c.len()).collect::<Vec<_>>()
        );
        assert_eq!(framer.buffered_len(), rest);
    }
}

macro_rules! vectors {
    ($($name:ident: $input:expr => [$($want:expr),* $(,)?] $(, rest $rest:expr)? $(, limits $limits:expr)?;)*) => {$(
        #[test]
        fn $name() {
            #[allow(unused_mut, unused_assignments)]
            let mut rest = 0;
            $(rest = $rest;)?
            #[allow(unused_mut, unused_assignments)]
            let mut limits = FramerLimits::default();
            $(limits = $limits;)?
            check(limits, $input, &[$($want),*], rest);
        }
    )*};
}

fn r(code: u16, lines: &[&'static str]) -> Want {
    Want::Reply(code, lines.to_vec())
}

vectors! {
    single_line_crlf: b"200 OK\r\n" => [r(200, &["200 OK"])];
    single_line_bare_lf: b"200 OK\n" => [r(200, &["200 OK"])];
    two_replies_in_one_chunk: b"331 Password\r\n230 Logged in\r\n" => [r(331, &["331 Password"]), r(230, &["230 Logged in"])];
    partial_line_stays_buffered: b"200 OK\r\n230 Lo" => [r(200, &["200 OK"])], rest 6;
    multiline_feat: b"211-Features:\r\n MDTM\r\n SIZE\r\n211 End\r\n" => [r(211, &["211-Features:", " MDTM", " SIZE", "211 End"])];
    glftpd_code_change_ends_reply: b"150-Opening\r\n226 Done\r\n" => [r(150, &["150-Opening", "226 Done"])];
    line_over_limit_is_error_then_recovers: b"200 xxxxxxxxxx\r\n200 OK\r\n" => [Want::Error(FrameError::LineTooLong { limit: 8 }), r(200, &["200 OK"])], limits FramerLimits { max_line_len: 8, max_reply_len: 100 };
}

#[test]
fn reply_code_constant_matches() {
    assert_eq!(ReplyCode::new(220), Some(ReplyCode::READY));
}
