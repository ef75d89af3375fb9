//! `$checksum(k, path)`: a file's checksum at one of PIKT's levels.
//!
//! | k | algorithm | result, as the command prints it (without the file name) |
//! |---|---|---|
//! | -3, 3 | POSIX `cksum` CRC | `"CRC BYTES"` |
//! | -2, 2 | System V `sum` (`sum -s`) | `"SUM BLOCKS"` (512-byte blocks) |
//! | -1, 1 | BSD `sum` (`sum -r`) | `"SUM BLOCKS"`, as `%05d %5d` (1024-byte blocks) |
//! | 0 | none | `"0 BYTES"` |
//! | 4 | MD5 (`md5sum`) | 32 hex digits |
//! | 5 | SHA-256 (`sha256sum`) | 64 hex digits |
//!
//! The algorithms are written out here (each is short) rather than pulled in
//! as dependencies. Files are read in 64 KiB chunks, so any size works.

use std::io::{ErrorKind, Read};

use super::args::Call;
use super::files::open_regular;
use super::{FnEnv, FnResult};
use crate::value::{Str, Value};

/// `$checksum(k, path)`.
pub(super) fn checksum(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let level = call.int(0)?;
    let path = call.text(1)?;
    let mut summer = Summer::for_level(level)
        .ok_or_else(|| call.error(format_args!("has no checksum level {level} (use -3 to 5)")))?;
    feed(&path, &mut summer, env)
        .map_err(|e| call.error(format_args!("cannot read `{path}`: {}", io_reason(&e))))?;
    Ok(Value::Str(summer.finish()))
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
    Cksum(u32),
    Md5(Md5),
    Sha256(Sha256),
}

impl Summer {
    fn for_level(level: i64) -> Option<Summer> {
        let algorithm = match level {
            0 => Algorithm::Null,
            -1 | 1 => Algorithm::Bsd(0),
            -2 | 2 => Algorithm::SysV(0),
            -3 | 3 => Algorithm::Cksum(0),
            4 => Algorithm::Md5(Md5::new()),
            5 => Algorithm::Sha256(Sha256::new()),
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
            Algorithm::Cksum(crc) => *crc = crc_update(*crc, data),
            Algorithm::Md5(md5) => md5.update(data),
            Algorithm::Sha256(sha) => sha.update(data),
        }
    }

