//! A query as SQL: which postings match and how they score, written once as expressions
//! both databases evaluate the same way (string search over the stored fields, integer
//! arithmetic), plus the index condition that finds candidates — PostgreSQL's GIN over the
//! stored terms, SQLite's FTS5 table. The index condition only narrows; what matches is
//! decided by the shared expressions, so the two databases answer the same postings in the
//! same order.
//!
//! The score depends only on the posting and the query: for each group of the query the
//! weight of the best field its phrase is in (title 12, company, department, occupation,
//! cities and requirements 4, summary and description 1) times the phrase's length, plus 6
//! for each pair of words typed next to each other that the posting holds as a phrase, plus
//! 8 when the title holds every word asked for. No corpus statistics: adding a posting
//! changes no other posting's score, so keyset pages stay stable.

use entity::posting_search;
use sea_orm::DbBackend;
use sea_orm::sea_query::{Alias, Condition, Expr, ExprTrait, Func, SimpleExpr};

use super::analyzer::Stemming;
use super::query::{Branch, Phrase};

pub const TITLE_WEIGHT: i64 = 12;
pub const MID_WEIGHT: i64 = 4;
pub const BODY_WEIGHT: i64 = 1;
pub const ADJACENT_BONUS: i64 = 6;
pub const TITLE_BONUS: i64 = 8;

/// The SQL of one query.
pub struct SearchSql {
    /// True for the postings the query matches (reads `posting_search`, joined).
    pub condition: Condition,
    /// The posting's relevance, a BIGINT.
    pub score: SimpleExpr,
}

#[derive(Clone, Copy)]
enum Field {
    Title,
    Mid,
    Body,
}

impl Field {
    const ALL: [Field; 3] = [Field::Title, Field::Mid, Field::Body];

    fn column(self) -> posting_search::Column {
        match self {
            Field::Title => posting_search::Column::TitleTerms,
            Field::Mid => posting_search::Column::MidTerms,
            Field::Body => posting_search::Column::BodyTerms,
        }
    }

    fn weight(self) -> i64 {
        match self {
            Field::Title => TITLE_WEIGHT,
            Field::Mid => MID_WEIGHT,
            Field::Body => BODY_WEIGHT,
        }
    }
}

/// How a phrase is looked for in a stored field: ` a b `.
pub fn needle(phrase: &[String]) -> String {
    format!(" {} ", phrase.join(" "))
}

/// Whether the text `haystack` holds `needle`, the same way on both databases.
pub fn contains(backend: DbBackend, haystack: SimpleExpr, needle: String) -> SimpleExpr {
    let function = match backend {
        DbBackend::Postgres => "strpos",
        _ => "instr",
    };
    SimpleExpr::from(Func::cust(Alias::new(function)).arg(haystack).arg(needle)).gt(0)
}

struct Builder {
    backend: DbBackend,
}

impl Builder {
    fn column(&self, field: Field) -> SimpleExpr {
        Expr::col((posting_search::Entity, field.column()))
    }

    /// Whether `field` holds `phrase`.
    fn holds(&self, field: Field, phrase: &Phrase) -> SimpleExpr {
        contains(self.backend, self.column(field), needle(phrase))
    }

    fn anywhere(&self, phrase: &Phrase) -> Condition {
        Field::ALL.iter().fold(Condition::any(), |any, &field| {
            any.add(self.holds(field, phrase))
        })
    }

    fn matches(&self, branch: &Branch) -> Condition {
        if !branch.can_match {
            return Condition::all().add(Expr::cust("1 = 0"));
        }
        let mut all = Condition::all();
        for group in &branch.groups {
            all = all.add(group.iter().fold(Condition::any(), |any, phrase| {
                any.add(self.anywhere(phrase))
            }));
        }
        for phrase in &branch.excluded {
            all = all.add(self.anywhere(phrase).not());
        }
        all
    }

    /// The weight of the best field holding `phrase`, times its length; 0 when none does.
    fn weight(&self, phrase: &Phrase) -> SimpleExpr {
        let length = phrase.len() as i64;
        let mut case = Expr::case(
            self.holds(Field::Title, phrase),
            Expr::cust((Field::Title.weight() * length).to_string()),
        );
        for field in [Field::Mid, Field::Body] {
            case = case.case(
                self.holds(field, phrase),
                Expr::cust((field.weight() * length).to_string()),
            );
        }
        case.finally(Expr::cust("0")).into()
    }

