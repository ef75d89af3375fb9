//! The wire format between the master and a host: a framed manifest plus
//! raw contents, checked end to end.
//!
//! ```text
//! PIKT-BUNDLE 1 <manifest bytes> <content bytes>\n     one header line (a report: PIKT-REPORT)
//! <manifest: JSON {"body": {...}, "blobs": [{"size": N, "sha256": "<hex>"}, ...]}>
//! <contents: every blob's bytes, one after the other, in manifest order>
//! END <sha256 of every byte above, hex>\n
//! ```
//!
//! Decoding refuses anything that is not exactly that: another magic or
//! version, lengths over the limits ([`MAX_MANIFEST`], [`MAX_CONTENTS`]),
//! fewer bytes than announced (a cut connection), a missing or wrong
//! `END` line (incomplete or damaged), a blob whose size or SHA-256 does
//! not match its manifest entry, or bytes after the `END` line. Byte
//! payloads ride outside the JSON ([`Payload`]), so file contents are sent
//! as they are, whatever bytes they hold.

use std::fmt;
use std::io::{self, Read};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::digest::{sha256_hex, Sha256Stream};

/// The magic of a bundle (master to host).
pub const BUNDLE_MAGIC: &str = "PIKT-BUNDLE";
/// The magic of a report (host to master).
pub const REPORT_MAGIC: &str = "PIKT-REPORT";
/// The one format version this code reads and writes.
pub const VERSION: u32 = 1;
/// The largest manifest accepted.
pub const MAX_MANIFEST: u64 = 64 << 20;
/// The largest total of contents accepted (bounds the memory a host gives
/// one bundle).
pub const MAX_CONTENTS: u64 = 1 << 30;
/// The longest header line.
const MAX_HEADER: usize = 128;

/// A value whose byte payloads travel as blobs: [`Payload::payloads`] visits
/// every payload (fields marked `#[serde(skip)]`) in one fixed order, the
/// same for encoding and decoding.
pub trait Payload {
    /// Calls `visit` on each byte payload, in order.
    fn payloads(&mut self, visit: &mut dyn FnMut(&mut Vec<u8>));
}

#[derive(Serialize, Deserialize)]
struct Manifest<T> {
    body: T,
    blobs: Vec<BlobInfo>,
}

#[derive(Serialize, Deserialize)]
struct BlobInfo {
    size: u64,
    sha256: String,
}

