//! `$checksum(k, path)`: a file's checksum at one of PIKT's levels, then its
//! size and the path as given (`3885748321 29712 /bin/login`). What each
//! level computes is `pikt-checksum`'s (the one owner of the levels, which
//! `piktc -m#` uses too); this module reads the file, in 64 KiB chunks so
//! any size works.

use std::io::{ErrorKind, Read};

use pikt_checksum::{Checksum, Level};

use super::args::Call;
use super::files::open_regular;
use super::{FnEnv, FnResult};
use crate::value::Value;

/// `$checksum(k, path)`.
pub(super) fn checksum(call: &Call, env: &mut dyn FnEnv) -> FnResult {
    let level = call.int(0)?;
    let path = call.text(1)?;
    let kind = Level::from_pikt(level)
        .ok_or_else(|| call.error(format_args!("has no checksum level {level} (use -3 to 5)")))?;
    let mut checksum = Checksum::new(kind);
    feed(&path, &mut checksum, env)
        .map_err(|e| call.error(format_args!("cannot read `{path}`: {}", io_reason(&e))))?;
    let mut out = checksum.finish();
    out.push(' ');
    out.push_str(&path);
    Ok(Value::Str(out.into()))
}

/// An I/O error without the "(os error 2)" suffix.
fn io_reason(error: &std::io::Error) -> String {
    let text = error.to_string();
    match text.find(" (os error") {
        Some(cut) => text.get(..cut).unwrap_or(&text).to_lowercase(),
        None => text.to_lowercase(),
    }
}

fn feed(path: &str, checksum: &mut Checksum, env: &mut dyn FnEnv) -> std::io::Result<()> {
    let mut file = open_regular(path, env)?;
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return Ok(()),
            Ok(read) => checksum.update(buffer.get(..read).unwrap_or_default()),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}
