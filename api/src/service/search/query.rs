//! What a reader types, read with web-search syntax: words (all must match), `"exact
//! phrases"`, `-excluded` words or phrases, and `OR` between two words or phrases. Anything
//! else is a literal word: quotes that do not pair up, `%`, `*`, `:`, operators of tsquery or
//! FTS5 are only characters, which analysis drops or keeps as words. Nothing a reader types is
//! ever passed to a database's own query syntax.

use super::analyzer::{Analyzer, Stemming};
use crate::error::ServiceError;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// Most words and phrases one query may hold.
pub const MAX_QUERY_ITEMS: usize = 12;

/// A word or a quoted phrase, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Item {
    text: String,
}

/// One condition of a query: any of its items (one, or several joined by `OR`), or none of
/// them (an exclusion).
#[derive(Clone, Debug, PartialEq, Eq)]
enum Clause {
    Any(Vec<Item>),
    Not(Item),
}

/// A query as parsed, before analysis.
struct Parsed {
    clauses: Vec<Clause>,
    /// The words of the positive clauses in the order typed, for the phrase bonus.
    typed: Vec<Item>,
}

/// A query, analyzed once (when parsed) in each language postings can be written in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchQuery {
    branches: Vec<Branch>,
}

/// A phrase's terms: consecutive terms that must appear in this order, one after the other
/// (a single term is a phrase of one).
pub type Phrase = Vec<String>;

/// A query analyzed in one language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Branch {
    pub stemming: Stemming,
    /// Every group must match; a group matches when any of its phrases does.
    pub groups: Vec<Vec<Phrase>>,
    /// No posting matching one of these phrases matches the query.
    pub excluded: Vec<Phrase>,
    /// Pairs of terms typed next to each other: a posting holding them as a phrase ranks
    /// higher.
    pub adjacent: Vec<Phrase>,
    /// Whether the query can match at all in this language (it cannot when all it holds are
    /// stop words here).
    pub can_match: bool,
}

impl Branch {
    /// Every term the query asks for, in order, each once.
    pub fn wanted_terms(&self) -> Vec<&str> {
        let mut terms: Vec<&str> = Vec::new();
        for term in self.groups.iter().flatten().flatten() {
            if !terms.contains(&term.as_str()) {
                terms.push(term);
            }
        }
        terms
    }
}

impl SearchQuery {
    /// Parses `text`; `None` when it holds nothing to search for (empty, whitespace).
    /// `field` names the argument in errors.
    pub fn parse(text: &str, field: &str) -> Result<Option<SearchQuery>, ServiceError> {
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(ServiceError::invalid(
                field,
                format!("may be at most {MAX_QUERY_CHARS} characters long"),
            ));
        }
        let tokens = tokens(text);
        let mut clauses: Vec<Clause> = Vec::new();
        let mut typed = Vec::new();
        let mut items = 0;
        let mut index = 0;
        while index < tokens.len() {
            let token = &tokens[index];
            index += 1;
            let joins = !token.quoted && !token.negated && token.text == "OR";
            let previous_is_positive = matches!(clauses.last(), Some(Clause::Any(_)));
            let next_is_positive = tokens.get(index).is_some_and(|next| !next.negated);
            if joins && previous_is_positive && next_is_positive {
                let next = &tokens[index];
                index += 1;
                let item = Item {
                    text: next.text.clone(),
                };
                typed.push(item.clone());
                if let Some(Clause::Any(group)) = clauses.last_mut() {
                    group.push(item);
                }
                items += 1;
                continue;
            }
            let item = Item {
                text: token.text.clone(),
            };
            items += 1;
            if token.negated {
                clauses.push(Clause::Not(item));
            } else {
                typed.push(item.clone());
                clauses.push(Clause::Any(vec![item]));
            }
        }
        if items > MAX_QUERY_ITEMS {
            return Err(ServiceError::invalid(
                field,
                format!("may hold at most {MAX_QUERY_ITEMS} words and phrases"),
            ));
        }
        let parsed = Parsed { clauses, typed };
        let branches: Vec<Branch> = Stemming::ALL
            .iter()
            .map(|&stemming| parsed.branch(stemming))
            .collect();
        // Nothing left to look for in any language: no text condition at all.
        let nothing = branches
            .iter()
            .all(|branch| branch.groups.is_empty() && branch.excluded.is_empty());
        Ok((!nothing).then_some(SearchQuery { branches }))
    }

    /// The query analyzed in each language postings can be written in.
    pub fn branches(&self) -> &[Branch] {
        &self.branches
    }
}