/// Why a frame was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// It does not start with the expected header.
    NotAFrame(String),
    /// Another format version.
    Version(u32),
    /// A length over its limit.
    TooLarge {
        /// What is too large.
        what: &'static str,
        /// Its announced size.
        size: u64,
    },
    /// Fewer bytes than announced: the sender stopped or the connection was cut.
    Incomplete {
        /// What was being read.
        what: &'static str,
        /// Bytes expected.
        expected: u64,
        /// Bytes received.
        got: u64,
    },
    /// The bytes arrived but are not what was sent.
    Damaged(String),
    /// The manifest is not what this version writes.
    Malformed(String),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::NotAFrame(why) => write!(f, "not in pikt's format: {why}"),
            FrameError::Version(v) => write!(
                f,
                "format version {v}, but this piktc reads version {VERSION} (install the same pikt version on master and host)"
            ),
            FrameError::TooLarge { what, size } => {
                write!(f, "the {what} is too large ({size} bytes)")
            }
            FrameError::Incomplete {
                what,
                expected,
                got,
            } => write!(
                f,
                "incomplete: the {what} has {got} of {expected} bytes (the sender stopped or the connection was cut)"
            ),
            FrameError::Damaged(why) => write!(f, "damaged: {why}"),
            FrameError::Malformed(why) => write!(f, "malformed manifest: {why}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Encodes `value` as a frame with `magic`.
pub fn encode<T: Serialize + Payload>(magic: &str, mut value: T) -> Vec<u8> {
    let mut blobs: Vec<Vec<u8>> = Vec::new();
    value.payloads(&mut |bytes| blobs.push(std::mem::take(bytes)));
    let manifest = Manifest {
        body: value,
        blobs: blobs
            .iter()
            .map(|b| BlobInfo {
                size: b.len() as u64,
                sha256: sha256_hex(b),
            })
            .collect(),
    };
    // Serialising plain data (strings, numbers, vectors) cannot fail.
    let json = serde_json::to_vec(&manifest).unwrap_or_default();
    let contents: usize = blobs.iter().map(Vec::len).sum();
    let mut out = format!("{magic} {VERSION} {} {contents}\n", json.len()).into_bytes();
    out.reserve(json.len() + contents + 70);
    out.extend_from_slice(&json);
    for blob in &blobs {
        out.extend_from_slice(blob);
    }
    let digest = sha256_hex(&out);
    out.extend_from_slice(format!("END {digest}\n").as_bytes());
    out
}

/// Decodes a frame with `magic` from `input`, reading exactly the frame and
/// checking that nothing follows it.
pub fn decode<T: DeserializeOwned + Payload>(
    magic: &str,
    input: &mut dyn Read,
) -> Result<T, FrameError> {
    let mut hash = Sha256Stream::default();
    let header = read_header(input)?;
    hash.update(header.as_bytes());
    hash.update(b"\n");
    let (manifest_len, contents_len) = parse_header(magic, &header)?;
    let json = read_exact(input, manifest_len, "manifest")?;
    hash.update(&json);
    let contents = read_exact(input, contents_len, "contents")?;
    hash.update(&contents);
    let trailer = read_exact(input, 69, "END line")?;
    let expected = format!("END {}\n", hash.finish_hex());
    if trailer != expected.as_bytes() {
        return Err(FrameError::Damaged(
            "its checksum does not match its bytes".into(),
        ));
    }
    let mut extra = [0u8; 1];
    if matches!(input.read(&mut extra), Ok(n) if n > 0) {
        return Err(FrameError::Damaged("bytes follow the END line".into()));
    }
    let manifest: Manifest<T> =
        serde_json::from_slice(&json).map_err(|e| FrameError::Malformed(e.to_string()))?;
    fill_payloads(manifest, &contents)
}

/// Splits `contents` into the manifest's blobs, checks each, and puts them
/// back into the body.
fn fill_payloads<T: Payload>(manifest: Manifest<T>, contents: &[u8]) -> Result<T, FrameError> {
    let total: u64 = manifest.blobs.iter().map(|b| b.size).sum();
    if total != contents.len() as u64 {
        return Err(FrameError::Damaged(format!(
            "the manifest lists {total} bytes of contents, the frame holds {}",
            contents.len()
        )));
    }
    let mut blobs: Vec<Vec<u8>> = Vec::with_capacity(manifest.blobs.len());
    let mut at = 0usize;
    for (index, info) in manifest.blobs.iter().enumerate() {
        let end = at + usize::try_from(info.size).unwrap_or(usize::MAX);
        let bytes = contents.get(at..end).unwrap_or_default();
        if sha256_hex(bytes) != info.sha256 {
            return Err(FrameError::Damaged(format!(
                "content {} does not match its SHA-256",
                index + 1
            )));
        }
        blobs.push(bytes.to_vec());
        at = end;
    }
    let mut body = manifest.body;
    let mut slots = 0usize;
    let mut blobs = blobs.into_iter();
    body.payloads(&mut |slot| {
        slots += 1;
        *slot = blobs.next().unwrap_or_default();
    });
    if slots != manifest.blobs.len() {
        return Err(FrameError::Malformed(format!(
            "{} contents for {slots} places",
            manifest.blobs.len()
        )));
    }
    Ok(body)
}

fn read_header(input: &mut dyn Read) -> Result<String, FrameError> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match input.read(&mut byte) {
            Ok(0) if line.is_empty() => {
                return Err(FrameError::NotAFrame("nothing was received".into()))
            }
            Ok(0) => return Err(FrameError::NotAFrame("the header line is cut short".into())),
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FrameError::NotAFrame(format!("cannot read it: {e}"))),
        }
        if line.len() > MAX_HEADER {
            return Err(FrameError::NotAFrame("no header line".into()));
        }
    }
    String::from_utf8(line).map_err(|_| FrameError::NotAFrame("no header line".into()))
}

