//! Turns a plain-text or Markdown description into ordered sections: `#` headings start a
//! section, `-`, `*`, `•` or `1.` lines are bullet items, other blocks are paragraphs.

use entity::sections::DescriptionSection;

pub fn sections_from_text(text: &str) -> Vec<DescriptionSection> {
    let mut sections: Vec<DescriptionSection> = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    fn current(sections: &mut Vec<DescriptionSection>) -> &mut DescriptionSection {
        if sections.is_empty() {
            sections.push(DescriptionSection::default());
        }
        let last = sections.len() - 1;
        &mut sections[last]
    }
    fn flush(sections: &mut Vec<DescriptionSection>, paragraph: &mut Vec<&str>) {
        if !paragraph.is_empty() {
            let text = paragraph.join(" ");
            current(sections).paragraphs.push(text);
            paragraph.clear();
        }
    }
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            flush(&mut sections, &mut paragraph);
        } else if let Some(heading) = line.strip_prefix('#') {
            flush(&mut sections, &mut paragraph);
            let heading = heading.trim_start_matches('#').trim();
            sections.push(DescriptionSection {
                heading: (!heading.is_empty()).then(|| heading.to_owned()),
                ..Default::default()
            });
        } else if let Some(item) = bullet(line) {
            flush(&mut sections, &mut paragraph);
            current(&mut sections).items.push(item.to_owned());
        } else {
            paragraph.push(line);
        }
    }
    flush(&mut sections, &mut paragraph);
    sections.retain(|section| {
        section.heading.is_some() || !section.paragraphs.is_empty() || !section.items.is_empty()
    });
    sections
}

fn bullet(line: &str) -> Option<&str> {
    for marker in ["- ", "* ", "• "] {
        if let Some(item) = line.strip_prefix(marker) {
            return Some(item.trim());
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return line[digits..].strip_prefix(". ").map(str::trim);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_becomes_sections() {
        let sections = sections_from_text(
            "We build turbines.\nFor real.\n\n## What you'll do\n- Build\n- Ship\n\n# Vi söker dig som\nGillar kod.\n1. Rust\n2. SQL",
        );
        assert_eq!(sections.len(), 3);
        assert_eq!(sections[0].heading, None);
        assert_eq!(sections[0].paragraphs, ["We build turbines. For real."]);
        assert_eq!(sections[1].heading.as_deref(), Some("What you'll do"));
        assert_eq!(sections[1].items, ["Build", "Ship"]);
        assert_eq!(sections[2].paragraphs, ["Gillar kod."]);
        assert_eq!(sections[2].items, ["Rust", "SQL"]);
    }

    #[test]
    fn plain_text_is_one_section_of_paragraphs() {
        let sections = sections_from_text("One.\n\nTwo.");
        assert_eq!(sections.len(), 1);
        assert_eq!(sections[0].paragraphs, ["One.", "Two."]);
        assert!(sections_from_text("  \n ").is_empty());
    }
}
