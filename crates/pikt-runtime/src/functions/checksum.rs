//! `$checksum(k, path)`: a file's checksum at one of PIKT's levels.
//!
//! PIKT's detail page for `$checksum` gives, for every level, the checksum
//! and the size, followed by the file name, as `cksum` and `sum` print them
//! (`3885748321 29712 /bin/login`):
//!
//! | k | checksum | size |
//! |---|---|---|
//! | -3, 3 | POSIX `cksum` CRC | bytes |
//! | -2, 2 | System V `sum` | 512-byte blocks |
//! | -1, 1 | BSD `sum` (`sum -r`) | 512-byte blocks, as PIKT's table says (GNU `sum -r` counts 1024-byte blocks) |
//! | 0 | `0` | bytes |
//! | 4 | MD4, 32 hex digits | bytes |
//! | 5 | MD5, 32 hex digits | bytes |
//!
//! PIKT ran the system commands for the negative levels and computed the
//! positive ones itself, saying both should agree; here every level is
//! computed in-process (no command, no `PATH` lookup), so they do agree. The
//! digests come from the RustCrypto `md4`/`md-5` crates and the CRC from the
//! `crc` crate; the two 16-bit sums are a line each. Files are read in 64 KiB
//! chunks, so any size works.

use std::io::{ErrorKind, Read};

use crc::{Crc, Digest as CrcDigest, CRC_32_CKSUM};
use md4::Digest as _;

use super::args::Call;
use super::files::open_regular;
use super::{FnEnv, FnResult};
use crate::value::{Str, Value};

/// The CRC of POSIX `cksum`.
const CKSUM: Crc<u32> = Crc::<u32>::new(&CRC_32_CKSUM);

/// The block size of both `sum` levels.
const SUM_BLOCK: u64 = 512;

/// `$checksum(k, path)`.
pub(super) fn checksum(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let level = call.int(0)?;
    let path = call.text(1)?;
    let mut summer = Summer::for_level(level)
        .ok_or_else(|| call.error(format_args!("has no checksum level {level} (use -3 to 5)")))?;
    feed(&path, &mut summer, env)
        .map_err(|e| call.error(format_args!("cannot read `{path}`: {}", io_reason(&e))))?;
    let mut out = summer.finish();
    out.push(' ');
    out.push_str(&path);
    Ok(Value::Str(out))
}

/// An I/O error without the "(os error 2)" suffix.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_lowercase(),
        None => text.to_lowercase(),
    }
}

