//! Bytes to text: UTF-8 (with or without a byte-order mark), UTF-16 with one, and anything
//! else read as Windows-1252, the encoding pages claiming Latin-1 are really in. Control,
//! zero-width and bidi-override characters become spaces or vanish, so that what the page
//! says is stored as text and nothing else; binary data and oversized documents are refused.

use super::{ExtractError, MAX_DOCUMENT_BYTES};

/// The document's text, or why it is not one.
pub fn text(bytes: &[u8]) -> Result<String, ExtractError> {
    if bytes.len() > MAX_DOCUMENT_BYTES {
        return Err(ExtractError::whole(format!(
            "the document is {} bytes; an import takes at most {} per document",
            bytes.len(),
            MAX_DOCUMENT_BYTES
        )));
    }
    let decoded = if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(rest).into_owned()
    } else if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        utf16(rest, u16::from_le_bytes)
    } else if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        utf16(rest, u16::from_be_bytes)
    } else {
        if looks_binary(bytes) {
            return Err(ExtractError::whole(
                "the document is binary data, not a posting page",
            ));
        }
        match std::str::from_utf8(bytes) {
            Ok(text) => text.to_owned(),
            Err(_) => bytes.iter().map(|&byte| windows_1252(byte)).collect(),
        }
    };
    let cleaned = clean(&decoded);
    if cleaned.trim().is_empty() {
        return Err(ExtractError::whole("the document is empty"));
    }
    Ok(cleaned)
}

fn utf16(bytes: &[u8], read: fn([u8; 2]) -> u16) -> String {
    let units = bytes.chunks_exact(2).map(|pair| read([pair[0], pair[1]]));
    char::decode_utf16(units)
        .map(|c| c.unwrap_or(char::REPLACEMENT_CHARACTER))
        .collect()
}

/// More than eight bytes, and more than one in twenty, of the first 8 KiB is a NUL or another control character that
/// no text file holds.
fn looks_binary(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let odd = head
        .iter()
        .filter(|&&byte| byte < 0x20 && !matches!(byte, b'\n' | b'\r' | b'\t' | 0x0C))
        .count();
    odd > 8 && odd * 20 > head.len()
}

/// Line breaks made `\n`; control characters (tabs aside) made spaces; zero-width and bidi
/// formatting characters and the byte-order mark dropped; non-breaking spaces kept, for the
/// listing's field separators.
fn clean(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.chars()
        .filter_map(|c| match c {
            '\n' | '\t' => Some(c),
            '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' => None,
            '\u{FEFF}' => None,
            c if c.is_control() => Some(' '),
            c => Some(c),
        })
        .collect()
}

/// One Windows-1252 byte.
fn windows_1252(byte: u8) -> char {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8D}', 'Ž',
        '\u{8F}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9D}',
        'ž', 'Ÿ',
    ];
    match byte {
        0x80..=0x9F => HIGH[usize::from(byte - 0x80)],
        _ => char::from(byte),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_decoded() {
        assert_eq!(text("Göteborg".as_bytes()).unwrap(), "Göteborg");
        assert_eq!(text(b"\xEF\xBB\xBFG\xC3\xB6teborg").unwrap(), "Göteborg");
        assert_eq!(
            text(b"G\xF6teborg \x96 \x93ok\x94").unwrap(),
            "Göteborg – “ok”"
        );
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("Malmö".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(text(&utf16).unwrap(), "Malmö");
    }

    #[test]
    fn control_and_invisible_characters_do_not_survive() {
        assert_eq!(
            text("a\u{0}b\u{202E}c\u{200B}d\r\ne".as_bytes()).unwrap(),
            "a bcd\ne"
        );
    }

    #[test]
    fn binary_empty_and_huge_documents_are_refused() {
        let binary: Vec<u8> = (0..4096u32).map(|i| (i % 7) as u8).collect();
        assert!(text(&binary).unwrap_err().reason.contains("binary"));
        assert!(text(b"  \n\t ").unwrap_err().reason.contains("empty"));
        let huge = vec![b'a'; MAX_DOCUMENT_BYTES + 1];
        assert!(text(&huge).unwrap_err().reason.contains("at most"));
    }
}
