//! Limits on a GraphQL document, checked before it is parsed, in one pass over its tokens
//! and time linear in its size.
//!
//! async-graphql's parser recurses over the input before any check of its own (a deep enough
//! document overflows a worker's stack, which aborts the process), and its depth and
//! complexity checks expand fragment spreads, so a document whose fragments each spread the
//! next one twice costs 2^n. Here a document is read once as tokens; each operation and
//! fragment is summarised (fields, spreads, aliases, depth), and spreads are expanded over
//! those summaries, each definition once, so no fan-out is ever walked. Fragment cycles are
//! refused. Only documents within every limit reach the parser, whose recursion is then
//! bounded by the depth limits, and async-graphql's own checks (complexity with list
//! multipliers), whose cost is then bounded by the expanded field count.
//!
//! Introspection (`__schema`, `__type`) has a nesting limit of its own, so that the standard
//! introspection query of graphql-js (which GraphiQL and client generators send) works while
//! deeper or circular introspection stays bounded.

use std::collections::HashMap;

use async_graphql::ServerError;

pub use crate::config::DocumentLimits;
use crate::error::ErrorCode;

/// Which limit a document broke, for `extensions.limit`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Bytes,
    Tokens,
    Depth,
    IntrospectionDepth,
    Fields,
    RootFields,
    Aliases,
    Spreads,
    Directives,
    ValueDepth,
    FragmentCycle,
}

impl Limit {
    pub fn name(self) -> &'static str {
        match self {
            Limit::Bytes => "bytes",
            Limit::Tokens => "tokens",
            Limit::Depth => "depth",
            Limit::IntrospectionDepth => "introspectionDepth",
            Limit::Fields => "fields",
            Limit::RootFields => "rootFields",
            Limit::Aliases => "aliases",
            Limit::Spreads => "spreads",
            Limit::Directives => "directives",
            Limit::ValueDepth => "valueDepth",
            Limit::FragmentCycle => "fragmentCycle",
        }
    }
}

/// A document refused by a limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub limit: Limit,
    pub message: String,
}

impl Refusal {
    fn new(limit: Limit, message: String) -> Self {
        Refusal { limit, message }
    }

    fn over(
        limit: Limit,
        what: &str,
        found: impl std::fmt::Display,
        most: impl std::fmt::Display,
    ) -> Self {
        Refusal::new(limit, format!("{what}: {found}, at most {most}"))
    }

    /// The request error clients get: `GRAPHQL_VALIDATION_FAILED` with `extensions.limit`.
    pub fn into_server_error(self) -> ServerError {
        let mut error = ServerError::new(self.message, None);
        let extensions = error.extensions.get_or_insert_with(Default::default);
        extensions.set("code", ErrorCode::GraphqlValidationFailed.as_str());
        extensions.set("limit", self.limit.name());
        error
    }
}

/// Checks `text`'s length alone: what may be checked before anything reads the text whole
/// (hashing it for a cache key, say).
pub fn check_size(limits: &DocumentLimits, text: &str) -> Result<(), Refusal> {
    if text.len() > limits.max_bytes {
        return Err(Refusal::over(
            Limit::Bytes,
            "the document is too large (bytes)",
            text.len(),
            limits.max_bytes,
        ));
    }
    Ok(())
}