fn feed(path: &str, summer: &mut Summer, env: &mut dyn FnEnv) -> std::io::Result<()> {
    let mut file = open_regular(path, env)?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => summer.update(buffer.get(..read).unwrap_or_default()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// A checksum being computed, with the byte count every level reports.
struct Summer {
    algorithm: Algorithm,
    bytes: u64,
}

enum Algorithm {
    Null,
    Bsd(u16),
    SysV(u64),
    Cksum(CrcDigest<'static, u32>),
    Md4(Box<md4::Md4>),
    Md5(Box<md5::Md5>),
}

impl Summer {
    fn for_level(level: i64) -> Option<Summer> {
        let algorithm = match level {
            0 => Algorithm::Null,
            -1 | 1 => Algorithm::Bsd(0),
            -2 | 2 => Algorithm::SysV(0),
            -3 | 3 => Algorithm::Cksum(CKSUM.digest()),
            4 => Algorithm::Md4(Box::default()),
            5 => Algorithm::Md5(Box::default()),
            _ => return None,
        };
        Some(Summer {
            algorithm,
            bytes: 0,
        })
    }

    fn update(&mut self, data: &[u8]) {
        self.bytes = self.bytes.wrapping_add(data.len() as u64);
        match &mut self.algorithm {
            Algorithm::Null => {}
            Algorithm::Bsd(sum) => *sum = bsd_update(*sum, data),
            Algorithm::SysV(sum) => {
                *sum = data
                    .iter()
                    .fold(*sum, |acc, &b| acc.wrapping_add(u64::from(b)));
            }
            Algorithm::Cksum(crc) => crc.update(data),
            Algorithm::Md4(md4) => md4.update(data),
            Algorithm::Md5(md5) => md5.update(data),
        }
    }

    /// The checksum and the size, without the file name.
    fn finish(self) -> Str {
        let bytes = self.bytes;
        let blocks = bytes.div_ceil(SUM_BLOCK);
        match self.algorithm {
            Algorithm::Null => compact_str::format_compact!("0 {bytes}"),
            Algorithm::Bsd(sum) => compact_str::format_compact!("{sum} {blocks}"),
            Algorithm::SysV(sum) => compact_str::format_compact!("{} {blocks}", sysv_fold(sum)),
            Algorithm::Cksum(crc) => {
                compact_str::format_compact!("{} {bytes}", cksum_finish(crc, bytes))
            }
            Algorithm::Md4(md4) => compact_str::format_compact!("{} {bytes}", hex(&md4.finalize())),
            Algorithm::Md5(md5) => compact_str::format_compact!("{} {bytes}", hex(&md5.finalize())),
        }
    }
}

fn hex(digest: &[u8]) -> Str {
    use std::fmt::Write as _;
    let mut out = Str::with_capacity(digest.len() * 2);
    for byte in digest {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// BSD `sum`: rotate right by one, add the byte, keep 16 bits.
fn bsd_update(mut sum: u16, data: &[u8]) -> u16 {
    for &byte in data {
        sum = sum.rotate_right(1).wrapping_add(u16::from(byte));
    }
    sum
}

/// System V `sum`: the byte total folded twice into 16 bits.
fn sysv_fold(total: u64) -> u64 {
    let r = (total & 0xffff) + ((total & 0xffff_ffff) >> 16);
    (r & 0xffff) + (r >> 16)
}

/// `cksum` feeds the length after the data, least significant byte first
/// and without trailing zero bytes; the CRC's final complement follows.
fn cksum_finish(mut crc: CrcDigest<'static, u32>, bytes: u64) -> u32 {
    let length = bytes.to_le_bytes();
    let used = length
        .iter()
        .rposition(|&b| b != 0)
        .map_or(0, |last| last + 1);
    crc.update(length.get(..used).unwrap_or_default());
    crc.finalize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(level: i64, data: &[u8]) -> Str {
        let mut summer = Summer::for_level(level).unwrap();
        // Feed in uneven pieces: the result must not depend on them.
        for piece in data.chunks(7) {
            summer.update(piece);
        }
        summer.finish()
    }

    #[test]
    fn md4_matches_rfc_1320_vectors() {
        assert_eq!(digest(4, b""), "31d6cfe0d16ae931b73c59d7e0c089c0 0");
        assert_eq!(digest(4, b"abc"), "a448017aaf21d8525fc10ae87aa6729d 3");
        assert_eq!(
            digest(4, b"message digest"),
            "d9130a8164549fe818874806e1c7014b 14"
        );
    }

    #[test]
    fn md5_matches_rfc_1321_vectors() {
        assert_eq!(digest(5, b""), "d41d8cd98f00b204e9800998ecf8427e 0");
        assert_eq!(digest(5, b"abc"), "900150983cd24fb0d6963f7d28e17f72 3");
        assert_eq!(
            digest(
                5,
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a 80"
        );
    }

    #[test]
    fn sums_match_coreutils() {
        // Checksums from GNU coreutils 9 (`cksum`, `sum -s`, `sum -r`) on the
        // same bytes; both sums count 512-byte blocks, as PIKT's table says.
        let data = b"hello world\n";
        assert_eq!(digest(-3, data), "3733384285 12");
        assert_eq!(digest(-2, data), "1126 1");
        assert_eq!(digest(-1, data), "3762 1");
        assert_eq!(digest(0, data), "0 12");
        assert_eq!(digest(-3, b""), "4294967295 0");
        assert_eq!(digest(-1, b""), "0 0");
        assert_eq!(digest(-2, b""), "0 0");
    }

    #[test]
    fn block_counts_round_up_to_512_bytes() {
        assert_eq!(digest(1, &[0u8; 512]), "0 1");
        assert_eq!(digest(1, &[0u8; 513]), "0 2");
        assert_eq!(digest(2, &[1u8; 1025]), "1025 3");
    }

    #[test]
    fn cksum_of_a_length_with_inner_zero_bytes() {
        // 256 bytes: the length is fed as the two bytes 0x00 0x01.
        let data = [b'a'; 256];
        let crc = CKSUM.digest();
        let mut with_data = crc;
        with_data.update(&data);
        let mut by_hand = CKSUM.digest();
        by_hand.update(&data);
        by_hand.update(&[0x00, 0x01]);
        assert_eq!(cksum_finish(with_data, 256), by_hand.finalize());
    }

    #[test]
    fn positive_levels_one_to_three_equal_the_negative_ones() {
        for level in 1..=3 {
            assert_eq!(digest(level, b"pikt"), digest(-level, b"pikt"));
        }
        assert!(Summer::for_level(6).is_none());
        assert!(Summer::for_level(-4).is_none());
    }
}
