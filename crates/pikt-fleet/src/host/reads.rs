//! Reading files back for the master (`-f`, `-w`, `-m#`): each file's
//! mode, owner, checksum and, when asked, content. A symbolic link is
//! reported, not followed; files over [`READ_LIMIT`] are refused.

use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use crate::digest::{checksum, sha256_hex};
use crate::plan::{DigestKind, ReadRequest};
use crate::report::{ReadResult, ReadState, Report};

/// The largest file read back.
pub const READ_LIMIT: u64 = 64 << 20;

pub(super) fn read_back(requests: &[ReadRequest], report: &mut Report) {
    report.reads.extend(requests.iter().map(read_one));
}

fn read_one(request: &ReadRequest) -> ReadResult {
    let mut result = ReadResult {
        path: request.path.clone(),
        what: request.what.clone(),
        ..ReadResult::default()
    };
    let meta = match std::fs::symlink_metadata(&request.path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            result.state = ReadState::Missing;
            return result;
        }
        Err(e) => {
            result.state = ReadState::Error(pikt_config::loader::plain_io_error(&e));
            return result;
        }
    };
    result.mode = meta.permissions().mode() & 0o7777;
    result.uid = meta.uid();
    result.gid = meta.gid();
    let refuse = if meta.file_type().is_symlink() {
        Some("is a symbolic link".to_string())
    } else if !meta.is_file() {
        Some("is not a regular file".to_string())
    } else if meta.len() > READ_LIMIT {
        Some(format!("is larger than {} MiB", READ_LIMIT >> 20))
    } else {
        None
    };
    if let Some(why) = refuse {
        result.state = ReadState::Error(why);
        return result;
    }
    match std::fs::read(&request.path) {
        Ok(bytes) => {
            result.sha256 = sha256_hex(&bytes);
            result.digest = match request.digest {
                DigestKind::Sha256 => result.sha256.clone(),
                kind => checksum(kind, &bytes),
            };
            if request.content {
                result.content = bytes;
            }
        }
        Err(e) => result.state = ReadState::Error(pikt_config::loader::plain_io_error(&e)),
    }
    result
}