    fn finish(self) -> Str {
        let bytes = self.bytes;
        match self.algorithm {
            Algorithm::Null => compact_str::format_compact!("0 {bytes}"),
            Algorithm::Bsd(sum) => {
                compact_str::format_compact!("{sum:05} {:5}", bytes.div_ceil(1024))
            }
            Algorithm::SysV(sum) => {
                compact_str::format_compact!("{} {}", sysv_fold(sum), bytes.div_ceil(512))
            }
            Algorithm::Cksum(crc) => {
                compact_str::format_compact!("{} {bytes}", crc_finish(crc, bytes))
            }
            Algorithm::Md5(md5) => hex(&md5.finish()),
            Algorithm::Sha256(sha) => hex(&sha.finish()),
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

/// The POSIX `cksum` CRC table (polynomial 0x04C11DB7, most significant bit
/// first).
const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        #[allow(clippy::cast_possible_truncation)]
        let mut crc = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 0x8000_0000 != 0 {
                (crc << 1) ^ 0x04C1_1DB7
            } else {
                crc << 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
};

fn crc_update(mut crc: u32, data: &[u8]) -> u32 {
    for &byte in data {
        let slot = ((crc >> 24) as u8) ^ byte;
        crc = (crc << 8) ^ CRC_TABLE[usize::from(slot)];
    }
    crc
}

/// `cksum` ends by feeding the length, least significant byte first and
/// without trailing zero bytes, then complementing.
fn crc_finish(mut crc: u32, bytes: u64) -> u32 {
    let mut length = bytes;
    while length != 0 {
        #[allow(clippy::cast_possible_truncation)]
        let low = length as u8;
        crc = crc_update(crc, &[low]);
        length >>= 8;
    }
    !crc
}

/// Buffers input into 64-byte blocks for MD5 and SHA-256, which share the
/// padding scheme except for the byte order of the length.
struct Blocks {
    pending: [u8; 64],
    filled: usize,
    total: u64,
}

impl Blocks {
    fn new() -> Self {
        Blocks {
            pending: [0; 64],
            filled: 0,
            total: 0,
        }
    }

    /// Appends `data`, calling `compress` on every complete block.
    fn update(&mut self, mut data: &[u8], compress: &mut dyn FnMut(&[u8; 64])) {
        self.total = self.total.wrapping_add(data.len() as u64);
        while !data.is_empty() {
            let room = 64 - self.filled;
            let take = room.min(data.len());
            let (head, tail) = data.split_at(take);
            if let Some(slot) = self.pending.get_mut(self.filled..self.filled + take) {
                slot.copy_from_slice(head);
            }
            self.filled += take;
            data = tail;
            if self.filled == 64 {
                compress(&self.pending);
                self.filled = 0;
            }
        }
    }

    /// Pads with 0x80, zeros and the bit length (`big_endian` for SHA-256).
    fn finish(mut self, big_endian: bool, compress: &mut dyn FnMut(&[u8; 64])) {
        let bits = self.total.wrapping_mul(8);
        let length = if big_endian {
            bits.to_be_bytes()
        } else {
            bits.to_le_bytes()
        };
        let mut tail = [0u8; 72];
        tail[0] = 0x80;
        let pad = if self.filled < 56 {
            56 - self.filled
        } else {
            120 - self.filled
        };
        if let Some(slot) = tail.get_mut(pad..pad + 8) {
            slot.copy_from_slice(&length);
        }
        let total = self.total;
        self.update(tail.get(..pad + 8).unwrap_or_default(), compress);
        // The padding is not message data.
        self.total = total;
    }
}

/// MD5 (RFC 1321).
struct Md5 {
    state: [u32; 4],
    blocks: Blocks,
}

const MD5_SHIFTS: [u32; 16] = [7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21];

/// `floor(abs(sin(i + 1)) * 2^32)`, as RFC 1321 lists them.
const MD5_K: [u32; 64] = [
    0xd76a_a478,
    0xe8c7_b756,
    0x2420_70db,
    0xc1bd_ceee,
    0xf57c_0faf,
    0x4787_c62a,
    0xa830_4613,
    0xfd46_9501,
    0x6980_98d8,
    0x8b44_f7af,
    0xffff_5bb1,
    0x895c_d7be,
    0x6b90_1122,
    0xfd98_7193,
    0xa679_438e,
    0x49b4_0821,
    0xf61e_2562,
    0xc040_b340,
    0x265e_5a51,
    0xe9b6_c7aa,
    0xd62f_105d,
    0x0244_1453,
    0xd8a1_e681,
    0xe7d3_fbc8,
    0x21e1_cde6,
    0xc337_07d6,
    0xf4d5_0d87,
    0x455a_14ed,
    0xa9e3_e905,
    0xfcef_a3f8,
    0x676f_02d9,
    0x8d2a_4c8a,
    0xfffa_3942,
    0x8771_f681,
    0x6d9d_6122,
    0xfde5_380c,
    0xa4be_ea44,
    0x4bde_cfa9,
    0xf6bb_4b60,
    0xbebf_bc70,
    0x289b_7ec6,
    0xeaa1_27fa,
    0xd4ef_3085,
    0x0488_1d05,
    0xd9d4_d039,
    0xe6db_99e5,
    0x1fa2_7cf8,
    0xc4ac_5665,
    0xf429_2244,
    0x432a_ff97,
    0xab94_23a7,
    0xfc93_a039,
    0x655b_59c3,
    0x8f0c_cc92,
    0xffef_f47d,
    0x8584_5dd1,
    0x6fa8_7e4f,
    0xfe2c_e6e0,
    0xa301_4314,
    0x4e08_11a1,
    0xf753_7e82,
    0xbd3a_f235,
    0x2ad7_d2bb,
    0xeb86_d391,
];

impl Md5 {
    fn new() -> Self {
        Md5 {
            state: [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476],
            blocks: Blocks::new(),
        }
    }

    fn update(&mut self, data: &[u8]) {
        let state = &mut self.state;
        self.blocks
            .update(data, &mut |block| md5_compress(state, block));
    }

    fn finish(mut self) -> [u8; 16] {
        let state = &mut self.state;
        self.blocks
            .finish(false, &mut |block| md5_compress(state, block));
        let mut out = [0u8; 16];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        out
    }
}

// The one-letter names are the standard's.
#[allow(clippy::many_single_char_names)]
fn md5_compress(state: &mut [u32; 4], block: &[u8; 64]) {
    let mut m = [0u32; 16];
    for (word, bytes) in m.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_le_bytes(bytes.try_into().unwrap_or([0; 4]));
    }
    let [mut a, mut b, mut c, mut d] = *state;
    for i in 0..64 {
        let (f, g) = match i / 16 {
            0 => ((b & c) | (!b & d), i),
            1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
            2 => (b ^ c ^ d, (3 * i + 5) % 16),
            _ => (c ^ (b | !d), (7 * i) % 16),
        };
        let rotated = a
            .wrapping_add(f)
            .wrapping_add(MD5_K[i])
            .wrapping_add(m[g])
            .rotate_left(MD5_SHIFTS[(i / 16) * 4 + i % 4]);
        a = d;
        d = c;
        c = b;
        b = b.wrapping_add(rotated);
    }
    for (word, add) in state.iter_mut().zip([a, b, c, d]) {
        *word = word.wrapping_add(add);
    }
}

/// SHA-256 (FIPS 180-4).
struct Sha256 {
    state: [u32; 8],
    blocks: Blocks,
}

const SHA256_K: [u32; 64] = [
    0x428a_2f98,
    0x7137_4491,
    0xb5c0_fbcf,
    0xe9b5_dba5,
    0x3956_c25b,
    0x59f1_11f1,
    0x923f_82a4,
    0xab1c_5ed5,
    0xd807_aa98,
    0x1283_5b01,
    0x2431_85be,
    0x550c_7dc3,
    0x72be_5d74,
    0x80de_b1fe,
    0x9bdc_06a7,
    0xc19b_f174,
    0xe49b_69c1,
    0xefbe_4786,
    0x0fc1_9dc6,
    0x240c_a1cc,
    0x2de9_2c6f,
    0x4a74_84aa,
    0x5cb0_a9dc,
    0x76f9_88da,
    0x983e_5152,
    0xa831_c66d,
    0xb003_27c8,
    0xbf59_7fc7,
    0xc6e0_0bf3,
    0xd5a7_9147,
    0x06ca_6351,
    0x1429_2967,
    0x27b7_0a85,
    0x2e1b_2138,
    0x4d2c_6dfc,
    0x5338_0d13,
    0x650a_7354,
    0x766a_0abb,
    0x81c2_c92e,
    0x9272_2c85,
    0xa2bf_e8a1,
    0xa81a_664b,
    0xc24b_8b70,
    0xc76c_51a3,
    0xd192_e819,
    0xd699_0624,
    0xf40e_3585,
    0x106a_a070,
    0x19a4_c116,
    0x1e37_6c08,
    0x2748_774c,
    0x34b0_bcb5,
    0x391c_0cb3,
    0x4ed8_aa4a,
    0x5b9c_ca4f,
    0x682e_6ff3,
    0x748f_82ee,
    0x78a5_636f,
    0x84c8_7814,
    0x8cc7_0208,
    0x90be_fffa,
    0xa450_6ceb,
    0xbef9_a3f7,
    0xc671_78f2,
];

impl Sha256 {
    fn new() -> Self {
        Sha256 {
            state: [
                0x6a09_e667,
                0xbb67_ae85,
                0x3c6e_f372,
                0xa54f_f53a,
                0x510e_527f,
                0x9b05_688c,
                0x1f83_d9ab,
                0x5be0_cd19,
            ],
            blocks: Blocks::new(),
        }
    }

    fn update(&mut self, data: &[u8]) {
        let state = &mut self.state;
        self.blocks
            .update(data, &mut |block| sha256_compress(state, block));
    }

    fn finish(mut self) -> [u8; 32] {
        let state = &mut self.state;
        self.blocks
            .finish(true, &mut |block| sha256_compress(state, block));
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

// The one-letter names are the standard's.
#[allow(clippy::many_single_char_names)]
fn sha256_compress(state: &mut [u32; 8], block: &[u8; 64]) {
    let mut w = [0u32; 64];
    for (word, bytes) in w.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_be_bytes(bytes.try_into().unwrap_or([0; 4]));
    }
    for i in 16..64 {
        let s0 = w[i - 15].rotate_right(7) ^ w[i - 15].rotate_right(18) ^ (w[i - 15] >> 3);
        let s1 = w[i - 2].rotate_right(17) ^ w[i - 2].rotate_right(19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16]
            .wrapping_add(s0)
            .wrapping_add(w[i - 7])
            .wrapping_add(s1);
    }
    let [mut a, mut b, mut c, mut d, mut e, mut f, mut g, mut h] = *state;
    for (k, word) in SHA256_K.iter().zip(w) {
        let s1 = e.rotate_right(6) ^ e.rotate_right(11) ^ e.rotate_right(25);
        let choose = (e & f) ^ (!e & g);
        let t1 = h
            .wrapping_add(s1)
            .wrapping_add(choose)
            .wrapping_add(*k)
            .wrapping_add(word);
        let s0 = a.rotate_right(2) ^ a.rotate_right(13) ^ a.rotate_right(22);
        let majority = (a & b) ^ (a & c) ^ (b & c);
        let t2 = s0.wrapping_add(majority);
        h = g;
        g = f;
        f = e;
        e = d.wrapping_add(t1);
        d = c;
        c = b;
        b = a;
        a = t1.wrapping_add(t2);
    }
    for (word, add) in state.iter_mut().zip([a, b, c, d, e, f, g, h]) {
        *word = word.wrapping_add(add);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest(level: i64, data: &[u8]) -> Str {
        let mut summer = Summer::for_level(level).unwrap();
        // Feed in uneven pieces to exercise the block buffering.
        for piece in data.chunks(7) {
            summer.update(piece);
        }
        summer.finish()
    }

    #[test]
    fn md5_matches_rfc_1321_vectors() {
        assert_eq!(digest(4, b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(digest(4, b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            digest(
                4,
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }

    #[test]
    fn sha256_matches_fips_vectors() {
        assert_eq!(
            digest(5, b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            digest(5, b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            digest(
                5,
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
            ),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        );
    }

    #[test]
    fn sums_match_coreutils() {
        // Expected values from GNU coreutils 9 on the same bytes.
        let data = b"hello world\n";
        assert_eq!(digest(-3, data), "3733384285 12");
        assert_eq!(digest(-2, data), "1126 1");
        assert_eq!(digest(-1, data), "03762     1");
        assert_eq!(digest(0, data), "0 12");
        assert_eq!(digest(-3, b""), "4294967295 0");
        assert_eq!(digest(-1, b""), "00000     0");
        assert_eq!(digest(-2, b""), "0 0");
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