fn parse_header(magic: &str, header: &str) -> Result<(u64, u64), FrameError> {
    let words: Vec<&str> = header.split(' ').collect();
    let [found, version, manifest, contents] = words.as_slice() else {
        return Err(FrameError::NotAFrame(format!(
            "unexpected header `{header}`"
        )));
    };
    if *found != magic {
        return Err(FrameError::NotAFrame(format!(
            "expected `{magic}`, found `{found}`"
        )));
    }
    let number = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| FrameError::NotAFrame(format!("unexpected header `{header}`")))
    };
    let version = u32::try_from(number(version)?).unwrap_or(u32::MAX);
    if version != VERSION {
        return Err(FrameError::Version(version));
    }
    let (manifest, contents) = (number(manifest)?, number(contents)?);
    if manifest > MAX_MANIFEST {
        return Err(FrameError::TooLarge {
            what: "manifest",
            size: manifest,
        });
    }
    if contents > MAX_CONTENTS {
        return Err(FrameError::TooLarge {
            what: "contents",
            size: contents,
        });
    }
    Ok((manifest, contents))
}

/// Reads `len` bytes, or says how many came.
fn read_exact(input: &mut dyn Read, len: u64, what: &'static str) -> Result<Vec<u8>, FrameError> {
    let mut out = Vec::new();
    let got = input
        .take(len)
        .read_to_end(&mut out)
        .map_err(|e| FrameError::NotAFrame(format!("cannot read the {what}: {e}")))?;
    if (got as u64) < len {
        return Err(FrameError::Incomplete {
            what,
            expected: len,
            got: got as u64,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
    struct Body {
        name: String,
        #[serde(skip)]
        files: Vec<Vec<u8>>,
        count: usize,
    }

    impl Payload for Body {
        fn payloads(&mut self, visit: &mut dyn FnMut(&mut Vec<u8>)) {
            self.files.resize(self.count, Vec::new());
            for file in &mut self.files {
                visit(file);
            }
        }
    }

    fn body() -> Body {
        Body {
            name: "moscow".into(),
            files: vec![b"one\n".to_vec(), vec![0, 255, 10], Vec::new()],
            count: 3,
        }
    }

    fn decoded(bytes: &[u8]) -> Result<Body, FrameError> {
        decode(BUNDLE_MAGIC, &mut &bytes[..])
    }

    #[test]
    fn round_trip_keeps_every_byte() {
        let bytes = encode(BUNDLE_MAGIC, body());
        assert!(bytes.starts_with(b"PIKT-BUNDLE 1 "));
        assert_eq!(decoded(&bytes), Ok(body()));
    }

    #[test]
    fn every_cut_is_refused() {
        let bytes = encode(BUNDLE_MAGIC, body());
        for len in 0..bytes.len() {
            let result = decoded(bytes.get(..len).unwrap_or_default());
            assert!(result.is_err(), "a bundle cut at {len} bytes was accepted");
        }
    }

    #[test]
    fn a_changed_byte_is_refused() {
        let bytes = encode(BUNDLE_MAGIC, body());
        let header_len = bytes.iter().position(|&b| b == b'\n').unwrap_or(0) + 1;
        for at in header_len..bytes.len() {
            let mut bad = bytes.clone();
            bad[at] ^= 0x20;
            assert!(decoded(&bad).is_err(), "a change at byte {at} was accepted");
        }
    }

    #[test]
    fn wrong_magic_version_and_trailing_bytes() {
        let bytes = encode(REPORT_MAGIC, body());
        assert_eq!(
            decoded(&bytes),
            Err(FrameError::NotAFrame(
                "expected `PIKT-BUNDLE`, found `PIKT-REPORT`".into()
            ))
        );
        let mut v2 = encode(BUNDLE_MAGIC, body());
        v2[12] = b'2';
        assert_eq!(decoded(&v2), Err(FrameError::Version(2)));
        let mut long = encode(BUNDLE_MAGIC, body());
        long.push(b'x');
        assert_eq!(
            decoded(&long),
            Err(FrameError::Damaged("bytes follow the END line".into()))
        );
        let huge = format!("PIKT-BUNDLE 1 10 {}\n", MAX_CONTENTS + 1);
        assert_eq!(
            decoded(huge.as_bytes()),
            Err(FrameError::TooLarge {
                what: "contents",
                size: MAX_CONTENTS + 1
            })
        );
        assert_eq!(
            decoded(b""),
            Err(FrameError::NotAFrame("nothing was received".into()))
        );
    }

    #[test]
    fn incomplete_says_how_much_came() {
        let bytes = encode(BUNDLE_MAGIC, body());
        // The last content byte is missing (the END line is 69 bytes).
        let cut = bytes.len() - 70;
        let err = decoded(bytes.get(..cut).unwrap_or_default())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert_eq!(
            err,
            "incomplete: the contents has 6 of 7 bytes (the sender stopped or the connection was cut)"
        );
    }
}