/// Checks `text` against every limit of `limits`.
pub fn check(limits: &DocumentLimits, text: &str) -> Result<(), Refusal> {
    check_size(limits, text)?;
    let tokens = tokens(text, limits.max_tokens)?;
    let definitions = Reader::new(limits, &tokens).definitions()?;
    Expansion::new(limits, &definitions).check()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token<'a> {
    Punctuator(u8),
    Spread,
    Name(&'a str),
    /// A string, block string or number.
    Value,
}

/// The document's tokens, at most `max` of them. Lexing stops at the first character that is
/// not GraphQL: the parser then fails there, having read only the tokens checked here.
fn tokens(text: &str, max: usize) -> Result<Vec<Token<'_>>, Refusal> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        let start = at;
        let token = match byte {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                at += 1;
                continue;
            }
            b'#' => {
                while at < bytes.len() && bytes[at] != b'\n' && bytes[at] != b'\r' {
                    at += 1;
                }
                continue;
            }
            0xEF if bytes[at..].starts_with("\u{FEFF}".as_bytes()) => {
                at += 3;
                continue;
            }
            b'!' | b'$' | b'&' | b'(' | b')' | b':' | b'=' | b'@' | b'[' | b']' | b'{' | b'|'
            | b'}' => {
                at += 1;
                Token::Punctuator(byte)
            }
            b'.' if bytes[at..].starts_with(b"...") => {
                at += 3;
                Token::Spread
            }
            b'_' | b'a'..=b'z' | b'A'..=b'Z' => {
                while at < bytes.len() && (bytes[at] == b'_' || bytes[at].is_ascii_alphanumeric()) {
                    at += 1;
                }
                Token::Name(&text[start..at])
            }
            b'-' | b'0'..=b'9' => {
                at += 1;
                while at < bytes.len()
                    && (bytes[at].is_ascii_alphanumeric()
                        || matches!(bytes[at], b'.' | b'+' | b'-'))
                {
                    at += 1;
                }
                Token::Value
            }
            b'"' if bytes[at..].starts_with(b"\"\"\"") => {
                at += 3;
                loop {
                    if at >= bytes.len() {
                        return Ok(tokens);
                    }
                    if bytes[at..].starts_with(b"\\\"\"\"") {
                        at += 4;
                    } else if bytes[at..].starts_with(b"\"\"\"") {
                        at += 3;
                        break;
                    } else {
                        at += 1;
                    }
                }
                Token::Value
            }
            b'"' => {
                at += 1;
                loop {
                    match bytes.get(at) {
                        None | Some(b'\n' | b'\r') => return Ok(tokens),
                        Some(b'\\') => at += 2,
                        Some(b'"') => {
                            at += 1;
                            break;
                        }
                        Some(_) => at += 1,
                    }
                }
                Token::Value
            }
            _ => return Ok(tokens),
        };
        if tokens.len() == max {
            return Err(Refusal::over(
                Limit::Tokens,
                "the document has too many tokens",
                format!("more than {max}"),
                max,
            ));
        }
        tokens.push(token);
    }
    Ok(tokens)
}

/// One spread of a fragment inside a definition.
#[derive(Debug)]
struct Spread<'a> {
    fragment: &'a str,
    /// The depth its fields take in the definition: one more than the fields around it have
    /// above them (1 at the definition's top level).
    depth: usize,
    /// Within an introspection field: its introspection depth there (the fragment's fields
    /// take this one), else 0.
    introspection: usize,
}

/// What one operation or fragment holds by itself, spreads not expanded.
#[derive(Debug, Default)]
struct Summary<'a> {
    /// `None` for operations.
    fragment: Option<&'a str>,
    fields: u64,
    root_fields: u64,
    aliases: u64,
    spreads: Vec<Spread<'a>>,
    /// Deepest field outside introspection (1 at the top level).
    depth: usize,
    /// Deepest field inside introspection, counted from the `__schema` or `__type` field.
    introspection_depth: usize,
    /// Deepest field of any kind (for a fragment spread inside introspection).
    total_depth: usize,
}

/// What opened a selection set.
#[derive(Clone, Copy, Debug)]
enum Opener {
    /// An operation or fragment definition.
    Definition,
    /// A field; `introspection` is the field's own introspection depth (0 outside).
    Field { depth: usize, introspection: usize },
    /// An inline fragment: fields keep the depth around it.
    InlineFragment,
}

/// A selection set being read: its fields' depth and introspection depth.
#[derive(Clone, Copy, Debug)]
struct Level {
    depth: usize,
    introspection: usize,
}

struct Reader<'l, 'a> {
    limits: &'l DocumentLimits,
    tokens: &'l [Token<'a>],
    at: usize,
    directives: usize,
}

