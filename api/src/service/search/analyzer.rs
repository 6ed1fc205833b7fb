//! Text analysis, the one place both databases' search indexes and every query get their
//! terms from: Unicode words (NFC, lower case), stop words dropped, a Snowball stem in the
//! posting's language (English, Swedish; other languages keep their words), then diacritics
//! folded (NFKD, marks dropped), so `Göteborg`, `GOTEBORG` and `göteborg` written with a
//! combining diaeresis are one term.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Bumped whenever analysis changes what terms a text gives, or what `index::reindex` stores
/// (4: typeahead's word starts): stored analyses of another version are redone at start
/// (`index::refresh_stale`).
pub const VERSION: i32 = 4;

/// Longest word kept, in characters; longer runs are no words anyone searches for.
const MAX_WORD_CHARS: usize = 64;

/// The words of `text` as typeahead compares them: lower case, accents dropped, not
/// stemmed, stop words kept.
pub fn folded_words(text: &str) -> Vec<String> {
    let folded: String = text
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_owned)
        .collect()
}

/// How a language's words are stemmed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Stemming {
    English,
    Swedish,
    /// Other languages: words are kept as they are (lower-cased and folded).
    Plain,
}

impl Stemming {
    /// Every way a query is analyzed: a posting matches when the query matches in its own.
    pub const ALL: [Stemming; 3] = [Stemming::English, Stemming::Swedish, Stemming::Plain];

    /// The stemming of a posting written in `language` (a BCP 47 tag: `en`, `en-US`, `sv`).
    pub fn of_language(language: &str) -> Stemming {
        let primary = language
            .split(['-', '_'])
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        match primary.as_str() {
            "en" => Stemming::English,
            "sv" => Stemming::Swedish,
            _ => Stemming::Plain,
        }
    }

    /// The name stored beside a posting's analysis.
    pub fn name(self) -> &'static str {
        match self {
            Stemming::English => "en",
            Stemming::Swedish => "sv",
            Stemming::Plain => "",
        }
    }

    fn stop_words(self) -> &'static [&'static str] {
        match self {
            Stemming::English => &[
                "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "is", "of",
                "on", "or", "the", "to", "with",
            ],
            Stemming::Swedish => &[
                "av", "de", "den", "det", "du", "en", "ett", "för", "har", "i", "med", "och", "om",
                "på", "som", "till", "vi", "är", "att",
            ],
            Stemming::Plain => &[],
        }
    }

    fn stemmer(self) -> Option<Stemmer> {
        match self {
            Stemming::English => Some(Stemmer::create(Algorithm::English)),
            Stemming::Swedish => Some(Stemmer::create(Algorithm::Swedish)),
            Stemming::Plain => None,
        }
    }
}

/// A word of a text: where it is (in Unicode code points of the text) and its term, `None`
/// for a stop word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    pub start: usize,
    pub length: usize,
    pub term: Option<String>,
}

/// Analyzes texts in one language.
pub struct Analyzer {
    stemming: Stemming,
    stemmer: Option<Stemmer>,
}

impl Analyzer {
    pub fn new(stemming: Stemming) -> Self {
        Analyzer {
            stemming,
            stemmer: stemming.stemmer(),
        }
    }

    /// The terms of `text`, in order, stop words left out.
    pub fn terms(&self, text: &str) -> Vec<String> {
        self.words(text)
            .into_iter()
            .filter_map(|word| word.term)
            .collect()
    }

    /// Every word of `text`, with its place in `text` and its term.
    pub fn words(&self, text: &str) -> Vec<Word> {
        let mut words = Vec::new();
        let mut current = String::new();
        let mut start = 0;
        let mut length = 0;
        for (index, c) in text.chars().enumerate() {
            if c.is_alphanumeric() || (length > 0 && is_combining_mark(c)) {
                if length == 0 {
                    start = index;
                }
                current.push(c);
                length += 1;
            } else if length > 0 {
                words.push(self.word(&current, start, length));
                current.clear();
                length = 0;
            }
        }
        if length > 0 {
            words.push(self.word(&current, start, length));
        }
        words
    }

    fn word(&self, text: &str, start: usize, length: usize) -> Word {
        Word {
            start,
            length,
            term: self.term(text),
        }
    }

    /// The term of one word, `None` for a stop word or a word too long to be one.
    fn term(&self, word: &str) -> Option<String> {
        if word.chars().count() > MAX_WORD_CHARS {
            return None;
        }
        let lower: String = word.nfc().flat_map(char::to_lowercase).collect();
        if self.stemming.stop_words().contains(&lower.as_str()) {
            return None;
        }
        let stemmed = match &self.stemmer {
            Some(stemmer) => stemmer.stem(&lower).into_owned(),
            None => lower,
        };
        let folded: String = stemmed.nfkd().filter(|c| !is_combining_mark(*c)).collect();
        (!folded.is_empty()).then_some(folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(stemming: Stemming, text: &str) -> Vec<String> {
        Analyzer::new(stemming).terms(text)
    }

    #[test]
    fn case_and_diacritics_fold_in_every_spelling() {
        let nfc = "G\u{f6}teborg";
        let nfd = "Go\u{308}teborg";
        for stemming in Stemming::ALL {
            let expected = terms(stemming, "goteborg");
            for spelling in [nfc, nfd, "GÖTEBORG", "göteborg"] {
                assert_eq!(
                    terms(stemming, spelling),
                    expected,
                    "{spelling} ({stemming:?})"
                );
            }
            assert_eq!(terms(stemming, "ZURICH"), terms(stemming, "Zürich"));
        }
    }

    #[test]
    fn words_stem_in_their_language() {
        assert_eq!(
            terms(Stemming::English, "engineers"),
            terms(Stemming::English, "Engineer")
        );
        assert_eq!(
            terms(Stemming::English, "engineering"),
            terms(Stemming::English, "engineer")
        );
        assert_eq!(
            terms(Stemming::Swedish, "utvecklaren"),
            terms(Stemming::Swedish, "utvecklare")
        );
        assert_eq!(terms(Stemming::Plain, "engineers"), ["engineers"]);
    }

    #[test]
    fn stop_words_and_punctuation_are_no_terms() {
        assert_eq!(
            terms(Stemming::English, "The engineer, in Malmö!"),
            ["engin", "malmo"]
        );
        assert_eq!(
            terms(Stemming::Swedish, "Utvecklare i Göteborg"),
            ["utveckl", "goteborg"]
        );
        assert!(terms(Stemming::English, "\"%_\\ & | ! <-> :* ^").is_empty());
    }

    #[test]
    fn words_know_where_they_are_in_code_points() {
        let words = Analyzer::new(Stemming::Swedish).words("Öresund – terminalarbetare");
        let places: Vec<(usize, usize)> = words.iter().map(|w| (w.start, w.length)).collect();
        assert_eq!(places, [(0, 7), (10, 16)]);
    }

    #[test]
    fn languages_are_read_from_their_tags() {
        assert_eq!(Stemming::of_language("en-US"), Stemming::English);
        assert_eq!(Stemming::of_language("SV"), Stemming::Swedish);
        assert_eq!(Stemming::of_language("de"), Stemming::Plain);
        assert_eq!(Stemming::of_language(""), Stemming::Plain);
    }
}