impl Parsed {
    fn branch(&self, stemming: Stemming) -> Branch {
        let analyzer = Analyzer::new(stemming);
        let phrase = |item: &Item| analyzer.terms(&item.text);
        let mut groups = Vec::new();
        let mut excluded = Vec::new();
        for clause in &self.clauses {
            match clause {
                Clause::Any(items) => {
                    let phrases: Vec<Phrase> = items.iter().map(phrase).collect();
                    // An alternative that is only stop words here is no condition at all.
                    if phrases.iter().all(|phrase| !phrase.is_empty()) {
                        groups.push(phrases);
                    }
                }
                Clause::Not(item) => {
                    let phrase = phrase(item);
                    if !phrase.is_empty() {
                        excluded.push(phrase);
                    }
                }
            }
        }
        let typed: Vec<String> = self.typed.iter().flat_map(phrase).collect();
        let adjacent = typed
            .windows(2)
            .filter(|pair| pair[0] != pair[1])
            .map(<[String]>::to_vec)
            .collect();
        // Only stop words here, and nothing excluded: there is nothing to match in this
        // language (the query still matches in the others).
        let can_match = !(groups.is_empty() && excluded.is_empty());
        Branch {
            stemming,
            groups,
            excluded,
            adjacent,
            can_match,
        }
    }
}

/// A word or a quoted phrase as typed, and whether `-` excludes it.
#[derive(Debug)]
struct Token {
    text: String,
    quoted: bool,
    negated: bool,
}

/// Splits `text` into words and quoted phrases. A quote without a partner is a space.
fn tokens(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let quotes = chars.iter().filter(|&&c| c == '"').count();
    // The last quote is unpaired when there is an odd number of them.
    let unpaired = (quotes % 2 == 1).then(|| chars.iter().rposition(|&c| c == '"'));
    let unpaired = unpaired.flatten();
    let mut tokens = Vec::new();
    let mut index = 0;
    while index < chars.len() {
        let c = chars[index];
        if c.is_whitespace() || Some(index) == unpaired {
            index += 1;
            continue;
        }
        let negated = c == '-'
            && chars
                .get(index + 1)
                .is_some_and(|next| !next.is_whitespace() && Some(index + 1) != unpaired);
        let start = if negated { index + 1 } else { index };
        if chars[start] == '"' && Some(start) != unpaired {
            let end = (start + 1..chars.len())
                .find(|&i| chars[i] == '"')
                .unwrap_or(chars.len());
            tokens.push(Token {
                text: chars[start + 1..end].iter().collect(),
                quoted: true,
                negated,
            });
            index = end + 1;
            continue;
        }
        let end = (start..chars.len())
            .find(|&i| chars[i].is_whitespace() || (chars[i] == '"' && Some(i) != unpaired))
            .unwrap_or(chars.len());
        tokens.push(Token {
            text: chars[start..end].iter().collect(),
            quoted: false,
            negated,
        });
        index = end;
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english(text: &str) -> Branch {
        let query = SearchQuery::parse(text, "q").unwrap().expect("a query");
        query
            .branches()
            .iter()
            .find(|branch| branch.stemming == Stemming::English)
            .unwrap()
            .clone()
    }

    fn phrase(terms: &[&str]) -> Phrase {
        terms.iter().map(|term| (*term).to_owned()).collect()
    }

    #[test]
    fn words_phrases_exclusions_and_or() {
        let branch = english(r#"backend "site reliability" -senior rust OR go"#);
        assert_eq!(
            branch.groups,
            vec![
                vec![phrase(&["backend"])],
                vec![phrase(&["site", "reliabl"])],
                vec![phrase(&["rust"]), phrase(&["go"])],
            ]
        );
        assert_eq!(branch.excluded, vec![phrase(&["senior"])]);
        assert!(branch.can_match);
    }

    #[test]
    fn operators_of_other_syntaxes_are_literal() {
        for text in [
            r#"a & b | !c <-> d:* "#,
            "NEAR(a b) AND NOT c* ^d col:e",
            "'; DROP TABLE posting; --",
            "100% _x_ \\ \"unbalanced",
        ] {
            let query = SearchQuery::parse(text, "q").unwrap().expect("words");
            for branch in query.branches() {
                for term in branch.groups.iter().flatten().flatten() {
                    assert!(term.chars().all(char::is_alphanumeric), "{text}: {term}");
                }
            }
        }
        let branch = english("\"unbalanced quote");
        assert_eq!(
            branch.groups,
            vec![vec![phrase(&["unbalanc"])], vec![phrase(&["quot"])]]
        );
    }

    #[test]
    fn nothing_to_look_for_is_no_condition() {
        for text in ["", "   ", "\t\n", "\"\"", "- -", "&|!"] {
            assert_eq!(SearchQuery::parse(text, "q").unwrap(), None, "{text:?}");
        }
    }

    #[test]
    fn a_query_of_stop_words_only_matches_nothing_in_that_language() {
        let branch = english("the of");
        assert!(!branch.can_match);
    }

    #[test]
    fn or_at_the_edges_is_a_word() {
        let branch = english("OR rust OR");
        assert_eq!(branch.groups, vec![vec![phrase(&["rust"])]]);
    }

    #[test]
    fn too_long_or_too_many_words_is_bad_input() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert!(SearchQuery::parse(&long, "filter.query").is_err());
        let many = (0..=MAX_QUERY_ITEMS)
            .map(|i| format!("w{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        assert!(SearchQuery::parse(&many, "filter.query").is_err());
    }

    #[test]
    fn typed_neighbours_make_adjacent_pairs() {
        let branch = english("senior rust engineer");
        assert_eq!(
            branch.adjacent,
            vec![phrase(&["senior", "rust"]), phrase(&["rust", "engin"])]
        );
    }
}