impl<'l, 'a> Reader<'l, 'a> {
    fn new(limits: &'l DocumentLimits, tokens: &'l [Token<'a>]) -> Self {
        Reader {
            limits,
            tokens,
            at: 0,
            directives: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<Token<'a>> {
        self.tokens.get(self.at + ahead).copied()
    }

    /// Every definition's summary. Tokens that do not make a document are skipped over: the
    /// parser reports them.
    fn definitions(mut self) -> Result<Vec<Summary<'a>>, Refusal> {
        let mut definitions = Vec::new();
        while let Some(token) = self.peek(0) {
            match token {
                Token::Punctuator(b'{') => definitions.push(self.definition(None)?),
                Token::Name("fragment") => {
                    let name = match self.peek(1) {
                        Some(Token::Name(name)) => name,
                        _ => "",
                    };
                    definitions.push(self.definition(Some(name))?);
                }
                Token::Name("query" | "mutation" | "subscription") => {
                    definitions.push(self.definition(None)?)
                }
                _ => self.at += 1,
            }
        }
        Ok(definitions)
    }

    /// Reads one definition from its keyword (or `{`) to the end of its selection set.
    fn definition(&mut self, fragment: Option<&'a str>) -> Result<Summary<'a>, Refusal> {
        let mut summary = Summary {
            fragment,
            ..Summary::default()
        };
        // The head: names, variable definitions (values), directives, up to the `{`.
        while let Some(token) = self.peek(0) {
            match token {
                Token::Punctuator(b'{') => break,
                Token::Punctuator(b'(') => self.values()?,
                Token::Punctuator(b'@') => self.directive()?,
                _ => self.at += 1,
            }
        }
        if self.peek(0).is_none() {
            return Ok(summary);
        }
        self.at += 1;
        let mut levels = vec![Level {
            depth: 1,
            introspection: 0,
        }];
        // What the next `{` belongs to.
        let mut pending = Opener::Definition;
        while let Some(token) = self.peek(0) {
            let Some(level) = levels.last().copied() else {
                break;
            };
            match token {
                Token::Punctuator(b'}') => {
                    self.at += 1;
                    levels.pop();
                    if levels.is_empty() {
                        return Ok(summary);
                    }
                    pending = Opener::Definition;
                }
                Token::Punctuator(b'{') => {
                    self.at += 1;
                    let next = match pending {
                        Opener::Field {
                            depth,
                            introspection,
                        } => Level {
                            depth: depth + 1,
                            introspection: if introspection > 0 {
                                introspection + 1
                            } else {
                                0
                            },
                        },
                        Opener::InlineFragment | Opener::Definition => level,
                    };
                    levels.push(next);
                    pending = Opener::Definition;
                }
                Token::Punctuator(b'(') => self.values()?,
                Token::Punctuator(b'@') => self.directive()?,
                Token::Spread => {
                    self.at += 1;
                    match self.peek(0) {
                        Some(Token::Name(name)) if name != "on" => {
                            self.at += 1;
                            summary.spreads.push(Spread {
                                fragment: name,
                                depth: level.depth,
                                introspection: level.introspection,
                            });
                            pending = Opener::Definition;
                        }
                        _ => pending = Opener::InlineFragment,
                    }
                }
                Token::Name("on") if matches!(pending, Opener::InlineFragment) => {
                    // `... on Type`: skip the type condition.
                    self.at += 2;
                }
                Token::Name(name) => {
                    self.at += 1;
                    let aliased = self.peek(0) == Some(Token::Punctuator(b':'));
                    let name = if aliased {
                        summary.aliases += 1;
                        self.at += 1;
                        match self.peek(0) {
                            Some(Token::Name(field)) => {
                                self.at += 1;
                                field
                            }
                            _ => name,
                        }
                    } else {
                        name
                    };
                    summary.fields += 1;
                    if level.depth == 1 {
                        summary.root_fields += 1;
                    }
                    let introspection = if level.introspection > 0 {
                        level.introspection
                    } else if matches!(name, "__schema" | "__type") {
                        1
                    } else {
                        0
                    };
                    if introspection > 0 {
                        summary.introspection_depth =
                            summary.introspection_depth.max(introspection);
                    } else {
                        summary.depth = summary.depth.max(level.depth);
                    }
                    summary.total_depth = summary.total_depth.max(level.depth);
                    pending = Opener::Field {
                        depth: level.depth,
                        introspection,
                    };
                }
                _ => self.at += 1,
            }
        }
        Ok(summary)
    }

    /// A directive: `@` and its name (its arguments are read as values by the caller).
    fn directive(&mut self) -> Result<(), Refusal> {
        self.at += 2;
        self.directives += 1;
        if self.directives > self.limits.max_directives {
            return Err(Refusal::over(
                Limit::Directives,
                "the document has too many directives",
                self.directives,
                self.limits.max_directives,
            ));
        }
        Ok(())
    }

    /// Skips a parenthesised list of arguments or variable definitions, bounding how deeply
    /// its list and object values nest.
    fn values(&mut self) -> Result<(), Refusal> {
        let mut nesting = 0usize;
        let mut parentheses = 0usize;
        while let Some(token) = self.peek(0) {
            self.at += 1;
            match token {
                Token::Punctuator(b'(') => parentheses += 1,
                Token::Punctuator(b')') => {
                    parentheses = parentheses.saturating_sub(1);
                    if parentheses == 0 {
                        return Ok(());
                    }
                }
                Token::Punctuator(b'[' | b'{') => {
                    nesting += 1;
                    if nesting > self.limits.max_value_depth {
                        return Err(Refusal::over(
                            Limit::ValueDepth,
                            "a value in the document is nested too deep",
                            format!("more than {}", self.limits.max_value_depth),
                            self.limits.max_value_depth,
                        ));
                    }
                }
                Token::Punctuator(b']' | b'}') => nesting = nesting.saturating_sub(1),
                _ => {}
            }
        }
        Ok(())
    }
}

/// What a fragment holds with its spreads expanded.
#[derive(Clone, Copy, Debug, Default)]
struct Expanded {
    fields: u64,
    root_fields: u64,
    aliases: u64,
    spreads: u64,
    /// Deepest field outside introspection, relative to where the fragment is spread.
    depth: usize,
    /// Deepest introspection field, counted from its introspection root.
    introspection_depth: usize,
    /// Deepest field of any kind, relative to where the fragment is spread.
    total_depth: usize,
}

#[derive(Clone, Copy)]
enum State {
    Visiting,
    Done(Expanded),
}

struct Expansion<'l, 'a> {
    limits: &'l DocumentLimits,
    definitions: &'l [Summary<'a>],
    fragments: HashMap<&'a str, usize>,
    states: HashMap<&'a str, State>,
}

impl<'l, 'a> Expansion<'l, 'a> {
    fn new(limits: &'l DocumentLimits, definitions: &'l [Summary<'a>]) -> Self {
        let fragments = definitions
            .iter()
            .enumerate()
            .filter_map(|(index, summary)| summary.fragment.map(|name| (name, index)))
            .collect();
        Expansion {
            limits,
            definitions,
            fragments,
            states: HashMap::new(),
        }
    }

    fn check(mut self) -> Result<(), Refusal> {
        let definitions = self.definitions;
        for summary in definitions {
            let expanded = self.expand_summary(summary)?;
            if summary.fragment.is_none() {
                self.within_limits(&expanded)?;
            }
        }
        Ok(())
    }

    fn within_limits(&self, expanded: &Expanded) -> Result<(), Refusal> {
        let limits = self.limits;
        // The fan-out limits first: an exponential document breaks all of them, and these
        // say why.
        let checks = [
            (
                Limit::Spreads,
                "the operation spreads fragments too often",
                expanded.spreads,
                limits.max_spreads,
            ),
            (
                Limit::Fields,
                "the operation has too many fields, fragments expanded",
                expanded.fields,
                limits.max_fields,
            ),
            (
                Limit::Aliases,
                "the operation has too many aliases",
                expanded.aliases,
                limits.max_aliases,
            ),
            (
                Limit::RootFields,
                "the operation has too many root fields",
                expanded.root_fields,
                limits.max_root_fields,
            ),
            (
                Limit::Depth,
                "the query is nested too deep",
                expanded.depth as u64,
                limits.max_depth as u64,
            ),
            (
                Limit::IntrospectionDepth,
                "the introspection query is nested too deep",
                expanded.introspection_depth as u64,
                limits.max_introspection_depth as u64,
            ),
        ];
        for (limit, what, found, most) in checks {
            if found > most {
                return Err(Refusal::over(limit, what, found, most));
            }
        }
        Ok(())
    }

    /// `summary` with its spreads expanded. Counts saturate: a fan-out only has to be known
    /// to be over a limit.
    fn expand_summary(&mut self, summary: &Summary<'a>) -> Result<Expanded, Refusal> {
        let mut expanded = Expanded {
            fields: summary.fields,
            root_fields: summary.root_fields,
            aliases: summary.aliases,
            spreads: summary.spreads.len() as u64,
            depth: summary.depth,
            introspection_depth: summary.introspection_depth,
            total_depth: summary.total_depth,
        };
        for spread in &summary.spreads {
            // An unknown fragment is the validator's to report.
            let Some(inner) = self.expand_fragment(spread.fragment)? else {
                continue;
            };
            expanded.fields = expanded.fields.saturating_add(inner.fields);
            expanded.aliases = expanded.aliases.saturating_add(inner.aliases);
            expanded.spreads = expanded.spreads.saturating_add(inner.spreads);
            if spread.depth == 1 {
                expanded.root_fields = expanded.root_fields.saturating_add(inner.root_fields);
            }
            let shift = spread.depth - 1;
            if spread.introspection > 0 {
                // Every field of the fragment is introspection here.
                let depth = spread.introspection - 1 + inner.total_depth;
                expanded.introspection_depth = expanded.introspection_depth.max(depth);
            } else {
                if inner.depth > 0 {
                    expanded.depth = expanded.depth.max(shift + inner.depth);
                }
                expanded.introspection_depth =
                    expanded.introspection_depth.max(inner.introspection_depth);
            }
            if inner.total_depth > 0 {
                expanded.total_depth = expanded.total_depth.max(shift + inner.total_depth);
            }
            // Stop as soon as a fan-out is over a limit, however deep its cause.
            if expanded.fields > self.limits.max_fields
                || expanded.spreads > self.limits.max_spreads
                || expanded.aliases > self.limits.max_aliases
            {
                break;
            }
        }
        Ok(expanded)
    }

    fn expand_fragment(&mut self, name: &'a str) -> Result<Option<Expanded>, Refusal> {
        match self.states.get(name) {
            Some(State::Done(expanded)) => return Ok(Some(*expanded)),
            Some(State::Visiting) => {
                return Err(Refusal::new(
                    Limit::FragmentCycle,
                    format!("fragment {name} spreads itself, directly or through others"),
                ));
            }
            None => {}
        }
        let Some(&index) = self.fragments.get(name) else {
            return Ok(None);
        };
        // The spread chain is at most as long as the number of fragments, which the token
        // limit bounds, so this recursion is bounded too.
        self.states.insert(name, State::Visiting);
        let definitions = self.definitions;
        let expanded = self.expand_summary(&definitions[index])?;
        self.states.insert(name, State::Done(expanded));
        Ok(Some(expanded))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(document: &str) -> Result<(), Limit> {
        super::check(&DocumentLimits::default(), document).map_err(|refusal| refusal.limit)
    }

    /// `fragment F1 on Query { ...F2 ...F2 }` … `fragment Fn on Query { __typename }`.
    fn fan_out(n: usize) -> String {
        let mut document = String::from("{ ...F1 }");
        for i in 1..n {
            document.push_str(&format!(
                " fragment F{i} on Query {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        document.push_str(&format!(" fragment F{n} on Query {{ __typename }}"));
        document
    }

    #[test]
    fn ordinary_documents_pass() {
        for document in [
            "{ postings(first: 5, filter: { departments: [\"Engineering\"] }) { nodes { id title company { name } } } }",
            "query Q($id: ID!) { posting(id: $id) { ...P } } fragment P on Posting { id title requirements { text } }",
            "mutation { createCompany(input: { name: \"x\" }) { company { id } } }",
            "{ a: postings { totalCount } b: companies { totalCount } }",
            "# a comment { { {\n{ postings { nodes { t: title @include(if: true) } } } }",
            "{ postings(filter: { departments: [\"}}}}{{{{ ((( \"] }) { totalCount } }",
            "{ x(s: \"\"\"block { [ \\\"\"\" still\"\"\") }",
        ] {
            assert_eq!(check(document), Ok(()), "{document}");
        }
    }

    #[test]
    fn an_exponential_fragment_fan_out_is_refused_without_expanding_it() {
        assert_eq!(check(&fan_out(30)), Err(Limit::Spreads));
        assert_eq!(check(&fan_out(3)), Ok(()));
    }

    #[test]
    fn fragment_cycles_are_refused() {
        assert_eq!(
            check("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            Err(Limit::FragmentCycle)
        );
        assert_eq!(
            check("{ ...A } fragment A on Query { ...A }"),
            Err(Limit::FragmentCycle)
        );
    }

    #[test]
    fn depth_counts_through_fragments() {
        let nested = |n: usize| format!("{}{}", "{ a ".repeat(n), "}".repeat(n));
        assert_eq!(check(&nested(12)), Ok(()));
        assert_eq!(check(&nested(13)), Err(Limit::Depth));
        let through = "{ a { b { ...F } } } fragment F on B { c { d { e { f { g { h { i { j { k { l } } } } } } } } } }";
        assert_eq!(check(through), Ok(()));
        let deeper = "{ a { b { c { ...F } } } } fragment F on B { c { d { e { f { g { h { i { j { k { l } } } } } } } } } }";
        assert_eq!(check(deeper), Err(Limit::Depth));
    }

    #[test]
    fn introspection_has_a_nesting_limit_of_its_own() {
        let of_type = |n: usize| format!("{}name{}", "ofType { ".repeat(n), " }".repeat(n));
        let within = format!(
            "{{ __schema {{ types {{ fields {{ type {{ {} }} }} }} }} }}",
            of_type(11)
        );
        assert_eq!(check(&within), Ok(()));
        let deeper = format!(
            "{{ __schema {{ types {{ fields {{ type {{ {} }} }} }} }} }}",
            of_type(12)
        );
        assert_eq!(check(&deeper), Err(Limit::IntrospectionDepth));
        let through_fragment = format!(
            "{{ __type(name: \"Posting\") {{ ...T }} }} fragment T on __Type {{ fields {{ type {{ {} }} }} }}",
            of_type(13)
        );
        assert_eq!(check(&through_fragment), Err(Limit::IntrospectionDepth));
    }

    #[test]
    fn counts_are_taken_after_expansion() {
        let aliases: String = (0..31).map(|i| format!("a{i}: name ")).collect();
        assert_eq!(
            check(&format!("{{ company {{ {aliases} }} }}")),
            Err(Limit::Aliases)
        );
        let roots: String = (0..21).map(|i| format!("f{i} ")).collect();
        assert_eq!(
            check(&format!("{{ ...R }} fragment R on Query {{ {roots} }}")),
            Err(Limit::RootFields)
        );
        let directives = format!("{{ {} }}", "a @skip(if: false) ".repeat(51));
        assert_eq!(check(&directives), Err(Limit::Directives));
    }

    #[test]
    fn values_nested_too_deep_are_refused() {
        let deep = format!(
            "{{ postings(filter: {{ departments: {}\"x\"{} }}) {{ totalCount }} }}",
            "[".repeat(50_000),
            "]".repeat(50_000)
        );
        let limits = DocumentLimits {
            max_bytes: usize::MAX,
            ..DocumentLimits::default()
        };
        assert_eq!(
            super::check(&limits, &deep).map_err(|refusal| refusal.limit),
            Err(Limit::Tokens)
        );
        let lots_of_tokens = DocumentLimits {
            max_bytes: usize::MAX,
            max_tokens: usize::MAX,
            ..DocumentLimits::default()
        };
        assert_eq!(
            super::check(&lots_of_tokens, &deep).map_err(|refusal| refusal.limit),
            Err(Limit::ValueDepth)
        );
    }

    #[test]
    fn size_and_token_counts_are_bounded() {
        let whitespace = format!("{{{}}}", " ".repeat(100 * 1024));
        assert_eq!(check(&whitespace), Err(Limit::Bytes));
        let many: String = "{ a } ".repeat(2_000);
        assert_eq!(check(&many), Err(Limit::Tokens));
    }

    #[test]
    fn a_refusal_is_a_validation_failure_naming_its_limit() {
        let error = Refusal::over(Limit::Depth, "too deep", 13, 12).into_server_error();
        let extensions = error.extensions.expect("extensions");
        assert_eq!(
            extensions.get("code"),
            Some(&async_graphql::Value::from("GRAPHQL_VALIDATION_FAILED"))
        );
        assert_eq!(
            extensions.get("limit"),
            Some(&async_graphql::Value::from("depth"))
        );
    }
}
