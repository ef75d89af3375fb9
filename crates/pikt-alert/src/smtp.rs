//! SMTP to a relay, for hosts without a local MTA.
//!
//! Plain SMTP (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT) to a relay on the
//! local network. Written here rather than with a mail crate because the SMTP
//! transport of the usual crate brings ~100 crates (IDNA/Unicode tables, TLS)
//! into a root daemon for a conversation of six commands; TLS relays are
//! reached through a mail command (`msmtp`, `sendmail`) instead.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::{AlertMessage, DeliveryError, Encoding, Transport};

/// Where the relay is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmtpRelay {
    /// Host name or address.
    pub host: String,
    /// Port (25 by default).
    pub port: u16,
}

impl SmtpRelay {
    /// Parses `host`, `host:port` or `[v6addr]:port`.
    pub fn parse(text: &str) -> Result<SmtpRelay, String> {
        let text = text.trim();
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest
                .split_once(']')
                .ok_or_else(|| format!("`{text}`: missing `]`"))?;
            (host, after.strip_prefix(':'))
        } else {
            match text.rsplit_once(':') {
                Some((h, p)) if !h.contains(':') => (h, Some(p)),
                _ => (text, None),
            }
        };
        if host.is_empty() {
            return Err(format!("`{text}`: no host"));
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| format!("`{text}`: bad port `{p}`"))?,
            None => 25,
        };
        Ok(SmtpRelay {
            host: host.to_string(),
            port,
        })
    }
}

/// Sends through an SMTP relay.
#[derive(Debug, Clone)]
pub struct SmtpTransport {
    relay: SmtpRelay,
    helo_name: String,
    timeout: Duration,
}

impl SmtpTransport {
    /// A transport to `relay`, greeting as `helo_name` (this host's name).
    pub fn new(relay: SmtpRelay, helo_name: impl Into<String>, timeout: Duration) -> SmtpTransport {
        SmtpTransport {
            relay,
            helo_name: helo_name.into(),
            timeout,
        }
    }

    fn connect(&self) -> Result<TcpStream, DeliveryError> {
        let addrs = (self.relay.host.as_str(), self.relay.port)
            .to_socket_addrs()
            .map_err(|e| {
                DeliveryError::new(format!("cannot resolve `{}`: {e}", self.relay.host))
            })?;
        let mut last = None;
        for addr in addrs {
            match TcpStream::connect_timeout(&addr, self.timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(self.timeout)).ok();
                    stream.set_write_timeout(Some(self.timeout)).ok();
                    return Ok(stream);
                }
                Err(e) => last = Some(e),
            }
        }
        Err(DeliveryError::new(match last {
            Some(e) => format!("cannot connect to {}: {e}", self.describe()),
            None => format!("`{}` has no address", self.relay.host),
        }))
    }
}

impl Transport for SmtpTransport {
    fn send(&self, message: &AlertMessage) -> Result<(), DeliveryError> {
        check_address(&message.from)?;
        if message.to.is_empty() {
            return Err(DeliveryError::new(
                "no recipient (set `mail_to` in PIKT.conf)",
            ));
        }
        for to in &message.to {
            check_address(to)?;
        }
        let stream = self.connect()?;
        let mut session = Session {
            reader: BufReader::new(stream.try_clone().map_err(io_error)?),
            writer: stream,
            deadline: Instant::now() + self.timeout * CONVERSATION_TIMEOUTS,
            timeout: self.timeout,
        };
        session.expect(2)?;
        let eight_bit_ok = match session.command(&format!("EHLO {}", self.helo_name), 2) {
            Ok(reply) => announces_8bitmime(&reply),
            Err(_) => {
                session.command(&format!("HELO {}", self.helo_name), 2)?;
                false
            }
        };
        let (text, encoding) = message.to_rfc5322(eight_bit_ok);
        let body_param = if encoding == Encoding::EightBit {
            " BODY=8BITMIME"
        } else {
            ""
        };
        session.command(&format!("MAIL FROM:<{}>{body_param}", message.from), 2)?;
        for to in &message.to {
            session.command(&format!("RCPT TO:<{to}>"), 2)?;
        }
        session.command("DATA", 3)?;
        session.write(&dot_stuff(&text))?;
        session.command(".", 2)?;
        // The message is accepted; a failed QUIT does not undo that.
        let _ = session.command("QUIT", 2);
        Ok(())
    }

    fn describe(&self) -> String {
        format!("smtp relay {}:{}", self.relay.host, self.relay.port)
    }
}

/// The whole conversation may take this many single timeouts: a relay
/// that answers a byte at a time cannot hold a run forever.
const CONVERSATION_TIMEOUTS: u32 = 4;

/// Whether an EHLO reply lists the 8BITMIME extension (RFC 6152).
fn announces_8bitmime(reply: &str) -> bool {
    reply.split_whitespace().any(|word| {
        word.trim_start_matches("250-")
            .eq_ignore_ascii_case("8BITMIME")
    })
}

