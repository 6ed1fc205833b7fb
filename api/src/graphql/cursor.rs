//! Pagination cursors: a keyset position and the sort it belongs to, as base64url JSON with an
//! HMAC-SHA256 tag, so a tampered or forged cursor is refused instead of read.

use std::sync::Arc;

use async_graphql::connection::CursorType;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::ServiceError;
use crate::service::keyset::Position;

type HmacSha256 = Hmac<Sha256>;

/// Bytes of the tag kept in a cursor; 128 bits is far beyond guessing.
const TAG_LEN: usize = 16;

#[derive(Deserialize)]
struct Payload {
    /// The sort the position belongs to.
    s: String,
    p: Position,
}

/// [`Payload`] as it is written.
#[derive(Serialize)]
struct PayloadRef<'a> {
    s: &'a str,
    p: &'a Position,
}

/// Signs and verifies cursors with one secret.
#[derive(Clone)]
pub struct CursorCodec {
    /// The HMAC keyed once; every tag starts from a copy of it.
    keyed: Arc<HmacSha256>,
}

impl std::fmt::Debug for CursorCodec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorCodec(..)")
    }
}

impl CursorCodec {
    pub fn new(secret: &[u8]) -> Self {
        // HMAC takes keys of any length, so this cannot fail.
        let keyed = HmacSha256::new_from_slice(secret)
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        CursorCodec {
            keyed: Arc::new(keyed),
        }
    }

    fn tag(&self, payload: &[u8]) -> HmacSha256 {
        let mut mac = HmacSha256::clone(&self.keyed);
        mac.update(payload);
        mac
    }

    /// The cursor of `position` in a list sorted by `sort`, signed when a client reads it:
    /// a page computes one per row, and most clients read only the last.
    pub fn cursor(&self, sort: &'static str, position: Position) -> PageCursor {
        PageCursor {
            codec: self.clone(),
            sort,
            position,
        }
    }

    /// The signed cursor of `position` in a list sorted by `sort`.
    pub fn encode(&self, sort: &str, position: &Position) -> String {
        let payload = serde_json::to_vec(&PayloadRef {
            s: sort,
            p: position,
        })
        .unwrap_or_default();
        let tag = self.tag(&payload).finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(&tag[..TAG_LEN])
        )
    }

    /// Reads a cursor of a list sorted by `sort`; `field` names the argument in the error.
    pub fn decode(&self, cursor: &str, sort: &str, field: &str) -> Result<Position, ServiceError> {
        let invalid = || ServiceError::invalid(field, "is not a cursor this list issued");
        let (payload, tag) = cursor.split_once('.').ok_or_else(invalid)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid())?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid())?;
        self.tag(&payload)
            .verify_truncated_left(&tag)
            .map_err(|_| invalid())?;
        if tag.len() != TAG_LEN {
            return Err(invalid());
        }
        let payload: Payload = serde_json::from_slice(&payload).map_err(|_| invalid())?;
        if payload.s != sort {
            return Err(ServiceError::invalid(
                field,
                "belongs to a list in another order",
            ));
        }
        Ok(payload.p)
    }
}

/// The cursor of one row of a page.
pub struct PageCursor {
    codec: CursorCodec,
    sort: &'static str,
    position: Position,
}

impl CursorType for PageCursor {
    type Error = &'static str;

    /// Cursors arrive as arguments and are read by [`CursorCodec::decode`], never here.
    fn decode_cursor(_: &str) -> Result<Self, Self::Error> {
        Err("cursors are decoded with the list's sort")
    }

    fn encode_cursor(&self) -> String {
        self.codec.encode(self.sort, &self.position)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::keyset::SortValue;

    fn position() -> Position {
        Position {
            key: SortValue::Text("Backend Engineer".into()),
            id: uuid::Uuid::now_v7(),
        }
    }

    #[test]
    fn cursors_round_trip() {
        let codec = CursorCodec::new(b"secret");
        let position = position();
        let cursor = codec.encode("title", &position);
        assert_eq!(codec.decode(&cursor, "title", "after").ok(), Some(position));
    }

    #[test]
    fn a_tampered_cursor_is_refused() {
        let codec = CursorCodec::new(b"secret");
        let cursor = codec.encode("title", &position());
        let (payload, tag) = cursor.split_once('.').unwrap_or_default();
        let mut bytes = URL_SAFE_NO_PAD.decode(payload).unwrap_or_default();
        bytes[5] ^= 1;
        let tampered = format!("{}.{}", URL_SAFE_NO_PAD.encode(bytes), tag);
        assert!(codec.decode(&tampered, "title", "after").is_err());
    }

    #[test]
    fn a_cursor_signed_with_another_secret_is_refused() {
        let cursor = CursorCodec::new(b"other").encode("title", &position());
        assert!(
            CursorCodec::new(b"secret")
                .decode(&cursor, "title", "after")
                .is_err()
        );
    }

    #[test]
    fn a_cursor_of_another_order_is_refused() {
        let codec = CursorCodec::new(b"secret");
        let cursor = codec.encode("title", &position());
        assert!(codec.decode(&cursor, "posted_at", "after").is_err());
    }

    #[test]
    fn a_truncated_tag_is_refused() {
        let codec = CursorCodec::new(b"secret");
        let cursor = codec.encode("title", &position());
        assert!(
            codec
                .decode(&cursor[..cursor.len() - 10], "title", "after")
                .is_err()
        );
    }
}
