//! PIKT's checksum levels: the one owner of "level k is this checksum",
//! used by `$checksum(k, path)` (pikt-runtime) and `piktc -m#` (pikt-fleet).
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
//! computed in-process, so they do agree. The digests come from the
//! RustCrypto `md4`/`md-5` crates and the CRC from the `crc` crate; the two
//! 16-bit sums are a line each. A [`Checksum`] is fed piece by piece, so any
//! size works; this crate does no I/O.

use crc::{Crc, Digest as CrcDigest, CRC_32_CKSUM};
use md4::Digest as _;

/// The CRC of POSIX `cksum`.
const CKSUM: Crc<u32> = Crc::<u32>::new(&CRC_32_CKSUM);

/// The block size of both `sum` levels.
const SUM_BLOCK: u64 = 512;

/// One of PIKT's checksum kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// 0: no checksum, only the size.
    Null,
    /// ±1: BSD `sum` (`sum -r`).
    Bsd,
    /// ±2: System V `sum`.
    SysV,
    /// ±3: POSIX `cksum`.
    Cksum,
    /// 4: MD4.
    Md4,
    /// 5: MD5.
    Md5,
}

impl Level {
    /// The kind PIKT's level `k` (-3 to 5) names; `-k` and `k` name the same.
    pub fn from_pikt(k: i64) -> Option<Level> {
        Some(match k {
            0 => Level::Null,
            -1 | 1 => Level::Bsd,
            -2 | 2 => Level::SysV,
            -3 | 3 => Level::Cksum,
            4 => Level::Md4,
            5 => Level::Md5,
            _ => return None,
        })
    }

    /// Its name, for help and messages.
    pub fn name(self) -> &'static str {
        match self {
            Level::Null => "no checksum",
            Level::Bsd => "BSD sum",
            Level::SysV => "System V sum",
            Level::Cksum => "POSIX cksum",
            Level::Md4 => "MD4",
            Level::Md5 => "MD5",
        }
    }
}

/// A checksum being computed, with the byte count every level reports.
pub struct Checksum {
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

impl Checksum {
    /// A checksum of kind `level`, fed nothing yet.
    pub fn new(level: Level) -> Checksum {
        let algorithm = match level {
            Level::Null => Algorithm::Null,
            Level::Bsd => Algorithm::Bsd(0),
            Level::SysV => Algorithm::SysV(0),
            Level::Cksum => Algorithm::Cksum(CKSUM.digest()),
            Level::Md4 => Algorithm::Md4(Box::default()),
            Level::Md5 => Algorithm::Md5(Box::default()),
        };
        Checksum {
            algorithm,
            bytes: 0,
        }
    }

    /// Adds `data`.
    pub fn update(&mut self, data: &[u8]) {
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

    /// The checksum and the size, one blank apart, without the file name
    /// (`3733384285 12`).
    pub fn finish(self) -> String {
        let bytes = self.bytes;
        let blocks = bytes.div_ceil(SUM_BLOCK);
        match self.algorithm {
            Algorithm::Null => format!("0 {bytes}"),
            Algorithm::Bsd(sum) => format!("{sum} {blocks}"),
            Algorithm::SysV(sum) => format!("{} {blocks}", sysv_fold(sum)),
            Algorithm::Cksum(crc) => format!("{} {bytes}", cksum_finish(crc, bytes)),
            Algorithm::Md4(md4) => format!("{} {bytes}", hex(&md4.finalize())),
            Algorithm::Md5(md5) => format!("{} {bytes}", hex(&md5.finalize())),
        }
    }
}

/// The checksum of kind `level` of `data`, with its size.
pub fn of_bytes(level: Level, data: &[u8]) -> String {
    let mut checksum = Checksum::new(level);
    checksum.update(data);
    checksum.finish()
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(digest.len() * 2);
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

    fn digest(level: i64, data: &[u8]) -> String {
        let mut checksum = Checksum::new(Level::from_pikt(level).unwrap_or(Level::Null));
        // Feed in uneven pieces: the result must not depend on them.
        for piece in data.chunks(7) {
            checksum.update(piece);
        }
        checksum.finish()
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
        assert_eq!(of_bytes(Level::Md5, data), digest(5, data));
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
        let mut with_data = CKSUM.digest();
        with_data.update(&data);
        let mut by_hand = CKSUM.digest();
        by_hand.update(&data);
        by_hand.update(&[0x00, 0x01]);
        assert_eq!(cksum_finish(with_data, 256), by_hand.finalize());
    }

    #[test]
    fn levels_minus_k_and_k_are_the_same_and_the_range_is_minus_3_to_5() {
        for level in 1..=3 {
            assert_eq!(digest(level, b"pikt"), digest(-level, b"pikt"));
        }
        assert_eq!(Level::from_pikt(4), Some(Level::Md4));
        assert_eq!(Level::from_pikt(5), Some(Level::Md5));
        assert!(Level::from_pikt(6).is_none());
        assert!(Level::from_pikt(-4).is_none());
    }
}
