//! The local development secret: on the embedded default with no key configured, a random
//! HS256 secret kept in a file beside the database (mode 0600), so `jobgraph token` can sign
//! tokens the server accepts. Never used when a database or a key is configured.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;

/// The file name, beside the embedded database.
pub const FILE_NAME: &str = "jobgraph.dev-secret";

/// Where the secret of the embedded database at `database_path` lives.
pub fn path_beside(database_path: &Path) -> PathBuf {
    database_path
        .parent()
        .map(|dir| dir.join(FILE_NAME))
        .unwrap_or_else(|| PathBuf::from(FILE_NAME))
}

/// Reads the secret at `path`, creating it first if there is none. The flag says whether it
/// was created now.
pub fn load_or_create(path: &Path) -> std::io::Result<(String, bool)> {
    match std::fs::read_to_string(path) {
        Ok(secret) if !secret.trim().is_empty() => return Ok((secret.trim().to_owned(), false)),
        Ok(_) => {}
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(error),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(secret.as_bytes())?;
    Ok((secret, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_created_once_private_and_then_reused() {
        let dir = std::env::temp_dir().join(format!("jobgraph-secret-{}", uuid::Uuid::now_v7()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        let path = dir.join(FILE_NAME);
        let (first, created) = load_or_create(&path).expect("created");
        assert!(created);
        assert!(first.len() >= 40);
        let (again, created) = load_or_create(&path).expect("read");
        assert!(!created);
        assert_eq!(first, again);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path)
                .expect("metadata")
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
