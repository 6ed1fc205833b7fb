//! HTML to lines of text: tags become line breaks or marks (a bold-only line or an `<h1>`–
//! `<h6>` is a heading, an `<li>` an item), entities are decoded, and what is not the posting
//! (scripts, styles, navigation, headers, footers, forms) is left out. The JSON-LD scripts
//! are kept aside for [`super::jsonld`]. Nothing of the markup survives: imported HTML is
//! stored as text.

use super::page::{Line, Mark};

/// What an HTML page holds for the import.
#[derive(Debug, Default)]
pub struct HtmlPage {
    /// The first `<h1>`, else a heading that opens the page, else `<title>`.
    pub title: Option<String>,
    /// `<link rel="canonical">` or `og:url`.
    pub canonical_url: Option<String>,
    /// The text of every `<script type="application/ld+json">`.
    pub json_ld: Vec<String>,
    pub lines: Vec<Line>,
}

/// Elements whose content is never the posting's text.
const SKIPPED: [&str; 11] = [
    "style", "noscript", "template", "svg", "iframe", "nav", "header", "footer", "form", "button",
    "select",
];

/// Elements that end a line of text.
const BLOCKS: [&str; 24] = [
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "table",
    "section",
    "article",
    "dd",
    "dt",
    "dl",
    "blockquote",
    "hr",
    "main",
    "aside",
    "body",
];

struct Builder {
    lines: Vec<Line>,
    text: String,
    start: usize,
    all_bold: bool,
    item: bool,
    heading_level: Option<u8>,
    pending_space: bool,
    /// The level of each heading line pushed, by index into `lines`.
    levels: Vec<(usize, u8)>,
}

impl Builder {
    fn push_char(&mut self, c: char, line: usize, bold: bool, heading: Option<u8>) {
        if c.is_whitespace() {
            self.pending_space = !self.text.is_empty();
            return;
        }
        if self.text.is_empty() {
            self.start = line;
            self.all_bold = true;
        } else if self.pending_space {
            self.text.push(' ');
        }
        self.pending_space = false;
        if !bold && heading.is_none() {
            self.all_bold = false;
        }
        if let Some(level) = heading {
            self.heading_level = Some(level);
        }
        self.text.push(c);
    }

    fn end_line(&mut self) {
        let text = self.text.trim().to_owned();
        if !text.is_empty() {
            let mark = if self.item {
                Mark::Item
            } else if self.all_bold || self.heading_level.is_some() {
                Mark::Heading
            } else {
                Mark::Text
            };
            if let (Mark::Heading, Some(level)) = (mark, self.heading_level) {
                self.levels.push((self.lines.len(), level));
            }
            self.lines.push(Line {
                text,
                number: self.start,
                mark,
            });
        }
        self.text.clear();
        self.item = false;
        self.heading_level = None;
        self.pending_space = false;
    }
}

/// Reads `html`, however broken: an unclosed tag or a truncated page ends where the text does.
pub fn parse(html: &str) -> HtmlPage {
    let mut page = HtmlPage::default();
    let mut builder = Builder {
        lines: Vec::new(),
        text: String::new(),
        start: 1,
        all_bold: false,
        item: false,
        heading_level: None,
        pending_space: false,
        levels: Vec::new(),
    };
    let mut title_tag: Option<String> = None;
    let mut line = 1usize;
    let mut bold = 0u32;
    let mut heading: Option<u8> = None;
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<' {
            if let Some(after) = rest.strip_prefix("<!--") {
                let end = after.find("-->").map_or(after.len(), |at| at + 3);
                line += after[..end].matches('\n').count();
                rest = &after[end..];
                continue;
            }
            if let Some(tag) = Tag::read(rest) {
                line += rest[..tag.length].matches('\n').count();
                rest = &rest[tag.length..];
                let name = tag.name.as_str();
                if !tag.closing && (name == "script" || name == "title" || SKIPPED.contains(&name))
                {
                    let (content, after) = until_closing(rest, name);
                    line += rest[..rest.len() - after.len()].matches('\n').count();
                    if name == "script"
                        && tag
                            .attribute("type")
                            .is_some_and(|kind| kind.eq_ignore_ascii_case("application/ld+json"))
                    {
                        page.json_ld.push(content.to_owned());
                    } else if name == "title" {
                        title_tag = Some(collapse(&decode_entities(content)));
                    }
                    rest = after;
                    continue;
                }
                match name {
                    "b" | "strong" => {
                        bold = if tag.closing {
                            bold.saturating_sub(1)
                        } else {
                            bold + 1
                        }
                    }
                    _ => {}
                }
                if matches!(name, "link" | "meta") {
                    tag.canonical_into(&mut page);
                }
                if BLOCKS.contains(&name) {
                    builder.end_line();
                    if let Some(level) = name
                        .strip_prefix('h')
                        .and_then(|level| level.parse::<u8>().ok())
                        .filter(|level| (1..=6).contains(level))
                    {
                        heading = (!tag.closing).then_some(level);
                    }
                    if name == "li" && !tag.closing {
                        builder.item = true;
                    }
                }
                continue;
            }
        }
        if c == '&' {
            let (decoded, length) = entity(rest);
            for c in decoded.chars() {
                builder.push_char(c, line, bold > 0, heading);
            }
            rest = &rest[length..];
            continue;
        }
        if c == '\n' {
            line += 1;
        }
        builder.push_char(c, line, bold > 0, heading);
        rest = &rest[c.len_utf8()..];
    }
    builder.end_line();
    let first_h1 = builder
        .levels
        .iter()
        .find(|(_, level)| *level == 1)
        .or_else(|| builder.levels.first().filter(|(index, _)| *index == 0));
    if let Some(&(index, _)) = first_h1 {
        page.title = Some(builder.lines.remove(index).text);
    } else {
        page.title = title_tag.filter(|title| !title.is_empty());
    }
    page.lines = builder.lines;
    page
}