struct Session {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    deadline: Instant,
    timeout: Duration,
}

impl Session {
    fn write(&mut self, text: &str) -> Result<(), DeliveryError> {
        self.writer.write_all(text.as_bytes()).map_err(io_error)
    }

    fn command(&mut self, line: &str, class: u8) -> Result<String, DeliveryError> {
        self.write(&format!("{line}\r\n"))?;
        self.expect(class).map_err(|e| {
            let verb = line.split([' ', ':']).next().unwrap_or(line);
            DeliveryError::new(format!("{verb}: {}", e.message))
        })
    }

    /// Reads one (possibly multi-line) reply and checks its first digit.
    fn expect(&mut self, class: u8) -> Result<String, DeliveryError> {
        let mut reply = String::new();
        loop {
            let left = self.deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(DeliveryError::new(format!(
                    "the relay took longer than {} s",
                    (self.timeout * CONVERSATION_TIMEOUTS).as_secs()
                )));
            }
            let _ = self
                .reader
                .get_ref()
                .set_read_timeout(Some(left.min(self.timeout)));
            let mut line = Vec::new();
            let n = (&mut self.reader)
                .take(MAX_REPLY_LINE)
                .read_until(b'\n', &mut line)
                .map_err(io_error)?;
            if n == 0 {
                return Err(DeliveryError::new("the relay closed the connection"));
            }
            let line = String::from_utf8_lossy(&line);
            reply.push_str(line.trim_end());
            reply.push(' ');
            // "250-..." continues, "250 ..." ends a reply.
            if line.as_bytes().get(3) != Some(&b'-') || reply.len() > 64 * 1024 {
                break;
            }
        }
        let reply = reply.trim_end().to_string();
        match reply.as_bytes().first() {
            Some(d) if *d == b'0' + class => Ok(reply),
            _ => Err(DeliveryError::new(format!("the relay answered `{reply}`"))),
        }
    }
}

/// RFC 5321 §4.5.3.1.5: a reply line is at most 512 octets; allow more,
/// but never an unbounded line.
const MAX_REPLY_LINE: u64 = 4096;

fn io_error(e: std::io::Error) -> DeliveryError {
    DeliveryError::new(format!("smtp i/o: {e}"))
}

/// An address must not be able to smuggle SMTP commands or break the
/// `<...>`; it must be ASCII (no SMTPUTF8 here).
fn check_address(addr: &str) -> Result<(), DeliveryError> {
    if addr.is_empty()
        || addr
            .chars()
            .any(|c| !c.is_ascii_graphic() || matches!(c, '<' | '>'))
    {
        return Err(DeliveryError::new(format!(
            "bad mail address `{}`",
            addr.escape_debug()
        )));
    }
    Ok(())
}

