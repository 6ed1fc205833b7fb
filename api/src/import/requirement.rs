//! One item of a candidate profile made a requirement: whether it is required or merely
//! preferred, the years it asks, and its kind.

use entity::enums::RequirementKind;
use serde::Serialize;

use super::wording;

/// A requirement of an imported posting.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportedRequirement {
    pub kind: RequirementKind,
    pub text: String,
    pub required: bool,
    pub years_min: Option<i32>,
    pub years_max: Option<i32>,
}

/// Words that make an item, or a group's label, merely preferred.
const OPTIONAL: [&str; 27] = [
    "preferred",
    "preferably",
    "ideally",
    "a plus",
    "bonus",
    "beneficial",
    "meritorious",
    "meritorius",
    "seen as a strength",
    "an advantage",
    "advantageous",
    "an asset",
    "nice to have",
    "nice-to-have",
    "desirable",
    "desired",
    "not a must",
    "not required",
    "highly valued",
    "is valued",
    "meriterande",
    "merit",
    "önskvärt",
    "önskvärd",
    "gärna",
    "fördel",
    "plus if",
];

/// Whether a group label ("Desired", "Meritorious:", "Nice to have") marks its items optional.
pub fn label_is_optional(label: &str) -> bool {
    let lower = label.to_lowercase();
    OPTIONAL.iter().any(|word| lower.contains(word)) || lower.trim() == "plus"
}

/// Whether the item itself is merely preferred: an optional word in its first clause
/// ("It is meritorious if…", "Experience with X is a plus") makes it so; one in a later
/// clause qualifies a required core ("Fluent in English, Chinese is meritorious") and leaves
/// it required.
fn item_is_optional(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("not a must") {
        return true;
    }
    let Some(first) = OPTIONAL.iter().filter_map(|word| lower.find(word)).min() else {
        return false;
    };
    let before = &lower[..first];
    let boundary = [", ", "; ", ". ", " – ", " - "]
        .iter()
        .filter_map(|mark| before.find(mark))
        .min();
    match boundary {
        None => true,
        Some(at) => before[..at].split_whitespace().count() < 2,
    }
}

fn contains_any(lower: &str, words: &[&str]) -> Option<usize> {
    words.iter().filter_map(|word| lower.find(word)).min()
}

const LANGUAGES: [&str; 22] = [
    "english",
    "swedish",
    "chinese",
    "mandarin",
    "german",
    "french",
    "spanish",
    "norwegian",
    "danish",
    "finnish",
    "italian",
    "japanese",
    "dutch",
    "portuguese",
    "engelska",
    "svenska",
    "tyska",
    "franska",
    "kinesiska",
    "spanska",
    "norska",
    "danska",
];
const LANGUAGE_CUES: [&str; 14] = [
    "fluent",
    "fluency",
    "proficien",
    "spoken",
    "written",
    "level",
    "native",
    "language",
    "språk",
    "flytande",
    "tal och skrift",
    "c1",
    "b2",
    "command of",
];
const CERTIFICATION: [&str; 8] = [
    "certif",
    "licence",
    "license",
    "körkort",
    "certifikat",
    "legitimation",
    "clearance",
    "accredit",
];
const EDUCATION: [&str; 16] = [
    "degree",
    "bachelor",
    "master",
    "phd",
    "ph.d",
    "university",
    "diploma",
    "msc",
    "bsc",
    "mba",
    "examen",
    "utbildning",
    "högskol",
    "universitet",
    "civilingenjör",
    "graduate",
];
const EXPERIENCE: [&str; 5] = [
    "experience",
    "erfarenhet",
    "track record",
    "background in",
    "worked with",
];
const SKILL: [&str; 20] = [
    "skill",
    "analytic",
    "knowledge",
    "proficien",
    "ability",
    "able to",
    "understand",
    "familiar",
    "good at",
    "acumen",
    "expert",
    "kunskap",
    "förmåga",
    "expertise",
    "competen",
    "comprehension",
    "grasp",
    "command of",
    "kännedom",
    "capab",
];