/// The content up to `</name` (in any case) and what follows its `>`. Scans only as far as
/// the closing tag: a page of many skipped elements is read in one pass.
fn until_closing<'a>(html: &'a str, name: &str) -> (&'a str, &'a str) {
    let mut from = 0;
    while let Some(found) = html[from..].find("</") {
        let at = from + found;
        let candidate = html.as_bytes().get(at + 2..at + 2 + name.len());
        if candidate.is_some_and(|bytes| bytes.eq_ignore_ascii_case(name.as_bytes())) {
            let after = html[at..].find('>').map_or(html.len(), |end| at + end + 1);
            return (&html[..at], &html[after..]);
        }
        from = at + 2;
    }
    (html, "")
}

/// One tag: its lower-case name, whether it closes, its attributes' source, its length.
struct Tag {
    name: String,
    closing: bool,
    attributes: String,
    length: usize,
}

impl Tag {
    fn read(html: &str) -> Option<Tag> {
        let body = html.strip_prefix('<')?;
        let (closing, body) = match body.strip_prefix('/') {
            Some(body) => (true, body),
            None => (false, body),
        };
        let first = body.chars().next()?;
        if !first.is_ascii_alphabetic() && first != '!' {
            return None;
        }
        let mut quote: Option<char> = None;
        let mut end = None;
        for (at, c) in body.char_indices() {
            match quote {
                Some(open) if c == open => quote = None,
                Some(_) => {}
                None if c == '"' || c == '\'' => quote = Some(c),
                None if c == '>' => {
                    end = Some(at);
                    break;
                }
                None => {}
            }
        }
        let end = end.unwrap_or(body.len());
        let inner = &body[..end];
        let name_length = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        Some(Tag {
            name: inner[..name_length].to_ascii_lowercase(),
            closing,
            attributes: inner[name_length..].to_owned(),
            length: html.len() - body.len() + (end + 1).min(body.len()),
        })
    }

    /// The value of attribute `name`, entities decoded.
    fn attribute(&self, name: &str) -> Option<String> {
        let lower = self.attributes.to_ascii_lowercase();
        let mut from = 0;
        while let Some(found) = lower[from..].find(name) {
            let at = from + found;
            from = at + name.len();
            let before_ok = at == 0 || lower[..at].ends_with(|c: char| c.is_whitespace());
            let after = lower[from..].trim_start();
            if !before_ok || !after.starts_with('=') {
                continue;
            }
            let value_start = self.attributes.len() - after.len() + 1;
            let value = self.attributes[value_start..].trim_start();
            let value = match value.chars().next() {
                Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
                _ => value
                    .split(|c: char| c.is_whitespace())
                    .next()
                    .unwrap_or_default(),
            };
            return Some(decode_entities(value).trim().to_owned());
        }
        None
    }

    fn canonical_into(&self, page: &mut HtmlPage) {
        if page.canonical_url.is_some() {
            return;
        }
        let url = match self.name.as_str() {
            "link" if self.attribute("rel").as_deref() == Some("canonical") => {
                self.attribute("href")
            }
            "meta" if self.attribute("property").as_deref() == Some("og:url") => {
                self.attribute("content")
            }
            _ => None,
        };
        page.canonical_url = url.filter(|url| url.starts_with("http"));
    }
}

fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every entity in `text` decoded.
pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let (decoded, length) = entity(&rest[at..]);
        out.push_str(&decoded);
        rest = &rest[at + length..];
    }
    out.push_str(rest);
    out
}

/// The entity at the start of `text` and its length; a lone `&` is itself.
fn entity(text: &str) -> (String, usize) {
    let Some(end) = text[1..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .map(|end| end + 1)
    else {
        return ("&".to_owned(), 1);
    };
    let name = &text[1..end];
    let length = if text[end..].starts_with(';') {
        end + 1
    } else {
        end
    };
    let numeric = name
        .strip_prefix("#x")
        .or_else(|| name.strip_prefix("#X"))
        .map(|hex| u32::from_str_radix(hex, 16))
        .or_else(|| name.strip_prefix('#').map(str::parse::<u32>));
    let decoded = match numeric {
        Some(Ok(code)) => char::from_u32(code).filter(|c| !c.is_control() || *c == '\n'),
        Some(Err(_)) => None,
        None => named(name),
    };
    match decoded {
        Some(c) => (c.to_string(), length),
        None => ("&".to_owned(), 1),
    }
}

fn named(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{A0}',
        "ndash" => '–',
        "mdash" => '—',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "hellip" => '…',
        "bull" => '•',
        "middot" => '·',
        "auml" => 'ä',
        "ouml" => 'ö',
        "aring" => 'å',
        "Auml" => 'Ä',
        "Ouml" => 'Ö',
        "Aring" => 'Å',
        "eacute" => 'é',
        "Eacute" => 'É',
        "egrave" => 'è',
        "uuml" => 'ü',
        "Uuml" => 'Ü',
        "szlig" => 'ß',
        "oslash" => 'ø',
        "aelig" => 'æ',
        "copy" => '©',
        "reg" => '®',
        "trade" => '™',
        "euro" => '€',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_become_marked_lines_and_entities_text() {
        let page = parse(
            "<h2>Lead &amp; Mentor</h2><div><b>Duties:</b><br>Ship it<br><br>Fix &lt;bugs&gt; &#8211; fast&nbsp;now<ul><li>One</li><li>Two</li></ul></div>",
        );
        assert_eq!(page.title.as_deref(), Some("Lead & Mentor"));
        let lines: Vec<(&str, Mark)> = page
            .lines
            .iter()
            .map(|l| (l.text.as_str(), l.mark))
            .collect();
        assert_eq!(
            lines,
            [
                ("Duties:", Mark::Heading),
                ("Ship it", Mark::Text),
                ("Fix <bugs> – fast now", Mark::Text),
                ("One", Mark::Item),
                ("Two", Mark::Item),
            ]
        );
    }

    #[test]
    fn scripts_and_chrome_are_not_text_and_json_ld_is_kept() {
        let page = parse(
            "<html><head><title>T</title><link rel=\"canonical\" href=\"https://jobs.example.com/1\"></head><body><nav>Home | Jobs</nav><script>alert('</b>')</script><script type=\"application/ld+json\">{\"@type\":\"JobPosting\"}</script><p>Body &lt;script&gt; text</p><footer>Cookies</footer></body></html>",
        );
        assert_eq!(page.json_ld, ["{\"@type\":\"JobPosting\"}"]);
        assert_eq!(
            page.canonical_url.as_deref(),
            Some("https://jobs.example.com/1")
        );
        assert_eq!(page.title.as_deref(), Some("T"));
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Body <script> text"]);
    }

    #[test]
    fn broken_html_ends_where_the_text_does() {
        let page = parse("<p>Engineer</p><p>We build <b>things<p>and more <a href=\"x");
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["Engineer", "We build things", "and more"]);
        assert_eq!(
            parse("&unknown; & &#xZZ;").lines[0].text,
            "&unknown; & &#xZZ;"
        );
    }

    #[test]
    fn skipped_elements_end_at_their_closing_tag_in_any_case() {
        let page = parse("<p>a</p><SCRIPT>x</b></Script><p>b</p><style>y");
        let texts: Vec<&str> = page.lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(texts, ["a", "b"]);
    }

    #[test]
    fn lines_know_where_they_start() {
        let page = parse("<p>a</p>\n\n<p>b\nc</p>");
        assert_eq!(page.lines[1].number, 3);
    }
}