/// RFC 5321 §4.5.2: a line starting with `.` gets another `.`.
fn dot_stuff(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for line in text.split_inclusive("\r\n") {
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpListener;

    #[test]
    fn relay_specs_parse() {
        assert_eq!(
            SmtpRelay::parse("mailhost:2525").unwrap(),
            SmtpRelay {
                host: "mailhost".into(),
                port: 2525
            }
        );
        assert_eq!(SmtpRelay::parse("10.0.0.1").unwrap().port, 25);
        assert_eq!(SmtpRelay::parse("[::1]:26").unwrap().host, "::1");
        assert!(SmtpRelay::parse(":25").is_err());
        assert!(SmtpRelay::parse("h:x").is_err());
    }

    #[test]
    fn dot_stuffing_doubles_leading_dots() {
        assert_eq!(dot_stuff("a\r\n.b\r\n..c\r\n"), "a\r\n..b\r\n...c\r\n");
    }

    #[test]
    fn addresses_with_controls_are_refused() {
        assert!(check_address("a@b").is_ok());
        assert!(check_address("a@b>\r\nRCPT TO:<x").is_err());
        assert!(check_address("ä@b").is_err());
        assert!(check_address("a b@c").is_err());
    }

    /// A scripted SMTP peer on loopback: answers each command and records
    /// what it was sent.
    fn fake_relay(replies: &'static [&'static str]) -> (u16, std::thread::JoinHandle<String>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let handle = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut writer = stream;
            let mut seen = String::new();
            writer.write_all(b"220 fake ESMTP\r\n").unwrap();
            let mut replies = replies.iter();
            let mut in_data = false;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                seen.push_str(&line);
                if in_data {
                    if line == ".\r\n" {
                        in_data = false;
                    } else {
                        continue;
                    }
                }
                if line.starts_with("DATA") {
                    in_data = true;
                }
                let Some(reply) = replies.next() else { break };
                writer.write_all(reply.as_bytes()).unwrap();
                if line.starts_with("QUIT") {
                    break;
                }
            }
            seen
        });
        (port, handle)
    }

    fn message() -> AlertMessage {
        AlertMessage::new(
            "pikt@h1",
            vec!["admin@example.org".into()],
            "PIKT Alert on h1: Urgent",
            "PIKT ALERT\n.dot line\n",
            "h1",
        )
    }

    #[test]
    fn a_whole_conversation_delivers_the_message() {
        let (port, peer) = fake_relay(&[
            "250-fake\r\n250 8BITMIME\r\n",
            "250 ok\r\n",
            "250 ok\r\n",
            "354 go\r\n",
            "250 queued\r\n",
            "221 bye\r\n",
        ]);
        let relay = SmtpRelay {
            host: "127.0.0.1".into(),
            port,
        };
        SmtpTransport::new(relay, "h1", Duration::from_secs(5))
            .send(&message())
            .unwrap();
        let seen = peer.join().unwrap();
        assert!(seen.starts_with(
            "EHLO h1\r\nMAIL FROM:<pikt@h1>\r\nRCPT TO:<admin@example.org>\r\nDATA\r\n"
        ));
        assert!(seen.contains("Subject: PIKT Alert on h1: Urgent\r\n"));
        assert!(seen.contains("\r\n..dot line\r\n.\r\nQUIT\r\n"));
    }

    #[test]
    fn utf8_goes_8bit_to_an_8bitmime_relay_and_quoted_printable_otherwise() {
        let mut m = message();
        m.body = "PIKT ALERT\n    404 chicö imapd\n".into();
        let replies: &'static [&'static str] = &[
            "250-fake\r\n250 8BITMIME\r\n",
            "250 ok\r\n",
            "250 ok\r\n",
            "354 go\r\n",
            "250 queued\r\n",
            "221 bye\r\n",
        ];
        let (port, peer) = fake_relay(replies);
        let relay = SmtpRelay {
            host: "127.0.0.1".into(),
            port,
        };
        SmtpTransport::new(relay.clone(), "h1", Duration::from_secs(5))
            .send(&m)
            .unwrap();
        let seen = peer.join().unwrap();
        assert!(
            seen.contains("MAIL FROM:<pikt@h1> BODY=8BITMIME\r\n"),
            "{seen}"
        );
        assert!(seen.contains("404 chicö imapd\r\n"), "{seen}");

        let (port, peer) = fake_relay(&[
            "250 fake\r\n",
            "250 ok\r\n",
            "250 ok\r\n",
            "354 go\r\n",
            "250 queued\r\n",
            "221 bye\r\n",
        ]);
        let relay = SmtpRelay { port, ..relay };
        SmtpTransport::new(relay, "h1", Duration::from_secs(5))
            .send(&m)
            .unwrap();
        let seen = peer.join().unwrap();
        assert!(seen.contains("MAIL FROM:<pikt@h1>\r\n"), "{seen}");
        assert!(seen.contains("Content-Transfer-Encoding: quoted-printable\r\n"));
        assert!(seen.contains("404 chic=C3=B6 imapd\r\n"), "{seen}");
        assert!(seen.is_ascii());
    }

    #[test]
    fn a_stalling_relay_is_given_up_in_bounded_time() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let holder = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            // Greets, then trickles a continuation line every half second.
            let mut stream = stream;
            let _ = stream.write_all(b"220 slow\r\n");
            for _ in 0..40 {
                std::thread::sleep(Duration::from_millis(500));
                if stream.write_all(b"250-still thinking\r\n").is_err() {
                    break;
                }
            }
        });
        let relay = SmtpRelay {
            host: "127.0.0.1".into(),
            port,
        };
        let started = std::time::Instant::now();
        let err = SmtpTransport::new(relay, "h1", Duration::from_secs(1))
            .send(&message())
            .unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(10), "{err}");
        assert!(err.message.contains("longer than 4 s"), "{err}");
        drop(holder);
    }

    #[test]
    fn a_refused_recipient_is_a_delivery_error() {
        let (port, _peer) = fake_relay(&["250 fake\r\n", "250 ok\r\n", "550 no such user\r\n"]);
        let relay = SmtpRelay {
            host: "127.0.0.1".into(),
            port,
        };
        let err = SmtpTransport::new(relay, "h1", Duration::from_secs(5))
            .send(&message())
            .unwrap_err();
        assert!(err.message.contains("RCPT"), "{err}");
        assert!(err.message.contains("550 no such user"), "{err}");
    }

    #[test]
    fn a_relay_that_is_down_is_a_delivery_error() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let relay = SmtpRelay {
            host: "127.0.0.1".into(),
            port,
        };
        let err = SmtpTransport::new(relay, "h1", Duration::from_secs(2))
            .send(&message())
            .unwrap_err();
        assert!(err.message.contains("cannot connect"), "{err}");
    }
}
