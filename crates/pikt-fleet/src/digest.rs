//! Checksums: SHA-256 for everything the master and a host compare (bundle
//! contents, installed files; RustCrypto's `sha2`), and PIKT's levels for
//! what `piktc -m#` shows (`pikt-checksum`, the one owner of the levels).

use pikt_checksum::Level;
use sha2::{Digest, Sha256};

use crate::plan::DigestKind;

/// Lower-case hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// The SHA-256 of `bytes`, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The checksum of `kind` of `bytes`: SHA-256 as `sha256sum` prints it,
/// or a PIKT level as `$checksum` prints it (checksum and size).
pub fn checksum(kind: DigestKind, bytes: &[u8]) -> String {
    match kind {
        DigestKind::Sha256 => sha256_hex(bytes),
        DigestKind::Level(level) => match Level::from_pikt(i64::from(level)) {
            Some(level) => pikt_checksum::of_bytes(level, bytes),
            None => sha256_hex(bytes),
        },
    }
}

/// A SHA-256 fed piece by piece.
#[derive(Default)]
pub struct Sha256Stream(Sha256);

impl Sha256Stream {
    /// Adds `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest, as hex.
    pub fn finish_hex(self) -> String {
        hex(&self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_the_coreutils_tools() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            checksum(DigestKind::Level(5), b"abc"),
            "900150983cd24fb0d6963f7d28e17f72 3"
        );
        assert_eq!(
            checksum(DigestKind::Level(4), b"abc"),
            "a448017aaf21d8525fc10ae87aa6729d 3"
        );
        assert_eq!(checksum(DigestKind::Sha256, b"abc"), sha256_hex(b"abc"));
        let mut stream = Sha256Stream::default();
        stream.update(b"a");
        stream.update(b"bc");
        assert_eq!(stream.finish_hex(), sha256_hex(b"abc"));
    }
}