    fn bonus(&self, condition: Condition, points: i64) -> SimpleExpr {
        Expr::case(condition, Expr::cust(points.to_string()))
            .finally(Expr::cust("0"))
            .into()
    }

    fn score(&self, branch: &Branch) -> SimpleExpr {
        let mut parts: Vec<SimpleExpr> = branch
            .groups
            .iter()
            .flatten()
            .map(|phrase| self.weight(phrase))
            .collect();
        for pair in &branch.adjacent {
            parts.push(self.bonus(self.anywhere(pair), ADJACENT_BONUS));
        }
        let wanted = branch.wanted_terms();
        if !wanted.is_empty() {
            let in_title = wanted.iter().fold(Condition::all(), |all, term| {
                all.add(self.holds(Field::Title, &vec![(*term).to_owned()]))
            });
            parts.push(self.bonus(in_title, TITLE_BONUS));
        }
        parts
            .into_iter()
            .reduce(|sum, part| sum.add(part))
            .unwrap_or_else(|| Expr::cust("0"))
    }

    /// The index condition: postings holding every term of some branch's required groups.
    /// `None` when some branch requires nothing (a query of exclusions only).
    fn candidates(&self, branches: &[Branch]) -> Option<SimpleExpr> {
        let matchable: Vec<&Branch> = branches.iter().filter(|branch| branch.can_match).collect();
        if matchable.iter().any(|branch| branch.groups.is_empty()) {
            return None;
        }
        let (and, or, quote): (&str, &str, fn(&str) -> String) = match self.backend {
            DbBackend::Postgres => (" & ", " | ", |term| {
                format!("'{}'", term.replace('\'', "''"))
            }),
            _ => (" AND ", " OR ", |term| {
                format!("\"{}\"", term.replace('"', "\"\""))
            }),
        };
        let branch_terms: Vec<String> = matchable
            .iter()
            .map(|branch| {
                let groups: Vec<String> = branch
                    .groups
                    .iter()
                    .map(|group| {
                        let alternatives: Vec<String> = group
                            .iter()
                            .map(|phrase| {
                                let terms: Vec<String> =
                                    phrase.iter().map(|term| quote(term)).collect();
                                format!("({})", terms.join(and))
                            })
                            .collect();
                        format!("({})", alternatives.join(or))
                    })
                    .collect();
                format!("({})", groups.join(and))
            })
            .collect();
        if branch_terms.is_empty() {
            return Some(Expr::cust("1 = 0"));
        }
        let expression = branch_terms.join(or);
        Some(match self.backend {
            DbBackend::Postgres => Expr::cust_with_values(
                "to_tsvector('simple'::regconfig, \"posting_search\".\"title_terms\" || ' ' || \
                 \"posting_search\".\"mid_terms\" || ' ' || \"posting_search\".\"body_terms\") \
                 @@ to_tsquery('simple'::regconfig, $1)",
                [expression],
            ),
            _ => Expr::cust_with_values(
                "\"posting_search\".\"posting_id\" IN (SELECT posting_id FROM posting_search_fts \
                 WHERE posting_search_fts MATCH ?)",
                [expression],
            ),
        })
    }
}

/// The SQL of `branches` (a query analyzed in every language) on `backend`.
pub fn build(branches: &[Branch], backend: DbBackend) -> SearchSql {
    let builder = Builder { backend };
    let stemming =
        || -> SimpleExpr { Expr::col((posting_search::Entity, posting_search::Column::Stemming)) };
    let mut matches = Condition::any();
    let mut score: Option<sea_orm::sea_query::CaseStatement> = None;
    for branch in branches {
        let language = stemming().eq(branch.stemming.name());
        matches = matches.add(
            Condition::all()
                .add(language.clone())
                .add(builder.matches(branch)),
        );
        if branch.stemming != Stemming::Plain {
            let branch_score = builder.score(branch);
            score = Some(match score {
                None => Expr::case(language, branch_score),
                Some(case) => case.case(language, branch_score),
            });
        }
    }
    let plain = branches
        .iter()
        .find(|branch| branch.stemming == Stemming::Plain)
        .map_or_else(|| Expr::cust("0"), |branch| builder.score(branch));
    let score: SimpleExpr = match score {
        Some(case) => case.finally(plain).into(),
        None => plain,
    };
    let mut condition = Condition::all().add(matches);
    if let Some(candidates) = builder.candidates(branches) {
        condition = condition.add(candidates);
    }
    SearchSql {
        condition,
        score: Func::cast_as(score, Alias::new("BIGINT")).into(),
    }
}