/// The kind of a requirement from its wording.
pub fn kind(text: &str, years: bool) -> RequirementKind {
    let lower = text.to_lowercase();
    if contains_any(&lower, &LANGUAGES).is_some() && contains_any(&lower, &LANGUAGE_CUES).is_some()
    {
        return RequirementKind::Language;
    }
    if years {
        return RequirementKind::Experience;
    }
    // The kind named first is the requirement's: "Bachelor's degree; certifications are a
    // plus" asks for a degree.
    [
        (
            RequirementKind::Certification,
            contains_any(&lower, &CERTIFICATION),
        ),
        (RequirementKind::Education, contains_any(&lower, &EDUCATION)),
        (
            RequirementKind::Experience,
            contains_any(&lower, &EXPERIENCE),
        ),
        (RequirementKind::Skill, contains_any(&lower, &SKILL)),
    ]
    .into_iter()
    .filter_map(|(kind, at)| at.map(|at| (at, kind)))
    .min_by_key(|(at, _)| *at)
    .map_or(RequirementKind::Other, |(_, kind)| kind)
}

/// The requirement an item of a candidate profile states; `group_optional` when its group's
/// label marks the group preferred.
pub fn from_item(text: &str, group_optional: bool) -> ImportedRequirement {
    let years = wording::years(text);
    ImportedRequirement {
        kind: kind(text, years.is_some()),
        text: text.to_owned(),
        required: !(group_optional || item_is_optional(text)),
        years_min: years.and_then(|(min, _)| min),
        years_max: years.and_then(|(_, max)| max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn required(text: &str) -> bool {
        from_item(text, false).required
    }

    #[test]
    fn optional_wordings_make_an_item_preferred() {
        for text in [
            "Experience in a US-listed environment is a plus.",
            "It is meritorious if you have worked with or in China",
            "Ideally, you have led a team",
            "Kubernetes is a bonus",
            "Knowledge of SAP is beneficial",
            "Experience of retail is seen as a strength",
            "A driving licence is desired but not a must",
            "Erfarenhet av Rust är meriterande",
            "Kunskap i SQL är önskvärt",
            "Du har gärna arbetat med React",
            "Documented skills in project management is an advantage",
            "Preferred: a master's degree",
        ] {
            assert!(!required(text), "{text}");
        }
    }

    #[test]
    fn a_required_core_with_an_optional_clause_stays_required() {
        for text in [
            "Fluent in English, Chinese is meritorious",
            "Strong knowledge of ERP systems, and especially its finance modules. SAP experience will be highly valued",
            "Bachelor’s degree required.",
            "Minst 3 års erfarenhet av redovisning",
        ] {
            assert!(required(text), "{text}");
        }
        assert!(!from_item("Bachelor’s degree", true).required);
    }

    #[test]
    fn kinds_and_years_are_read() {
        let item = from_item(
            "5 – 7 years of experience similar role handling dealership performance.",
            false,
        );
        assert_eq!(
            (item.kind, item.years_min, item.years_max),
            (RequirementKind::Experience, Some(5), Some(7))
        );
        assert_eq!(
            kind("Bachelor’s degree required.", false),
            RequirementKind::Education
        );
        assert_eq!(
            kind("Fluent in English, Chinese is meritorious", false),
            RequirementKind::Language
        );
        assert_eq!(
            kind("Flytande svenska i tal och skrift", false),
            RequirementKind::Language
        );
        assert_eq!(
            kind("Valid driver's license", false),
            RequirementKind::Certification
        );
        assert_eq!(
            kind(
                "Bachelor’s degree in a relevant field; certifications are a plus.",
                false
            ),
            RequirementKind::Education
        );
        assert_eq!(
            kind("Solid knowledge of customer care best practices", false),
            RequirementKind::Skill
        );
        assert_eq!(
            kind("Proven experience with corporate finance", false),
            RequirementKind::Experience
        );
        assert_eq!(
            kind("You thrive in a fast paced environment", false),
            RequirementKind::Other
        );
        assert_eq!(
            kind("Excellent communication skills, written and verbal", false),
            RequirementKind::Skill
        );
    }
}
